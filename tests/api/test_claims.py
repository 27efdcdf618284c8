"""GET /api/v1/claims/ (filters, ordering, cursor pages) and a claim's detail,
history, evidence and transitions."""

import base64
import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from claims.filters import SEARCH_MAX
from claims.models import ClaimChange, Evidence, HedgeCue, StatusChange
from claims.workflow import claim_transition
from tests.api.conftest import error_of
from tests.factories import ArticleFactory, ClaimFactory, checker, editor

pytestmark = pytest.mark.django_db
URL = "/api/v1/claims/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [c["id"] for c in response.json()["results"]]


@pytest.fixture
def claims():
    article = ArticleFactory()
    other = ArticleFactory()
    high = ClaimFactory(
        article=article, confidence_score=0.9, confidence_level="high", checkworthiness=0.2
    )
    low = ClaimFactory(
        article=article,
        confidence_score=0.34,
        confidence_level="low",
        source_type="unnamed",
        sourcing_strength="weak",
        source_text="activists",
        kind="quantity",
        checkworthiness=0.9,
    )
    very_low = ClaimFactory(
        article=other,
        confidence_score=0.19,
        confidence_level="very_low",
        source_type="none",
        sourcing_strength="none",
        source_text="",
        status="in_progress",
        checkworthiness=0.5,
    )
    HedgeCue.objects.create(claim=low, text="as many as", category="approximator", start=0, end=10)
    unscored = ClaimFactory(article=other, confidence_score=None, confidence_level="")
    return {
        "high": high,
        "low": low,
        "very_low": very_low,
        "unscored": unscored,
        "article": article,
        "other": other,
    }


def test_default_order_is_worst_first_unscored_last(api_as, claims):
    got = ids(api_as("viewer").get(URL))
    c = claims
    assert got == [c["very_low"].pk, c["low"].pk, c["high"].pk, c["unscored"].pk]


@pytest.mark.parametrize(
    "ordering, expected",
    [
        ("-confidence_score", ["high", "low", "very_low", "unscored"]),
        ("checkworthiness", ["unscored", "high", "very_low", "low"]),
        ("-checkworthiness", ["low", "very_low", "high", "unscored"]),
        ("created", ["high", "low", "very_low", "unscored"]),
        ("-created", ["unscored", "very_low", "low", "high"]),
    ],
)
def test_orderings(api_as, claims, ordering, expected):
    got = ids(api_as("viewer").get(URL, {"ordering": ordering}))
    assert got == [claims[name].pk for name in expected]


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"confidence_level": "very_low"}, ["very_low"]),
        ({"confidence_level": ["very_low", "low"]}, ["very_low", "low"]),
        ({"status": "in_progress"}, ["very_low"]),
        ({"source_type": "unnamed"}, ["low"]),
        ({"sourcing_strength": "strong"}, ["high", "unscored"]),
        ({"hedge_category": "approximator"}, ["low"]),
        ({"kind": "quantity"}, ["low"]),
        ({"assignee": "none", "confidence_level": "high"}, ["high"]),
        ({"q": "activists"}, ["low"]),
    ],
)
def test_filters(api_as, claims, params, expected):
    got = ids(api_as("viewer").get(URL, params))
    assert got == [claims[name].pk for name in expected]


def test_article_filter(api_as, claims):
    got = ids(api_as("viewer").get(URL, {"article": claims["other"].pk}))
    assert got == [claims["very_low"].pk, claims["unscored"].pk]


