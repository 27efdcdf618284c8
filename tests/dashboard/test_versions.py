"""What people see of article versions (issue 15): the Versions section, the
marks on claims ("Changed in version 2" with its word diff, "Removed in version
2"), the correction notice highlighted, the diff page, and "changed since last
version" in the queue and the API. Everything escaped. The versions come from
the real pipeline (embedded mode)."""

from __future__ import annotations

import re
from functools import partial

import pytest
from django.urls import reverse

from claims.services import article_ingest
from claims.workflow import claim_transition, comment_add
from tests.api.conftest import client_with_token
from tests.factories import checker, editor
from tests.services.test_versions import V1, V2

pytestmark = pytest.mark.django_db


def _ingest_analysed(capture, user, text):
    """Ingest ``text`` as ``user`` and run its analysis (the on-commit work)."""
    with capture(execute=True):
        return article_ingest(text=text, user=user).article


@pytest.fixture
def versioned(django_capture_on_commit_callbacks):
    """The story in two versions, analysed; an editor worked on the claim that
    changed and on the one that was removed."""
    ed = editor(username="ed")
    ingest = partial(_ingest_analysed, django_capture_on_commit_callbacks, ed)
    article = ingest(V1)
    dead = article.claims.get(text__contains="killed 12")
    claim_transition(claim=dead, to_status="in_progress", user=ed, expected_version=1)
    comment_add(claim=dead, user=ed, body="Check the count.")
    dam = article.claims.get(text__contains="passed its last inspection")
    claim_transition(claim=dam, to_status="in_progress", user=ed, expected_version=1)
    ingest(V2)
    article.refresh_from_db()
    dead.refresh_from_db()
    dam.refresh_from_db()
    assert article.version == 2 and article.state == "analyzed", article.error
    return article, dead, dam


def test_the_article_page_shows_versions_marks_and_the_correction(client_as, versioned):
    article, dead, dam = versioned
    html = client_as("checker").get(reverse("dashboard:article", args=[article.pk])).content
    html = html.decode()
    assert 'id="versions-h">Versions</h2>' in html
    assert "1 changed, " in html and " 1 removed, " in html
    diff_url = reverse("dashboard:article-version-diff", args=[article.pk, 2])
    assert f'href="{diff_url}"' in html
    # The changed claim: marked, with its word diff.
    item = re.search(rf'<li id="claim-item-{dead.pk}".*?</li>', html, re.S).group()
    assert "Changed in version 2" in item
    assert "<del>12</del><ins>14</ins>" in item
    # The removed claim people worked on: listed apart, flagged, not highlighted
    # in the new text (its offsets are into version 1's).
    assert "Removed in version 2" in html and dam.text[:40] in html
    assert f'data-claim="{dam.pk}"' not in html
    # The correction notice, highlighted and escaped (its "<b>" is text).
    mark = '<mark class="correction" title="Correction notice" data-label="Correction notice">'
    assert mark in html
    assert "&lt;b&gt;and&lt;/b&gt;" in html and "<b>and</b>" not in html


def test_the_diff_page_shows_the_change_escaped(client_as, versioned):
    article, *_ = versioned
    url = reverse("dashboard:article-version-diff", args=[article.pk, 2])
    html = client_as("viewer").get(url).content.decode()
    assert "Version 2 against version 1" in html
    assert "killed <del>12</del><ins>14</ins> people" in html
    assert re.search(r"<del>\s*The mayor, Joan Ellis", html)  # the removed sentence
    assert re.search(r"<ins>\s*Correction: An earlier version", html)
    assert "&lt;b&gt;and&lt;/b&gt;" in html and "<b>and</b>" not in html
    missing = reverse("dashboard:article-version-diff", args=[article.pk, 3])
    assert client_as("viewer").get(missing).status_code == 404
    first = reverse("dashboard:article-version-diff", args=[article.pk, 1])
    assert client_as("viewer").get(first).status_code == 404


