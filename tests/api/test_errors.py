"""Bad input and unknown URLs: always a 4xx in the one error shape, nothing
stored; unexpected failures: a 500 in the same shape, never a page or a trace."""

import json

import pytest
from django.test import Client

from claims.models import Article, ClaimChange, Evidence, StatusChange
from tests.api.conftest import error_of
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


def nothing_stored():
    assert not Article.objects.exclude(pk__in=Article.objects.filter(claims__isnull=False)).exists()
    assert not StatusChange.objects.exists()
    assert not Evidence.objects.exists() and not ClaimChange.objects.exists()


@pytest.fixture
def claim():
    return ClaimFactory()


def raw_post(client, url, body: bytes | str, content_type="application/json"):
    return client.generic("POST", url, body, content_type=content_type)


def test_malformed_json(api_as, claim):
    r = raw_post(api_as("editor"), f"/api/v1/claims/{claim.pk}/transitions/", b'{"to": "in_pro')
    assert r.status_code == 400 and error_of(r)["code"] == "parse_error"
    nothing_stored()


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"null", b"42", b"NaN"])
def test_json_that_is_not_an_object(api_as, claim, body):
    r = raw_post(api_as("editor"), f"/api/v1/claims/{claim.pk}/transitions/", body)
    assert r.status_code == 400
    error_of(r)
    nothing_stored()


def test_json_nested_5000_levels_deep(api_as):
    body = "[" * 5000 + "]" * 5000
    r = raw_post(api_as("editor"), "/api/v1/articles/", body)
    assert r.status_code == 400
    assert error_of(r)["code"] == "parse_error" and "deeply" in error_of(r)["message"]
    nothing_stored()


def test_five_megabyte_body_is_413(api_as):
    body = json.dumps({"text": "word " * (1024 * 1024)})  # 5 MB
    r = raw_post(api_as("editor"), "/api/v1/articles/", body)
    assert r.status_code == 413
    assert error_of(r)["code"] == "payload_too_large"
    nothing_stored()


def test_a_body_just_under_the_limit_is_read(api_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    body = json.dumps({"text": "x" * 1900})
    r = raw_post(api_as("editor"), "/api/v1/articles/", body)
    assert r.status_code != 413


def test_form_body_is_415(api_as, claim):
    r = raw_post(
        api_as("editor"),
        f"/api/v1/claims/{claim.pk}/transitions/",
        "to=in_progress&version=1",
        content_type="application/x-www-form-urlencoded",
    )
    assert r.status_code == 415 and error_of(r)["code"] == "unsupported_media_type"
    nothing_stored()


@pytest.mark.parametrize(
    "path, content_type, accepted",
    [
        ("/api/v1/articles/", "text/plain", "application/json"),
        ("/api/v1/articles/", "", "application/json"),
        ("/api/v1/factchecks/import/", "text/plain", "multipart/form-data"),
    ],
)
def test_a_415_says_which_media_types_the_endpoint_takes(api_as, path, content_type, accepted):
    """Said only 'Unsupported media type "" in request.' (no Content-Type, as curl
    -d sends from a script that forgot the header, or as requests sends a str)."""
    r = raw_post(api_as("editor"), path, "hello", content_type=content_type)
    assert r.status_code == 415
    error = error_of(r)
    assert error["code"] == "unsupported_media_type"
    assert accepted in error["message"] and "Content-Type" in error["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"to": "in_progress", "version": "1x"},
        {"to": "in_progress", "version": [1]},
        {"to": {"status": "in_progress"}, "version": 1},
        {"to": "in_progress", "version": 1, "note": 5},
        {"to": "in_progress", "version": 1, "note": "x" * 20_000},
        {"to": "in_progress", "version": 1, "note": "nul\x00byte"},
    ],
)
def test_wrong_types(api_as, claim, body):
    r = api_as("editor").post(f"/api/v1/claims/{claim.pk}/transitions/", body, format="json")
    assert r.status_code == 400
    assert error_of(r)["code"] == "invalid" and error_of(r)["details"]
    nothing_stored()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/claims/?q=a%00b",
        "/api/v1/claims/?status=unstarted&status=%00",
        "/api/v1/factchecks/?q=%00",
        "/api/v1/factchecks/?publisher=%00",
        "/api/v1/factchecks/?rating=x%00",
        "/api/v1/sources/?q=%00",
        "/api/v1/articles/?page_size=%00",
    ],
)
def test_a_null_character_in_a_query_is_a_400_naming_it(api_as, url):
    # PostgreSQL refuses NUL in a query: the library's and the sources' filters
    # passed it on, and answered 500.
    r = api_as("viewer").get(url)
    assert r.status_code == 400, r.content
    error = error_of(r)
    assert error["code"] == "invalid"
    (name,) = error["details"]
    assert name in url