def test_assignee_me(api_as, claims):
    user = checker()
    claims["low"].assignee = user
    claims["low"].save()
    assert ids(api_as(user).get(URL, {"assignee": "me"})) == [claims["low"].pk]
    assert ids(api_as("viewer").get(URL, {"assignee": "me"})) == []
    assert ids(api_as("viewer").get(URL, {"assignee": user.username})) == [claims["low"].pk]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"confidence_level": "terrible"}, "confidence_level"),
        ({"article": "abc"}, "article"),
        ({"article": "999999"}, "article"),
        ({"ordering": "text"}, "ordering"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "100000"}, "page_size"),
        ({"page_size": "9" * 5000}, "page_size"),  # int() raises past 4,300 digits: a 500
        ({"cursor": "not-a-cursor"}, "cursor"),
        # Were ignored (every claim returned): a mistyped yes/no is no "any".
        ({"changed": "abc"}, "changed"),
        ({"overdue": "abc"}, "overdue"),
        ({"overdue": "2"}, "overdue"),
        # Were read as decimals: source_id=1.5 listed source 1's claims, repeats_min=1.5
        # counted as 1.5, where the schema promises whole numbers.
        ({"source_id": "1.5"}, "source_id"),
        ({"source_id": "1e2"}, "source_id"),
        ({"repeats_min": "1.5"}, "repeats_min"),
    ],
)
def test_bad_filter_values_are_400(api_as, claims, params, field):
    error = error_of(api_as("viewer").get(URL, params))
    assert error["code"] == "invalid"
    assert field in error["details"]


@pytest.mark.parametrize("value", ["999999", "abc"])
def test_an_article_that_is_not_there_is_named_in_the_400(api_as, claims, value):
    """Said "Select a valid choice. That choice is not one of the available
    choices.": a script could not tell a deleted article from a typo in the name."""
    error = error_of(api_as("viewer").get(URL, {"article": value}))
    assert error["code"] == "invalid"
    assert error["details"]["article"] == [f"There is no article with id {value}."]


def test_unknown_query_parameter_is_400_and_lists_the_allowed_ones(api_as, claims):
    r = api_as("viewer").get(URL, {"confidence": "low"})  # a typo of confidence_level
    assert r.status_code == 400
    error = error_of(r)
    assert list(error["details"]) == ["confidence"]
    for name in ("confidence_level", "status", "assignee", "q", "ordering", "cursor", "page_size"):
        assert name in error["message"]


def test_cursor_pages_walk_every_claim_once_through_ties(api_as):
    # 23 claims with only two distinct scores and checkworthiness: ties everywhere.
    article = ArticleFactory()
    made = [
        ClaimFactory(article=article, confidence_score=0.5 if i % 2 else 0.9, checkworthiness=0.1)
        for i in range(23)
    ]
    client = api_as("viewer")
    seen, pages, url = [], [], URL + "?page_size=5"
    while url:
        r = client.get(url)
        assert r.status_code == 200
        pages.append(r.json())
        seen += [c["id"] for c in r.json()["results"]]
        url = r.json()["next"]
    assert len(seen) == 23 and set(seen) == {c.pk for c in made}
    assert len(pages) == 5 and pages[0]["previous"] is None
    # Walking back from the last page gives the same pages in reverse.
    back, url = [], pages[-1]["previous"]
    while url:
        r = client.get(url).json()
        back = [c["id"] for c in r["results"]] + back
        url = r["previous"]
    assert back == seen[: -len(pages[-1]["results"])]


def test_a_cursor_of_another_ordering_is_refused(api_as):
    ClaimFactory.create_batch(3)
    next_url = api_as("viewer").get(URL, {"page_size": 1}).json()["next"]
    r = api_as("viewer").get(next_url.replace("page_size=1", "page_size=1&ordering=created"))
    assert error_of(r)["details"].keys() == {"cursor"}


def _token(data) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


FORGED_CURSORS = {  # the ordering, and what the token holds
    "nested": ("confidence_score", b"[" * 1000 + b"]" * 1000),
    "huge number": ("confidence_score", {"o": "confidence_score", "p": [10**400, 0.5, 3]}),
    "before year 1": ("created", {"o": "created", "p": ["0001-01-01T00:00:00+14:00", 3]}),
    "after year 9999": ("created", {"o": "created", "p": ["9999-12-31T23:59:59-14:00", 3]}),
}


@pytest.mark.parametrize("name", FORGED_CURSORS)
def test_a_forged_cursor_is_a_400_not_an_error(api_as, name):
    ArticleFactory.create_batch(2)
    ClaimFactory.create_batch(2)
    ordering, data = FORGED_CURSORS[name]
    if isinstance(data, dict):
        data = {**data, "b": False}
    r = api_as("viewer").get(URL, {"ordering": ordering, "cursor": _token(data)})
    assert r.status_code == 400 and error_of(r)["details"].keys() == {"cursor"}
    if isinstance(data, dict) and ordering == "created":  # articles page by -created
        cursor = _token({**data, "o": "-created"})
        r = api_as("viewer").get("/api/v1/articles/", {"cursor": cursor})
        assert r.status_code == 400 and error_of(r)["details"].keys() == {"cursor"}