@pytest.mark.parametrize("number", ["99999999999999999999", str(2**63), str(2**31)])
def test_a_version_number_too_large_for_the_database_is_a_404(client_as, versioned, number):
    # Was a 500: OverflowError (Python int too large to convert to SQLite INTEGER).
    article, *_ = versioned
    url = f"/articles/{article.pk}/versions/{number}/diff/"
    assert client_as("viewer").get(url).status_code == 404
    huge = f"/articles/99999999999999999999/versions/{number}/diff/"
    assert client_as("viewer").get(huge).status_code == 404


def test_the_diff_page_needs_a_login(client, versioned):
    article, *_ = versioned
    url = reverse("dashboard:article-version-diff", args=[article.pk, 2])
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_claim_page_says_removed_in_version_2(client_as, versioned):
    _, dead, dam = versioned
    html = client_as("checker").get(reverse("dashboard:claim", args=[dam.pk])).content.decode()
    assert "Removed in version 2 of the article" in html
    html = client_as("checker").get(reverse("dashboard:claim", args=[dead.pk])).content.decode()
    assert "Changed in version 2" in html and "<del>12</del><ins>14</ins>" in html


def test_the_queue_shows_changed_since_last_version(client_as, versioned):
    article, dead, dam = versioned
    client = client_as("checker")
    changed = {c.pk for c in article.claims.filter(version_change__in=["changed", "new"])}
    assert dead.pk in changed
    response = client.get(reverse("dashboard:queue"), {"changed": "1", "view": "all"})
    html = response.content.decode()
    for claim in article.claims.all():
        link = f'href="{reverse("dashboard:claim", args=[claim.pk])}'
        assert (link in html) == (claim.pk in changed), claim.text
    assert 'name="changed" value="1"' in html and "Changed in version 2" in html
    everything = client.get(reverse("dashboard:queue"), {"view": "all"}).content.decode()
    assert "Removed in version 2" in everything


def test_the_api_filters_and_documents_version_changes(versioned):
    article, dead, dam = versioned
    api = client_with_token(checker(username="cat"))
    rows = api.get("/api/v1/claims/", {"changed": "1"}).json()["results"]
    ids = {row["id"] for row in rows}
    assert dead.pk in ids and dam.pk not in ids
    assert ids == set(
        article.claims.filter(version_change__in=["changed", "new"]).values_list("pk", flat=True)
    )
    doc = next(row for row in rows if row["id"] == dead.pk)
    assert doc["version_change"]["change"] == "changed"
    assert doc["version_change"]["version"] == 2
    assert "killed 12" in doc["version_change"]["previous_text"]
    removed = api.get(f"/api/v1/claims/{dam.pk}/").json()
    assert removed["version_change"]["change"] == "removed" and removed["missing_from_analysis"]


def test_until_a_new_version_is_analysed_its_claims_wait_apart(client_as, ingest_v1):
    """Version 2 stored, its analysis not run yet: the old claims are not
    highlighted in the new text (their offsets are version 1's); they are listed,
    waiting to be carried over."""
    article = ingest_v1
    result = article_ingest(text=V2)  # on-commit work not run: the analysis waits
    assert result.version == 2
    html = client_as("viewer").get(reverse("dashboard:article", args=[article.pk])).content
    html = html.decode()
    assert "data-claim=" not in html
    assert "carried over when the analysis of version 2 finishes" in html
    for claim in article.claims.all():
        assert f'id="claim-item-{claim.pk}"' in html


