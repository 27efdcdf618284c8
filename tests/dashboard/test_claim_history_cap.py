"""A claim's page (and panel) shows its latest 100 changes, oldest first among
them, and links to all of them (a claim with 6,000 changes rendered them all:
1.75 MB in 0.85-2 s); its queries do not grow with the history."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import ClaimChange, StatusChange
from tests.factories import ClaimFactory, checker, editor

pytestmark = pytest.mark.django_db
SHOWN = 100  # claims.views.claim_pages.HISTORY_SHOWN


def add_history(claim, n, start=0):
    user = checker(username=f"checker{start}")
    StatusChange.objects.bulk_create(
        StatusChange(
            claim=claim,
            user=user,
            from_status="unstarted",
            to_status="in_progress",
            note=f"step {start + i}",
        )
        for i in range(n)
    )
    ClaimChange.objects.bulk_create(
        ClaimChange(claim=claim, user=user, action="assign", note=f"change {start + i}")
        for i in range(n)
    )


def page(client, url):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return r.content.decode(), len(ctx.captured_queries)


def test_the_claim_page_shows_the_latest_changes_and_links_to_all(client):
    client.force_login(editor())
    claim = ClaimFactory()
    add_history(claim, 60)
    url = f"/claims/{claim.pk}/"
    page(client, url)  # the session's first request
    html, few = page(client, url)
    add_history(claim, 100, start=60)
    html, many = page(client, url)
    assert many == few
    events = re.findall(r'<li class="event event-', html)
    assert len(events) == SHOWN
    assert "Show all 320</a>" in html and f'href="/claims/{claim.pk}/?history=all"' in html
    notes = re.findall(r"(?:step|change) (\d+)", html)
    assert "159" in notes and "0" not in notes
    everything, _ = page(client, url + "?history=all")
    assert len(re.findall(r'<li class="event event-', everything)) == 320
    assert "Show all" not in everything
    panel, _ = page(client, f"/claims/{claim.pk}/panel/")
    assert len(re.findall(r'<li class="event event-', panel)) == SHOWN


def test_a_short_history_is_shown_whole_without_a_link(client):
    client.force_login(editor())
    claim = ClaimFactory()
    add_history(claim, 3)
    html, _ = page(client, f"/claims/{claim.pk}/")
    assert len(re.findall(r'<li class="event event-', html)) == 6
    assert "Show all" not in html


def test_the_queue_link_of_a_page_showing_all_changes_lists_the_claims(client):
    """ "Show all" adds ?history=all to the claim's page; its "Queue" link and
    "Next claim" carried it to the queue, which refuses a parameter that is not
    its own: "“history” is not a filter of the queue" and no claims."""
    client.force_login(editor())
    first, second = ClaimFactory(), ClaimFactory()
    add_history(first, 60)
    for query in ("?history=all", "?view=all&history=all"):
        html, _ = page(client, f"/claims/{first.pk}/{query}")
        breadcrumb = html.split('aria-label="Breadcrumb"', 1)[1]
        queue = re.search(r'<a href="(/[^"]*)">Queue</a>', breadcrumb)[1]
        listed, _ = page(client, queue.replace("&amp;", "&"))
        assert "is not a filter of the queue" not in listed, queue
        assert f'data-claim="{second.pk}"' in listed, queue
        following = re.search(r'<a href="(/claims/\d+/[^"]*)" rel="next"', html)
        assert following is None or "history=" not in following[1]


def test_show_all_from_the_article_page_s_panel_leads_to_a_queue_that_lists_claims(client):
    """The article page's panel (?claim=N, and ?shown=K once more of the text is
    read) linked "Show all" to the claim's page with the article page's query;
    that page's "Queue" link carried claim= and shown= to the queue, which
    refused them as misspelt filters and listed no claims."""
    client.force_login(editor())
    claim, other = ClaimFactory(), ClaimFactory()
    add_history(claim, 60)
    html, _ = page(client, f"/articles/{claim.article_id}/?claim={claim.pk}&shown=40")
    show_all = re.search(r'<a href="(/claims/[^"]*)">Show all 120</a>', html)[1]
    full, _ = page(client, show_all.replace("&amp;", "&"))
    assert len(re.findall(r'<li class="event event-', full)) == 120
    breadcrumb = full.split('aria-label="Breadcrumb"', 1)[1]
    queue = re.search(r'<a href="(/[^"]*)">Queue</a>', breadcrumb)[1]
    listed, _ = page(client, queue.replace("&amp;", "&"))
    assert "is not a filter of the queue" not in listed, queue
    assert f'data-claim="{other.pk}"' in listed, queue