def test_page_size_has_a_maximum(api_as, settings):
    settings.API_MAX_PAGE_SIZE = 3
    ClaimFactory.create_batch(4)
    assert len(ids(api_as("viewer").get(URL, {"page_size": 3}))) == 3
    assert api_as("viewer").get(URL, {"page_size": 4}).status_code == 400


def test_detail_has_source_hedges_reasons_status_history_evidence(api_as, claims):
    claim = claims["low"]
    claim.confidence_reasons = ["unnamed source", "approximator"]
    claim.save()
    user = editor()
    claim_transition(claim=claim, to_status="in_progress", user=user, expected_version=1)
    Evidence.objects.create(claim=claim, url="https://example.org/a", note="n", added_by=user)
    ClaimChange.objects.create(
        claim=claim, user=user, action="evidence", changes={"url": [None, "x"]}
    )
    body = api_as(user).get(f"{URL}{claim.pk}/").json()
    assert body["source"] == {
        "text": "activists",
        "type": "unnamed",
        "role": "",
        "verb": "",
        "mention": "",
        "via": "",
        "relayed": False,
        "start": None,
        "end": None,
    }
    assert body["hedges"] == [
        {"text": "as many as", "category": "approximator", "start": 0, "end": 10}
    ]
    assert body["confidence"] == {
        "score": 0.34,
        "level": "low",
        "reasons": ["unnamed source", "approximator"],
    }
    assert body["status"] == "in_progress" and body["version"] == 2
    assert body["evidence"][0]["url"] == "https://example.org/a"
    assert body["evidence"][0]["added_by"] == "editor"
    # Starting an unassigned claim took it: recorded as an assignment.
    assert [e["kind"] for e in body["history"]] == ["status", "assigned", "evidence"]
    assert body["assignee"] == "editor"
    assert body["history"][0]["from_status"] == "unstarted"
    assert body["history"][0]["to_status"] == "in_progress"
    assert body["history"][0]["user"] == "editor"
    assert set(body["allowed_transitions"]) == {
        "unstarted",
        "dismissed",
        "verified",
        "false",
        "misleading",
        "inconclusive",
    }
    assert body["sentence"] == {"start": claim.sentence_start, "end": claim.sentence_end}


def test_unscored_claim_has_null_confidence(api_as, claims):
    body = api_as("viewer").get(f"{URL}{claims['unscored'].pk}/").json()
    assert body["confidence"] == {"score": None, "level": None, "reasons": []}


def test_history_endpoint(api_as, claims):
    claim = claims["high"]
    claim_transition(claim=claim, to_status="in_progress", user=editor(), expected_version=1)
    claim_transition(
        claim=claim, to_status="verified", user=editor(), note="ok", expected_version=2
    )
    body = api_as("viewer").get(f"{URL}{claim.pk}/history/").json()
    assert [(e["from_status"], e["to_status"], e["note"]) for e in body] == [
        ("unstarted", "in_progress", ""),
        (None, None, "Taken on start."),
        ("in_progress", "verified", "ok"),
    ]