def test_the_api_ingest_answers_a_new_version(ingest_v1):
    api = client_with_token(editor(username="eve"))
    response = api.post("/api/v1/articles/", {"text": V2}, format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["created"] is False and body["version"] == 2
    assert body["article"]["id"] == ingest_v1.pk and body["article"]["version"] == 2
    again = api.post("/api/v1/articles/", {"text": V1}, format="json")
    assert again.status_code == 200 and again.json()["version"] is None


@pytest.fixture
def ingest_v1(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article = article_ingest(text=V1).article
    article.refresh_from_db()
    assert article.state == "analyzed" and article.claims.exists()
    return article


def test_the_admin_shows_versions_read_only(client_as, versioned):
    article, dead, _ = versioned
    client = client_as("editor")
    html = client.get(reverse("admin:claims_article_change", args=[article.pk])).content.decode()
    assert "Article versions" in html
    assert 'name="version"' not in html and 'name="corrections"' not in html
    html = client.get(reverse("admin:claims_claim_change", args=[dead.pk])).content.decode()
    assert "killed 12" in html  # the previous text, shown
    assert 'name="previous_text"' not in html and 'name="version_change"' not in html


@pytest.fixture
def verified_then_changed(django_capture_on_commit_callbacks):
    """A claim verified in version 1 whose figure version 2 changed ("killed 12" to
    "killed 14"): it keeps its verdict, and needs checking again."""
    ed = editor(username="ed")
    ingest = partial(_ingest_analysed, django_capture_on_commit_callbacks, ed)
    article = ingest(V1)
    dead = article.claims.get(text__contains="killed 12")
    claim_transition(claim=dead, to_status="in_progress", user=ed, expected_version=1)
    claim_transition(
        claim=dead, to_status="verified", user=ed, expected_version=2, note="Police count."
    )
    ingest(V2)
    dead.refresh_from_db()
    assert (dead.status, dead.version_change) == ("verified", "changed")
    assert "killed 14" in dead.text
    return article, dead


def test_changed_lists_a_verdict_whose_text_changed_in_every_tab(client_as, verified_then_changed):
    # A new-user trial: on the default Open tab, ?changed=1 hid the verified claim
    # whose figure the new version changed, the riskiest claim of the lot.
    article, dead = verified_then_changed
    client = client_as("checker")
    link = f'href="{reverse("dashboard:claim", args=[dead.pk])}'
    for view in ("", "open", "done", "all"):
        params = {"changed": "1", **({"view": view} if view else {})}
        html = client.get(reverse("dashboard:queue"), params).content.decode()
        assert link in html, view
        assert 'id="changed-note"' in html and "of every status</strong>, whatever the tab" in html
        assert "Changed in version 2" in html
    # Without it, the Open tab is open work only; with an explicit status, that status.
    assert link not in client.get(reverse("dashboard:queue")).content.decode()
    params = {"changed": "1", "status": "unstarted"}
    html = client.get(reverse("dashboard:queue"), params).content.decode()
    assert link not in html and "of the statuses chosen" in html


def test_the_api_changed_filter_lists_a_verdict_whose_text_changed(verified_then_changed):
    article, dead = verified_then_changed
    api = client_with_token(checker(username="cat"))
    for view in ("open", "done", "all"):
        rows = api.get("/api/v1/claims/", {"changed": "1", "view": view}).json()["results"]
        assert dead.pk in {row["id"] for row in rows}, view
    rows = api.get("/api/v1/claims/", {"view": "open"}).json()["results"]
    assert dead.pk not in {row["id"] for row in rows}
    rows = api.get("/api/v1/claims/", {"changed": "1", "status": "unstarted"}).json()["results"]
    assert dead.pk not in {row["id"] for row in rows}


def test_the_live_refresh_after_a_new_version_brings_the_versions_section(client_as, versioned):
    # Was: the page of a new version, open while its analysis ran, reloaded only
    # the text and the claims list when the analysis finished. The Versions
    # table went on saying "not analysed yet", the correction notices were
    # missing and "Claims not in the current version" listed every claim of
    # version 1 as "carried over when the analysis of version 2 finishes".
    article, dead, dam = versioned
    url = reverse("dashboard:article-text", args=[article.pk])
    html = client_as("checker").get(url, HTTP_HX_REQUEST="true").content.decode()
    section = re.search(r'<div id="article-versions"[^>]*hx-swap-oob="true"[^>]*>.*', html, re.S)
    assert section, "the refresh has no out-of-band Versions section"
    section = section.group()
    assert "1 changed, " in section and " 1 removed, " in section
    assert "not analysed yet" not in section
    assert 'id="corrections-h"' in section
    assert "Removed in version 2" in section and dam.text[:40] in section
    assert "carried over when the analysis" not in section


def test_a_claim_the_analysis_dismissed_is_not_said_to_wait_for_it(
    client_as, django_capture_on_commit_callbacks
):
    # Was: a claim version 2 removed that nobody had worked on, but whose
    # history held a change of the system's own (its priority raised for
    # repeats), is dismissed by the analysis, not deleted. Long after that
    # analysis had finished, "Claims not in the current version" still said of
    # it "from version 1: carried over when the analysis of version 2 finishes".
    from claims.models import ClaimChange

    ed = editor(username="ed")
    ingest = partial(_ingest_analysed, django_capture_on_commit_callbacks, ed)
    article = ingest(V1)
    dam = article.claims.get(text__contains="passed its last inspection")
    ClaimChange.objects.create(claim=dam, user=None, action="priority_raised")
    ingest(V2)
    dam.refresh_from_db()
    article.refresh_from_db()
    assert dam.status == "dismissed" and dam.text_version == 1 and article.version == 2
    html = client_as("checker").get(reverse("dashboard:article", args=[article.pk])).content
    item = re.search(rf'<li id="claim-item-{dam.pk}".*?</li>', html.decode(), re.S).group()
    assert "carried over when the analysis" not in item
    assert "not in version 2" in item


def test_working_a_removed_claim_in_the_panel_keeps_its_removed_flag(client_as, versioned):
    # Was: a comment on a claim version 2 removed, sent from the article page's
    # panel, sent back its list item out of band in the current text's format,
    # which replaced its entry under "Claims not in the current version": the
    # "Removed in version 2" flag was gone until the page was reloaded.
    article, dead, dam = versioned
    client = client_as("editor")
    url = reverse("dashboard:claim-comment", args=[dam.pk])
    response = client.post(
        url, {"body": "Still checking."}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="claim-panel"
    )
    html = response.content.decode()
    item = re.search(rf'<li id="claim-item-{dam.pk}" hx-swap-oob="outerHTML".*?</li>', html, re.S)
    assert item, "no list item out of band"
    assert "Removed in version 2" in item.group()


def _article_row(html: str, article) -> str:
    href = reverse("dashboard:article", args=[article.pk])
    return re.search(rf'<tr>\s*<td data-label="Title"><a href="{href}".*?</tr>', html, re.S).group()


def test_the_article_list_marks_an_updated_article_in_the_same_queries(client_as, versioned):
    """The list is in order of first ingest: an old story updated today stays where
    it was, so its row says it has a newer version, and when, from the same query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import dateformat, timezone

    from claims.models import ArticleVersion
    from tests.factories import ArticleFactory

    article, _, _ = versioned
    plain = ArticleFactory(title="Budget vote")
    client = client_as("checker")
    with CaptureQueriesContext(connection) as one:
        html = client.get(reverse("dashboard:articles")).content.decode()
    row = _article_row(html, article)
    latest = ArticleVersion.objects.get(article=article, number=2)
    anchor = reverse("dashboard:article", args=[article.pk]) + "#article-versions"
    assert f'<a class="version-badge" href="{anchor}">Version 2</a>' in row, row
    when = dateformat.format(timezone.localtime(latest.created_at), "c")
    assert f'datetime="{when}"' in row, row
    assert "version-badge" not in _article_row(html, plain)
    for n in range(5):  # more updated articles on the page: no query per row
        more = ArticleFactory(title=f"Storm {n}", version=3)
        ArticleVersion.objects.bulk_create(
            ArticleVersion(
                article=more,
                number=v,
                raw_text=f"v{v}",
                content_hash=f"{n}-{v}",
                created_at=timezone.now(),
            )
            for v in (1, 2, 3)
        )
    with CaptureQueriesContext(connection) as six:
        html = client.get(reverse("dashboard:articles")).content.decode()
    assert html.count('class="version-badge"') == 6
    assert len(six.captured_queries) == len(one.captured_queries)
