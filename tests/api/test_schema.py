"""The OpenAPI schema, the Swagger UI, and schemathesis against the schema: with a
token, every operation, no 5xx, every response and status code as documented."""

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from claims.ingest import IngestError
from claims.models import ClaimStatus
from claims.tokens import token_create
from tests.factories import ArticleFactory, ClaimFactory, checker, editor
from tracker.wsgi import application

EXAMPLES = 30  # per operation: the whole run takes well under a minute


def test_schema_generates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in (
        "/api/v1/claims/",
        "/api/v1/claims/{id}/transitions/",
        "/api/v1/claims/export.csv",
        "/api/v1/articles/{id}/claimreview/",
        "/api/v1/tokens/{token_key}/",
    ):
        assert f"  {path}:" in text


@pytest.mark.django_db
def test_schema_and_docs_are_served_from_our_own_files():
    client = APIClient()
    r = client.get("/api/schema/", {"format": "json"})
    assert r.status_code == 200 and r.json()["openapi"].startswith("3.")
    assert "knoxApiToken" in r.json()["components"]["securitySchemes"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    # The page's own script is a separate file (no inline script for a CSP to allow).
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")


# Loaded when the module is imported: serving the schema needs no database.
# (schemathesis.pytest.from_fixture would load it per test, but its lazy loader
# reads a pytest node attribute that pytest 9 removed.)
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
KNOWN_IDS: list[str] = []  # the seeded article's and claims' ids, set by the fixture


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Random ids would almost never name a claim: use a seeded one half the time."""
    if not path_parameters or "id" not in path_parameters or not KNOWN_IDS:
        return st.just(path_parameters)
    return st.one_of(
        st.just(path_parameters),
        st.sampled_from(list(KNOWN_IDS)).map(lambda pk: {**path_parameters, "id": pk}),
    )


@pytest.fixture
def seeded(db, monkeypatch, reanalyze_permission, keep_test_connection):
    """An article with claims in every status, people in every role, and the
    editor's token (the role that may call every operation)."""
    article = ArticleFactory(publication="Gazette", author="Ana Ruiz")
    ids = [ClaimFactory(article=article, status=s).pk for s in ClaimStatus.values]
    ids += [ClaimFactory(article=article, confidence_score=None, confidence_level="").pk]
    checker()
    _, key = token_create(user=editor())
    KNOWN_IDS[:] = [str(article.pk), *map(str, ids)]
    # No network here: a URL to ingest fails as an unreachable one would.
    monkeypatch.setattr("claims.ingest.text_from_url", _offline)
    return {"key": key}


@pytest.fixture
def keep_test_connection():
    """Requests go through the real WSGI handler, which closes the database
    connection after each one; in a test transaction that would close (and roll
    back) the test's own connection. Django's test client disconnects the same
    signal handlers."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


def _offline(url):
    raise IngestError("offline")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_api_conforms_to_its_schema(case, seeded):
    case.call_and_validate(
        headers={"Authorization": f"Token {seeded['key']}"},
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
    )
