"""Every page renders for every role, and the pages need no inline script."""

import re

import pytest
from django.urls import reverse

from claims.models import AnalysisState
from claims.workflow import claim_transition

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
EVENT_ATTR = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def pages(claim):
    return [
        reverse("dashboard:queue"),
        reverse("dashboard:queue") + "?confidence_level=very_low&assignee=me&sort=score",
        reverse("dashboard:articles"),
        reverse("dashboard:article", args=[claim.article_id]),
        reverse("dashboard:article", args=[claim.article_id]) + f"?claim={claim.pk}",
        reverse("dashboard:claim", args=[claim.pk]),
        reverse("dashboard:claim-panel", args=[claim.pk]),
        reverse("dashboard:overview"),
        reverse("dashboard:account"),
    ]


@pytest.mark.parametrize("role", ["editor", "checker", "viewer"])
def test_every_page_renders_without_inline_script(client_as, claim, role):
    client = client_as(role)
    for url in pages(claim):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), url
        assert not EVENT_ATTR.search(html), url
        assert ' style="' not in html, url
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), (url, sorted(i for i in ids if ids.count(i) > 1))
        # Every form control has a label (or an aria-label).
        for control in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
            if 'type="hidden"' in control or 'type="submit"' in control:
                continue
            match = re.search(r'\sid="([^"]+)"', control)
            labelled = "aria-label=" in control or (
                match and f'<label for="{match.group(1)}"' in html
            )
            assert labelled, (url, control)


def test_pages_have_landmarks_and_skip_link(client_as, claim):
    html = client_as("viewer").get(reverse("dashboard:queue")).content.decode()
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html and '<nav aria-label="Main">' in html
    assert '<html lang="en">' in html
    assert "hx-headers='{&quot;X-CSRFToken&quot;" in html or "X-CSRFToken" in html


def test_state_partial_polls_until_finished_then_triggers_the_text(client_as, claim):
    client = client_as("viewer")
    article = claim.article
    article.state = AnalysisState.QUEUED
    article.save()
    page = client.get(reverse("dashboard:article", args=[article.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert 'role="status" aria-live="polite"' in page

    url = reverse("dashboard:article-state", args=[article.pk])
    htmx = {"HTTP_HX_REQUEST": "true"}
    assert client.get(url, {"shown": "queued"}, **htmx).status_code == 204
    article.state = AnalysisState.RUNNING
    article.save()
    running = client.get(url, {"shown": "queued"}, **htmx)
    assert running.status_code == 200 and "Running" in running.content.decode()
    assert "HX-Trigger" not in running
    article.state = AnalysisState.ANALYZED
    article.save()
    done = client.get(url, {"shown": "running"}, **htmx)
    assert "Analysed" in done.content.decode()
    assert done["HX-Trigger"] == "analysis-finished"
    assert 'hx-trigger="every 2s"' not in done.content.decode()


def test_failed_analysis_shows_its_error(client_as, claim):
    article = claim.article
    article.state, article.error = AnalysisState.FAILED, "ValueError: the parser gave up"
    article.save()
    html = client_as("viewer").get(reverse("dashboard:article", args=[article.pk])).content
    assert b"The analysis failed: ValueError: the parser gave up" in html


def test_a_failed_article_without_claims_does_not_say_none_were_found(client_as, db):
    # Was: a URL article whose page could not be fetched showed "Analysis: Failed
    # The analysis failed: Could not connect to the server" and, under it, "The
    # analysis found no claims in this article.", as if it had read the story.
    from tests.factories import ArticleFactory

    article = ArticleFactory(
        state=AnalysisState.FAILED, error="Could not connect to the server (connection refused)."
    )
    for name in ("dashboard:article", "dashboard:article-text"):
        html = client_as("viewer").get(reverse(name, args=[article.pk])).content.decode()
        assert "The analysis found no claims" not in html
        assert "No claims: the analysis did not finish." in html


def test_the_article_list_names_an_untitled_url_articles_address(client_as, db):
    # Was: every URL article whose page could not be fetched (no title) was
    # listed as "Untitled article", and nothing told the desk which page it was.
    from tests.factories import ArticleFactory

    ArticleFactory(title="", source_url="https://news.example/2026/12/01/dam-report", raw_text="")
    html = client_as("viewer").get(reverse("dashboard:articles")).content.decode()
    assert "Untitled article" in html
    assert "https://news.example/2026/12/01/dam-report" in html


def test_article_text_region_partial(client_as, claim):
    html = client_as("viewer").get(reverse("dashboard:article-text", args=[claim.article_id]))
    body = html.content.decode()
    assert 'id="article-body"' in body and f'data-claim="{claim.pk}"' in body
    assert "<html" not in body


def test_claimreview_for_a_verdict(client_as, claim):
    boss = client_as("editor")
    claim_transition(claim=claim, to_status="in_progress", user=boss.user, expected_version=1)
    claim_transition(
        claim=claim, to_status="false", user=boss.user, note="Records show 12.", expected_version=2
    )
    # Without the published fact-check there is no ClaimReview, and the page says why.
    html = boss.get(reverse("dashboard:claim", args=[claim.pk])).content.decode()
    assert "needs the published fact-check" in html and '<pre class="json"' not in html
    refused = boss.get(reverse("dashboard:claim-review", args=[claim.pk]))
    assert refused.status_code == 422 and "public URL" in refused.content.decode()
    saved = boss.post(
        reverse("dashboard:claim-publish", args=[claim.pk]),
        {
            "version": 3,
            "public_url": "https://factcheck.example/records",
            "public_summary": "Twelve, say the records.",
        },
    )
    assert saved.status_code == 302
    html = boss.get(reverse("dashboard:claim", args=[claim.pk])).content.decode()
    assert "ClaimReview" in html and "&quot;@context&quot;: &quot;https://schema.org&quot;" in html
    download = boss.get(reverse("dashboard:claim-review", args=[claim.pk]))
    assert download["Content-Type"].startswith("application/ld+json")
    assert "attachment" in download["Content-Disposition"]
    review = download.json()
    assert review["reviewRating"]["ratingExplanation"] == "Twelve, say the records."
    assert review["url"] == "https://factcheck.example/records"
    assert "Records show 12." not in download.content.decode()  # the internal note


def test_claimreview_download_needs_a_verdict(client_as, claim):
    response = client_as("viewer").get(reverse("dashboard:claim-review", args=[claim.pk]))
    assert response.status_code == 404


def test_history_timeline(client_as, claim):
    worker = client_as("checker")
    claim_transition(claim=claim, to_status="in_progress", user=worker.user, expected_version=1)
    html = worker.get(reverse("dashboard:claim", args=[claim.pk])).content.decode()
    assert 'class="timeline"' in html
    assert "Status: Unstarted → In progress" in html


@pytest.mark.parametrize("name", ["queue", "claim", "article"])
def test_pages_that_change_in_place_are_not_kept_for_back_and_forward(client_as, claim, name):
    """no-store: Chromium showed its copy from before an htmx save on Back/Forward."""
    args = {"queue": [], "claim": [claim.pk], "article": [claim.article_id]}[name]
    response = client_as("checker").get(reverse(f"dashboard:{name}", args=args))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