@pytest.mark.parametrize(
    "method, path",
    [
        # Were ignored: ?page_size=1 on a history answered all of it, with no word.
        ("get", "/api/v1/claims/{claim}/history/?page_size=1"),
        ("get", "/api/v1/claims/{claim}/?fields=id"),
        ("get", "/api/v1/claims/{claim}/comments/?since=2026-01-01"),
        ("get", "/api/v1/tokens/?expired=1"),
        ("post", "/api/v1/claims/{claim}/transitions/?version=1"),
    ],
)
def test_an_unknown_query_parameter_is_a_400_on_every_endpoint(api_as, claim, method, path):
    url = path.format(claim=claim.pk)
    client = api_as("editor")
    if method == "post":
        r = client.post(url, {"to": "in_progress", "version": claim.version}, format="json")
    else:
        r = client.get(url)
    assert r.status_code == 400, r.content
    error = error_of(r)
    assert error["code"] == "invalid"
    (name,) = error["details"]
    assert name == url.split("?")[1].split("=")[0]
    assert error["details"][name] == ["Unknown query parameter: this endpoint takes none."]
    assert claim.__class__.objects.get(pk=claim.pk).status == claim.status  # nothing done


@pytest.mark.parametrize(
    "path", ["/api/v1/claims/{claim}/", "/api/v1/claims/{claim}/history/", "/api/v1/tokens/"]
)
def test_drf_format_naming_the_endpoint_s_format_is_still_taken(api_as, claim, path):
    # ?format=json answered 200 on every endpoint until every action refused the
    # parameters it does not take; then a 400 "this endpoint takes none", while
    # ?format=xml there says '"xml" is not a format here: json.'
    client = api_as("viewer")
    url = path.format(claim=claim.pk)
    r = client.get(url, {"format": "json"})
    assert r.status_code == 200, r.content
    assert r["Content-Type"] == "application/json"
    assert len(r.json()) == len(client.get(url).json())
    wrong = error_of(client.get(url, {"format": "xml"}))
    assert wrong["details"] == {"format": ['"xml" is not a format here: json.']}


def test_format_is_no_parameter_where_the_answer_is_always_json(api_as, claim):
    # The CSV download answers its errors in JSON whatever is asked: no format is
    # checked there, so none is taken.
    r = api_as("viewer").get(f"/api/v1/exports/{'0' * 32}/download/", {"format": "csv"})
    assert r.status_code == 400
    assert list(error_of(r)["details"]) == ["format"]


def test_an_unknown_query_parameter_names_the_ones_taken_where_there_are_some(api_as, claim):
    error = error_of(api_as("viewer").get(f"/api/v1/claims/{claim.pk}/claimreview/?fmt=jsonld"))
    assert error["details"] == {"fmt": ["Unknown query parameter. Allowed: format."]}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/claims/?status=unstarted",  # the list's own filter
        "/api/v1/claims/export.csv?status=unstarted",
        "/api/v1/claims/{claim}/history/?page_size=1",
    ],
)
def test_options_describes_an_endpoint_whatever_its_query(api_as, claim, url):
    # OPTIONS asks what the endpoint is; it ran no action, so no parameter is
    # ignored: it answered 400 "status: ... this endpoint takes none." on the list.
    r = api_as("viewer").options(url.format(claim=claim.pk))
    assert r.status_code == 200, r.content
    assert r.json()["renders"] == ["application/json"]


def test_a_method_an_endpoint_does_not_take_is_a_405_whatever_its_query(api_as, claim):
    r = api_as("editor").delete(f"/api/v1/claims/{claim.pk}/?version=1")
    assert r.status_code == 405, r.content
    assert error_of(r)["code"] == "method_not_allowed"
    assert claim.__class__.objects.filter(pk=claim.pk).exists()


def test_every_operation_lists_its_400(api_as):
    schema = api_as("viewer").get("/api/schema/", {"format": "json"}).json()
    missing = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "400" not in operation["responses"]
    ]
    assert missing == []


@pytest.mark.parametrize(
    "method, url",
    [
        ("get", "/api/v1/claims/999999/"),
        ("get", "/api/v1/claims/999999/history/"),
        ("get", "/api/v1/claims/999999/claimreview/"),
        ("post", "/api/v1/claims/999999/evidence/"),
        ("post", "/api/v1/claims/99999999999999999999999999/transitions/"),
        ("get", "/api/v1/claims/abc/"),
        # past 4,300 digits int() raises; past 2**63 SQLite overflows: a 500 before
        ("get", f"/api/v1/claims/{'9' * 5000}/"),
        ("get", f"/api/v1/feeds/{'9' * 5000}/"),
        ("get", f"/api/v1/sources/{'9' * 5000}/"),
        ("get", "/api/v1/claims/-1/"),
        ("get", "/api/v1/nothing-here/"),
        ("get", "/api/v2/claims/"),
        ("post", "/api/v1/nothing-here/"),
        ("delete", "/api/v1/tokens/0123456789abcde/"),
    ],
)
def test_ids_and_urls_that_do_not_exist(api_as, method, url):
    # A body for the writes; a GET's "data" would be query parameters, which a
    # detail endpoint refuses (400) before it looks the object up.
    body = None if method == "get" else {"url": "https://example.org", "note": ""}
    r = getattr(api_as("editor"), method)(url, body, format="json")
    assert r.status_code == 404
    assert error_of(r)["code"] == "not_found"
    nothing_stored()