def test_add_evidence(api_as, claims):
    claim = claims["high"]
    r = api_as("checker").post(
        f"{URL}{claim.pk}/evidence/",
        {"url": "https://example.org/doc", "note": "minutes"},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["url"] == "https://example.org/doc" and r.json()["added_by"] == "checker"
    assert claim.evidence.get().note == "minutes"
    assert ClaimChange.objects.get(claim=claim).action == "evidence"


@pytest.mark.parametrize(
    "who, body, status",
    [
        ("viewer", {"url": "https://example.org/doc"}, 403),
        ("checker", {"url": "javascript:alert(1)"}, 400),
        ("checker", {"url": "ftp://example.org/x"}, 400),
        ("checker", {"note": "no url"}, 400),
        ("checker", {"url": ["https://example.org"]}, 400),
    ],
)
def test_evidence_refused_stores_nothing(api_as, claims, who, body, status):
    r = api_as(who).post(f"{URL}{claims['high'].pk}/evidence/", body, format="json")
    assert r.status_code == status
    error_of(r)
    assert not Evidence.objects.exists() and not ClaimChange.objects.exists()


def test_transition_returns_the_updated_claim(api_as, claims):
    claim = claims["high"]
    r = api_as("checker").post(
        f"{URL}{claim.pk}/transitions/", {"to": "in_progress", "version": 1}, format="json"
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "in_progress" and body["version"] == 2
    start = [e for e in body["history"] if e["kind"] == "status"][-1]
    assert (start["to_status"], start["user"]) == ("in_progress", "checker")
    assert body["assignee"] == "checker"  # starting an unassigned claim takes it


def test_giving_back_over_the_api_unassigns_the_claim(api_as, claims):
    claim, client = claims["high"], api_as("checker")
    url = f"{URL}{claim.pk}/transitions/"
    assert client.post(url, {"to": "in_progress", "version": 1}, format="json").status_code == 200
    r = client.post(url, {"to": "unstarted", "version": 2}, format="json")
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["assignee"]) == ("unstarted", None)


def test_transition_stale_version_is_409(api_as, claims):
    claim = claims["high"]
    client = api_as("editor")
    assert (
        client.post(
            f"{URL}{claim.pk}/transitions/", {"to": "in_progress", "version": 1}, format="json"
        ).status_code
        == 200
    )
    r = client.post(
        f"{URL}{claim.pk}/transitions/", {"to": "dismissed", "version": 1}, format="json"
    )
    assert r.status_code == 409
    assert error_of(r)["code"] == "stale_version"
    claim.refresh_from_db()
    assert claim.status == "in_progress" and StatusChange.objects.count() == 1


def test_a_stale_version_gives_the_current_version_in_its_details(api_as, claims):
    """The 409's details were {}: a script had to read the version out of the
    message's prose to know what it had missed."""
    claim = claims["high"]
    client = api_as("editor")
    client.post(f"{URL}{claim.pk}/transitions/", {"to": "in_progress", "version": 1}, format="json")
    client.patch(f"{URL}{claim.pk}/", {"version": 2, "priority": 1}, format="json")
    r = client.patch(f"{URL}{claim.pk}/", {"version": 1, "priority": 2}, format="json")
    assert r.status_code == 409
    assert error_of(r)["details"] == {"version": 3, "your_version": 1}


def test_verdict_without_note_is_400_note_required(api_as, claims):
    claim = claims["very_low"]  # in progress
    r = api_as("editor").post(
        f"{URL}{claim.pk}/transitions/", {"to": "false", "version": 1}, format="json"
    )
    assert r.status_code == 400
    error = error_of(r)
    assert error["code"] == "note_required" and "rationale" in error["message"]
    assert not StatusChange.objects.exists()


@pytest.mark.postgres
def test_q_is_full_text_search_on_postgres(api_as):
    killed = ClaimFactory(text="hundreds of people had been killed", source_text="activists")
    ClaimFactory(text="the dam passed its inspection")
    assert ids(api_as("viewer").get(URL, {"q": "killing"})) == [killed.pk]  # stemmed
    assert ids(api_as("viewer").get(URL, {"q": "people -dam"})) == [killed.pk]  # web syntax


@pytest.mark.parametrize("value", ["1", "true", "Yes", "on", "0", "false", "No", "off"])
def test_yes_no_filters_take_the_usual_spellings(api_as, claims, value):
    for name in ("changed", "overdue"):
        assert api_as("viewer").get(URL, {name: value}).status_code == 200


def test_a_bad_yes_no_value_says_what_is_allowed(api_as, claims):
    error = error_of(api_as("viewer").get(URL, {"changed": "abc"}))
    assert error["details"]["changed"] == ["Must be 1 or 0 (or true or false), not abc."]


def test_a_search_past_its_length_is_a_400_everywhere(api_as):
    """On SQLite a LIKE pattern past 50,000 bytes was an error: a 500."""
    ClaimFactory.create_batch(2)
    client = api_as("editor")
    long = "a" * 49999
    for url in (URL, f"{URL}export.csv", "/api/v1/sources/", "/api/v1/factchecks/"):
        r = client.get(url, {"q": long})
        assert r.status_code == 400, url
        assert error_of(r)["details"].keys() == {"q"}, url
        assert client.get(url, {"q": "a" * 200}).status_code == 200, url


@pytest.mark.parametrize(
    "path",
    ["/api/v1/claims/", "/api/v1/claims/export.csv", "/api/v1/factchecks/", "/api/v1/sources/"],
)
def test_the_schema_gives_every_search_its_length_limit(api_as, path):
    """q past 200 characters is a 400 on every list, and the schema said only
    "string": a generated client's own checks let it through."""
    schema = api_as("viewer").get("/api/schema/", {"format": "json"}).json()
    (q,) = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == "q"]
    assert q["schema"] == {"type": "string", "maxLength": SEARCH_MAX}
    assert q.get("description")
    too_long = api_as("viewer").get(path, {"q": "x" * (SEARCH_MAX + 1)})
    assert too_long.status_code == 400 and "q" in error_of(too_long)["details"]


