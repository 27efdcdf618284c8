"""A ClaimReview is pasted into a public page's <script type="application/ld+json">:
no title, quote or verdict note can close that element or open a comment in it."""

import json

import pytest
from django.test import Client

from claims.workflow import claim_publish, claim_transition
from tests.factories import ArticleFactory, ClaimFactory, editor

HOSTILE = '</script><script>alert(1)</script><!-- & \u2028 "quoted"'


@pytest.fixture
def claim(db):
    article = ArticleFactory(title=f"Dam report {HOSTILE}", author=HOSTILE)
    claim = ClaimFactory(article=article, source_text=HOSTILE)
    user = editor()
    claim_transition(claim=claim, to_status="in_progress", user=user, expected_version=1)
    claim_transition(
        claim=claim, to_status="false", user=user, note="Internal rationale.", expected_version=2
    )
    claim_publish(
        claim=claim,
        user=user,
        expected_version=3,
        public_url="https://factcheck.example/dam",
        public_summary=f"Refuted {HOSTILE}",
    )
    return claim


def assert_script_safe(body: bytes) -> dict:
    for raw in (b"<", b">", b"&", "\u2028".encode()):
        assert raw not in body, raw
    document = json.loads(body)
    reviews = document.get("@graph", [document])
    # The text survives, only written differently.
    assert [r["reviewRating"]["ratingExplanation"] for r in reviews] == [f"Refuted {HOSTILE}"]
    return document


@pytest.mark.parametrize("accept", ["application/json", "application/ld+json"])
def test_the_api_escapes_claim_reviews(api_as, claim, accept):
    api = api_as("viewer")
    for url in (
        f"/api/v1/claims/{claim.pk}/claimreview/",
        f"/api/v1/articles/{claim.article_id}/claimreview/",
    ):
        response = api.get(url, HTTP_ACCEPT=accept)
        assert response.status_code == 200 and response["Content-Type"].startswith(accept)
        assert_script_safe(response.content)


def test_the_public_summary_is_in_the_document(api_as, claim):
    body = api_as("viewer").get(f"/api/v1/claims/{claim.pk}/claimreview/").content
    document = assert_script_safe(body)
    assert document["reviewRating"]["ratingExplanation"] == f"Refuted {HOSTILE}"


def test_the_dashboard_download_and_page_escape_it(claim):
    client = Client()
    client.force_login(editor())
    download = client.get(f"/claims/{claim.pk}/claimreview.json")
    assert download.status_code == 200
    assert_script_safe(download.content)
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    shown = page.split(f'id="review-json-{claim.pk}"')[1].split("</pre>")[0]
    assert "\\u003c/script\\u003e" in shown and "</script" not in shown