def test_a_match_id_past_what_int_reads_is_404(api_as, claim):
    r = api_as("editor").post(
        f"/api/v1/claims/{claim.pk}/matches/{'9' * 5000}/confirm/", {"note": ""}, format="json"
    )
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", "transitions/", {"to": "\ud800", "version": 1}, "to"),
        (
            "post",
            "transitions/",
            {"to": "dismissed", "dismiss_reason": "\udfff", "version": 1},
            "dismiss_reason",
        ),
        ("patch", "", {"priority": "\ud800", "version": 1}, "priority"),
    ],
    ids=["to", "dismiss_reason", "priority"],
)
def test_a_lone_surrogate_in_a_choice_is_400_not_500(api_as, claim, method, path, body, field):
    # json.dumps escapes it ("\ud800"), as JSON allows; DRF's error quotes it back.
    r = api_as("editor").generic(
        method.upper(),
        f"/api/v1/claims/{claim.pk}/{path}",
        json.dumps(body),
        content_type="application/json",
    )
    assert r.status_code == 400, r.content
    error = error_of(r)
    assert list(error["details"]) == [field]
    assert body[field] in error["details"][field][0]  # the same character, escaped
    nothing_stored()


def test_unknown_api_url_is_json_even_with_debug(settings):
    settings.DEBUG = True
    for path in ("/api/v1/nothing/", "/api/nothing"):
        r = Client().get(path)
        assert r.status_code == 404
        error_of(r)


def test_missing_trailing_slash_says_so(api_as):
    r = api_as("viewer").get("/api/v1/claims")
    assert r.status_code == 404 and "/api/v1/claims/" in error_of(r)["message"]


def test_wrong_method_is_405(api_as, claim):
    r = api_as("editor").delete(f"/api/v1/claims/{claim.pk}/")
    assert r.status_code == 405 and error_of(r)["code"] == "method_not_allowed"


@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_exception_is_a_json_500(api_as, monkeypatch, settings, caplog, debug):
    settings.DEBUG = debug

    def broken(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr("claims.selectors.claim_detail", broken)
    claim = ClaimFactory()
    r = api_as("viewer").get(f"/api/v1/claims/{claim.pk}/")
    assert r.status_code == 500
    error = error_of(r)
    assert error["code"] == "server_error"
    assert "fire" not in r.content.decode() and "Traceback" not in r.content.decode()
    # ... but the log has the traceback, for the people who fix it.
    assert any(rec.exc_info and "fire" in str(rec.exc_info[1]) for rec in caplog.records)


def test_django_error_handlers_answer_json_under_api_and_html_elsewhere(rf):
    from django.core.exceptions import RequestDataTooBig

    from claims.api import exceptions as handlers

    api, page = rf.get("/api/v1/x/"), rf.get("/claims/x/")
    for response, status in [
        (handlers.handler404(api, None), 404),
        (handlers.handler500(api), 500),
        (handlers.handler400(api, RequestDataTooBig()), 413),
        (handlers.handler400(api, ValueError()), 400),
    ]:
        assert response.status_code == status
        error_of(response)
    for response in (handlers.handler404(page, None), handlers.handler500(page)):
        assert response["Content-Type"].startswith("text/html")


def test_request_data_too_big_from_django_becomes_413(api_as, monkeypatch, claim):
    """Wherever Django itself refuses a body (request.body), the API answers 413."""
    from django.core.exceptions import RequestDataTooBig

    def too_big(*args, **kwargs):
        raise RequestDataTooBig("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")

    monkeypatch.setattr("claims.api.parsers.JSONParser.parse", too_big)
    r = api_as("editor").post(f"/api/v1/claims/{claim.pk}/evidence/", {"url": "x"}, format="json")
    assert r.status_code == 413 and error_of(r)["code"] == "payload_too_large"


def test_the_message_names_the_field(api_as, claim):
    r = api_as("editor").post(
        f"/api/v1/claims/{claim.pk}/transitions/", {"to": "done", "version": 1}, format="json"
    )
    assert error_of(r)["message"] == 'to: "done" is not a valid choice.'
    assert error_of(r)["details"] == {"to": ['"done" is not a valid choice.']}


@pytest.mark.parametrize(
    "value",
    [
        "\u00b2",  # "²".isdigit() is True, but it is no id
        "9" * 30,  # past SQLite's integer range
    ],
)
def test_assignee_that_looks_like_an_id_is_not_a_500(api_as, value):
    r = api_as("viewer").get("/api/v1/claims/", {"assignee": value})
    assert r.status_code < 500


@pytest.mark.parametrize("url", ["/api/v1/claims/", "/api/v1/claims/export.csv"])
def test_too_many_query_parameters_is_a_400_not_a_500(api_as, settings, url):
    # Django refuses more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields when DRF first
    # reads query_params; the API's handler did not know that refusal: a 500.
    query = "&".join(["status=unstarted"] * (settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = api_as("viewer").get(f"{url}?{query}")
    assert response.status_code == 400, response.content
    error = error_of(response)
    assert error["code"] == "too_many_fields"
    assert f"at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}" in error["message"]
