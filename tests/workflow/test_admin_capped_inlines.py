"""A claim with a long history, an article with many claims: their admin change
pages show the latest (first) rows of each inline and link to the changelist
that lists them all, in queries that do not grow with the rows. A claim with
6,000 changes took 39 s to render (one form, and one user query, per row)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import ClaimChange, ClaimStatus, StatusChange
from tests.factories import ArticleFactory, ClaimFactory, checker, editor
from tests.workflow.test_admin import browser_form_data, change_url

pytestmark = pytest.mark.django_db
HISTORY_SHOWN = 50  # claims.admin.HistoryInline.shown
CLAIMS_SHOWN = 100  # claims.admin.ClaimInline.shown


def add_history(claim, n, user):
    StatusChange.objects.bulk_create(
        StatusChange(claim=claim, user=user, from_status="unstarted", to_status="in_progress")
        for _ in range(n)
    )
    ClaimChange.objects.bulk_create(
        ClaimChange(claim=claim, user=user, action="assign", note=f"change {i}") for i in range(n)
    )


def change_page(client, url):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return r.content.decode(), len(ctx.captured_queries)


def test_a_long_history_shows_its_latest_changes_and_links_to_all(client):
    client.force_login(editor())
    claim = ClaimFactory()
    add_history(claim, HISTORY_SHOWN + 5, checker())
    change_page(client, change_url(claim))  # the session's first request
    html, few = change_page(client, change_url(claim))
    add_history(claim, 100, checker(username="another"))
    html, many = change_page(client, change_url(claim))
    assert many == few
    total = HISTORY_SHOWN + 105
    for model in ("statuschange", "claimchange"):
        link = reverse(f"admin:claims_{model}_changelist") + f"?claim__id__exact={claim.pk}"
        assert f'<a href="{link}">All {total}</a>' in html
    # The latest changes: the last ones written are there, the first are not.
    notes = re.findall(r"change (\d+)", html)
    assert "99" in notes and "0" not in notes
    assert html.count('id="status_changes-') <= HISTORY_SHOWN * 4
    listing = client.get(link)
    assert listing.status_code == 200 and "change 0<" in listing.content.decode()


def test_a_claim_with_a_capped_history_is_still_saved_from_its_page(client):
    client.force_login(editor())
    claim = ClaimFactory()
    add_history(claim, HISTORY_SHOWN + 5, checker())
    data = browser_form_data(client, claim, transition_to="in_progress")
    assert data["status_changes-INITIAL_FORMS"] == str(HISTORY_SHOWN)
    assert client.post(change_url(claim), data).status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_PROGRESS


def test_an_article_with_many_claims_shows_the_first_and_links_to_all(client):
    client.force_login(editor())
    article = ArticleFactory()
    claims = [ClaimFactory(article=article, position=i) for i in range(CLAIMS_SHOWN + 3)]
    html, _ = change_page(client, reverse("admin:claims_article_change", args=[article.pk]))
    link = reverse("admin:claims_claim_changelist") + f"?article={article.pk}"
    assert f'<a href="{link}">All {len(claims)}</a>' in html
    assert reverse("admin:claims_claim_change", args=[claims[0].pk]) in html
    assert reverse("admin:claims_claim_change", args=[claims[-1].pk]) not in html