def test_the_schema_says_the_id_and_count_filters_are_whole_numbers(api_as):
    schema = api_as("viewer").get("/api/schema/", {"format": "json"}).json()
    params = schema["paths"][URL]["get"]["parameters"]
    types = {p["name"]: p["schema"]["type"] for p in params}
    assert types["source_id"] == "integer"
    assert types["repeats_min"] == "integer"


def test_a_bad_public_url_is_not_called_an_evidence_link(api_as, claims):
    """PATCH public_url "javascript:..." said "Evidence links must be web addresses
    ...": the published fact-check's address is no evidence link."""
    claim = claims["high"]
    r = api_as("editor").patch(
        f"{URL}{claim.pk}/",
        {"version": claim.version, "public_url": "ftp://x.example/a"},
        format="json",
    )
    error = error_of(r)
    assert list(error["details"]) == ["public_url"]
    assert "Evidence" not in error["message"]
    assert "http:// or https://" in error["message"] and "not ftp://" in error["message"]


@pytest.mark.parametrize(
    "path, body",
    [
        ("evidence/", {"url": "https://example.org/" + "x" * 2000}),
        ("", {"version": 1, "public_url": "https://example.org/" + "x" * 2000}),
    ],
)
def test_a_link_too_long_is_said_once(api_as, claims, path, body):
    """Said twice: "The link is longer than 2000 characters." and DRF's "Ensure this
    field has no more than 2000 characters." for the same link."""
    client = api_as("editor")
    url = f"{URL}{claims['high'].pk}/{path}"
    r = client.post(url, body, format="json") if path else client.patch(url, body, format="json")
    (field,) = error_of(r)["details"]
    assert error_of(r)["details"][field] == ["The link is longer than 2000 characters."]


def test_the_schema_keeps_the_length_of_a_link(api_as):
    schema = api_as("viewer").get("/api/schema/", {"format": "json"}).json()["components"]
    assert schema["schemas"]["EvidenceInputRequest"]["properties"]["url"]["maxLength"] == 2000
    assert (
        schema["schemas"]["PatchedClaimUpdateInputRequest"]["properties"]["public_url"]["maxLength"]
        == 2000
    )


def test_the_readme_error_example_has_the_details_a_stale_version_gives(api_as, claims):
    """The README's one example of the error shape is a stale_version; it showed
    "details": {} after the 409 began to give the versions there."""
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    example = re.search(r'`(\{"error": \{"code": "stale_version".*?\}\}\})`', readme)
    assert example, "the README's error example is missing or changed shape"
    shown = json.loads(example.group(1).replace("...", ""))["error"]["details"]
    claim = claims["high"]
    client = api_as("editor")
    client.post(f"{URL}{claim.pk}/transitions/", {"to": "in_progress", "version": 1}, format="json")
    r = client.post(
        f"{URL}{claim.pk}/transitions/", {"to": "dismissed", "version": 1}, format="json"
    )
    assert r.status_code == 409
    assert set(shown) == set(error_of(r)["details"])
