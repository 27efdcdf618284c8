"""Real answers, over real HTTP (a live server), checked against the OpenAPI schema the
app serves: what a client generated from /api/schema/ would parse.

The schemathesis run (test_schema.py) sends random requests to a small seeded
database, which has no imported fact-check and no decided match: these tests make
those rows the way a user does, through the API, and validate what comes back.
"""

import pytest
import requests
import schemathesis

from claims.models import ClaimMatch
from claims.tokens import token_create
from tests.factories import ArticleFactory, ClaimFactory, editor
from tracker.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

REVIEW = {
    "@context": "https://schema.org",
    "@type": "ClaimReview",
    "url": "https://factcheck.example/bridge",
    "claimReviewed": "The bridge was safe.",
    "reviewRating": {
        "@type": "Rating",
        "ratingValue": 1,
        "bestRating": 5,
        "alternateName": "False",
    },
    "author": {"@type": "Organization", "name": "Example Checks"},
    "datePublished": "2026-11-01",
}


@pytest.fixture
def api(live_server, transactional_db):
    _, key = token_create(user=editor())
    session = requests.Session()
    session.headers["Authorization"] = f"Token {key}"
    session.base = live_server.url
    return session


def valid(path: str, method: str, response: requests.Response) -> requests.Response:
    schema[path][method].validate_response(response)
    return response


def test_an_imported_fact_check_has_no_claim_and_the_schema_says_so(api):
    imported = api.post(f"{api.base}/api/v1/factchecks/import/", json=REVIEW)
    assert imported.status_code == 200, imported.text
    listed = valid("/api/v1/factchecks/", "GET", api.get(f"{api.base}/api/v1/factchecks/"))
    assert [row["claim"] for row in listed.json()["results"]] == [None]


@pytest.fixture
def suggested(api):
    """A claim with a suggested (undecided) match to a claim of another article."""
    claim = ClaimFactory(article=ArticleFactory())
    other = ClaimFactory(article=ArticleFactory())
    match = ClaimMatch.objects.create(claim=claim, matched_claim=other, score=0.9, spans=[])
    return claim, match


def test_an_undecided_match_has_no_decision_time_and_the_schema_says_so(api, suggested):
    claim, _ = suggested
    url = f"{api.base}/api/v1/claims/{claim.pk}/matches/"
    matches = valid("/api/v1/claims/{id}/matches/", "GET", api.get(url))
    assert [(m["state"], m["decided_at"]) for m in matches.json()] == [("suggested", None)]


@pytest.mark.parametrize("decision", ["confirm", "reject"])
def test_deciding_a_match_answers_the_list_the_schema_describes(api, suggested, decision):
    claim, match = suggested
    url = f"{api.base}/api/v1/claims/{claim.pk}/matches/{match.pk}/{decision}/"
    answer = api.post(url, json={"note": "Same figure, same speaker."})
    assert answer.status_code == 200, answer.text
    valid(f"/api/v1/claims/{{id}}/matches/{{match_id}}/{decision}/", "POST", answer)
    # The answer is the claim's matches, as GET .../matches/ lists them: a list.
    assert [m["state"] for m in answer.json()] == [f"{decision}ed"]
    operation = schema[f"/api/v1/claims/{{id}}/matches/{{match_id}}/{decision}/"]["POST"]
    assert {p.name for p in operation.query} == set()  # no list filters on a decision
