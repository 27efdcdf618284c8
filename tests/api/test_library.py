"""/api/v1/factchecks/ (list, import) and /api/v1/sources/ (list, detail), for
every role."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from claims.models import FactCheck
from claims.services.sources import sources_resolve
from tests.api.conftest import error_of
from tests.factories import ClaimFactory
from tests.services.test_factcheck_import import review

pytestmark = pytest.mark.django_db

LIST = "/api/v1/factchecks/"
IMPORT = "/api/v1/factchecks/import/"


def test_editors_import_a_json_body_and_everyone_lists(api_as):
    response = api_as("editor").post(IMPORT, [review(1), review(2)], format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "created": 2,
        "updated": 0,
        "skipped_ours": 0,
        "documents": 1,
        "total": 2,
    }
    again = api_as("editor").post(IMPORT, [review(1), review(2)], format="json")
    assert again.json()["updated"] == 2 and FactCheck.objects.count() == 2
    for role in ("viewer", "checker", "editor"):
        listed = api_as(role).get(LIST)
        assert listed.status_code == 200
        assert {r["url"] for r in listed.json()["results"]} == {
            "https://factcheck.example/reviews/1",
            "https://factcheck.example/reviews/2",
        }


@pytest.mark.parametrize("role", ["viewer", "checker"])
def test_other_roles_cannot_import(api_as, role):
    response = api_as(role).post(IMPORT, [review(1)], format="json")
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"
    assert not FactCheck.objects.exists()


def test_anonymous_gets_401(anon):
    assert anon.get(LIST).status_code == 401
    assert anon.post(IMPORT, [review(1)], format="json").status_code == 401
    assert anon.get("/api/v1/sources/").status_code == 401


def test_an_uploaded_json_lines_file(api_as):
    lines = "\n".join(json.dumps(review(n)) for n in range(3)).encode()
    upload = SimpleUploadedFile("feed.jsonl", lines, content_type="application/x-ndjson")
    response = api_as("editor").post(IMPORT, {"file": upload}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 3


def test_a_broken_upload_is_400_line_by_line_and_writes_nothing(api_as):
    body = json.dumps(review(1)) + "\n{oops\n" + json.dumps(review(3, url="ftp://x")) + "\n"
    upload = SimpleUploadedFile("feed.jsonl", body.encode())
    response = api_as("editor").post(IMPORT, {"file": upload}, format="multipart")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_claimreviews"
    problems = error["details"]["problems"]
    assert [(p["document"], p["where"]) for p in problems] == [
        ("feed.jsonl", "line 2"),
        ("feed.jsonl", "line 3"),
    ]
    assert "not valid JSON" in problems[0]["reason"]
    assert "is not an http" in problems[1]["reason"]
    assert not FactCheck.objects.exists()


def test_an_empty_body_is_a_clear_400(api_as):
    response = api_as("editor").post(IMPORT, {}, format="json")
    assert response.status_code == 400
    assert "ClaimReview" in error_of(response)["message"]


def test_the_list_filters_and_pages(api_as):
    other = review(3, author={"name": "Other Desk"}, reviewRating={"alternateName": "True"})
    api_as("editor").post(IMPORT, [review(1), review(2), other], format="json")
    client = api_as("viewer")
    by_publisher = client.get(LIST, {"publisher": "other desk"}).json()["results"]
    assert [r["publisher"] for r in by_publisher] == ["Other Desk"]
    by_rating = client.get(LIST, {"rating": "mostly false"}).json()["results"]
    assert len(by_rating) == 2
    by_words = client.get(LIST, {"q": "inspection (2)"}).json()["results"]
    assert [r["url"][-1] for r in by_words] == ["2"]
    first = client.get(LIST, {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1
    assert client.get(LIST, {"publsher": "x"}).status_code == 400


def test_sources_list_and_detail_with_the_record(api_as, django_assert_max_num_queries):
    claims = [
        ClaimFactory(source_text="Syrian Observatory", source_type="named_organization", status=s)
        for s in ["verified"] * 8 + ["false", "dismissed", "unstarted"]
    ]
    ClaimFactory(source_text="officials", source_type="government")
    sources_resolve(claim_ids=[c.pk for c in claims])
    for role in ("viewer", "checker", "editor"):
        client = api_as(role)
        listed = client.get("/api/v1/sources/").json()["results"]
        assert [(s["name"], s["claims"]) for s in listed] == [("Syrian Observatory", 11)]
        with django_assert_max_num_queries(12):
            detail = client.get(listed[0]["url"])
        assert detail.status_code == 200
        body = detail.json()
        assert body["record"] == {
            "claims": 11,
            "verdicts": 9,
            "verified": 8,
            "false": 1,
            "misleading": 0,
            "inconclusive": 0,
            "dismissed": 1,
        }
        assert body["aliases"] == ["Syrian Observatory"]
        assert sum(m["claims"] for m in body["hedging"]) == 11
    assert api_as("viewer").get("/api/v1/sources/", {"q": "observ"}).json()["results"]
    assert not api_as("viewer").get("/api/v1/sources/", {"q": "nobody"}).json()["results"]
    assert api_as("viewer").get("/api/v1/sources/999999/").status_code == 404


DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(
    ("name", "content", "where"),
    [
        ("deep.json", DEEP, "line 1, column 1"),
        ("deep.jsonl", json.dumps(review(1)).encode() + b"\n" + DEEP + b"\n", "line 2"),
        (
            "deep.html",
            b'<html><body><script type="application/ld+json">' + b"[" * 50_000 + b"</script>",
            "script 1",
        ),
    ],
    ids=["json", "json-lines", "html"],
)
def test_a_deeply_nested_upload_is_400_and_writes_nothing(api_as, name, content, where):
    upload = SimpleUploadedFile(name, content)
    response = api_as("editor").post(IMPORT, {"file": upload}, format="multipart")
    assert response.status_code == 400, response.content
    error = error_of(response)
    assert error["code"] == "invalid_claimreviews"
    [problem] = error["details"]["problems"]
    assert (problem["document"], problem["where"]) == (name, where)
    assert problem["reason"].startswith("not valid JSON (nested too deeply")
    assert not FactCheck.objects.exists()


def test_a_nul_in_an_import_is_400_and_writes_nothing(api_as):
    body = json.dumps([review(1), review(2, claimReviewed="\u0000")])
    response = api_as("editor").post(IMPORT, body, content_type="application/json")
    assert response.status_code == 400, response.content
    error = error_of(response)
    assert error["code"] == "invalid_claimreviews"
    [problem] = error["details"]["problems"]
    assert problem["where"] == "item 2" and "NUL character" in problem["reason"]
    assert not FactCheck.objects.exists()


WIDE = [
    ("wide.json", b"[" + b"{}," * 9 + b"{}]", "item 3"),
    ("wide.jsonl", b"{}\n" * 10, "line 3"),
    (
        "wide.html",
        b'<html><body><script type="application/ld+json">[' + b"1," * 9 + b"1]</script>",
        "script 1, item 3",
    ),
]


@pytest.mark.parametrize(("name", "content", "last"), WIDE, ids=["json", "json-lines", "html"])
def test_reading_stops_past_the_problems_listed_and_says_there_are_more(
    api_as, settings, name, content, last
):
    """A 45 MB '[{},{},...]' is 15 million problems: listing them all took 6 GB."""
    settings.FACTCHECK_IMPORT_MAX_PROBLEMS = 3
    upload = SimpleUploadedFile(name, content)
    response = api_as("editor").post(IMPORT, {"file": upload}, format="multipart")
    assert response.status_code == 400, response.content
    error = error_of(response)
    assert error["message"].startswith("more than 3 problem(s) in the input")
    details = error["details"]
    assert (details["count"], details["more"]) == (3, True)
    assert details["problems"][-1]["where"] == last
    assert not FactCheck.objects.exists()


def test_as_many_problems_as_listed_are_not_more(api_as, settings):
    settings.FACTCHECK_IMPORT_MAX_PROBLEMS = 3
    upload = SimpleUploadedFile("three.json", b"[{},{},{}]")
    response = api_as("editor").post(IMPORT, {"file": upload}, format="multipart")
    error = error_of(response)
    assert error["message"].startswith("3 problem(s) in the input")
    assert (error["details"]["count"], error["details"]["more"]) == (3, False)


def _with(value: str) -> str:
    """A good review whose extra field holds ``value`` as written in the JSON."""
    return json.dumps(review(1, extra="HERE")).replace('"HERE"', value)


UNREADABLE = [
    ("NaN", "not valid JSON (NaN is not a JSON value)"),
    ("-Infinity", "not valid JSON (-Infinity is not a JSON value)"),
    ("9" * 5000, "a number of more than 4,300 digits, which cannot be read"),
    ("1e400", "extra is a number too large to be stored"),
    ("9" * 5000 + ".5", "extra is a number too large to be stored"),
]


@pytest.mark.parametrize(("value", "reason"), UNREADABLE, ids=lambda v: v[:12])
@pytest.mark.parametrize(
    ("name", "wrap", "where"),
    [
        ("x.json", lambda doc: doc, ""),
        ("x.jsonl", lambda doc: json.dumps(review(2)) + "\n" + doc, "line 2"),
        ("x.html", lambda doc: f'<script type="application/ld+json">{doc}</script>', "script 1"),
    ],
    ids=["json", "json-lines", "html"],
)
def test_a_value_json_has_not_or_no_column_stores_is_400_not_500(
    api_as, value, reason, name, wrap, where
):
    """NaN and Infinity (which json.loads takes), an integer int() refuses and a
    float that overflows to infinity were a 500: jsonb and JSON_VALID refuse them."""
    upload = SimpleUploadedFile(name, wrap(_with(value)).encode())
    response = api_as("editor").post(IMPORT, {"file": upload}, format="multipart")
    assert response.status_code == 400, response.content
    error = error_of(response)
    assert error["code"] == "invalid_claimreviews"
    [problem] = error["details"]["problems"]
    assert (problem["where"], problem["reason"]) == (where, reason)
    assert not FactCheck.objects.exists()


def test_a_float_past_its_range_in_a_json_body_is_400(api_as):
    body = json.dumps([review(1), review(2, extra="HERE")]).replace('"HERE"', "1e400")
    response = api_as("editor").post(IMPORT, body, content_type="application/json")
    assert response.status_code == 400, response.content
    [problem] = error_of(response)["details"]["problems"]
    assert (problem["where"], problem["reason"]) == (
        "item 2",
        "extra is a number too large to be stored",
    )
    assert not FactCheck.objects.exists()
