"""Logs: one JSON line per event on stdout, each with the request id, which the
response carries back; a 500 is logged with its traceback, on dashboard paths
(Django's django.request) and on API paths (the API's exception handler)."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from tracker import urls as tracker_urls

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def boom(request):
    raise RuntimeError("the view broke")


@api_view(["GET"])
@permission_classes([AllowAny])
def api_boom(request):
    raise RuntimeError("the API view broke")


def ok(request):
    logging.getLogger("claims.views").info("an event inside the request")
    return HttpResponse("ok")


urlpatterns = [
    path("boom/", boom),
    path("api/v1/boom/", api_boom),
    path("ok/", ok),
    *tracker_urls.urlpatterns,
]
handler500 = tracker_urls.handler500


@pytest.fixture
def log_lines():
    """What the configured stdout handler writes, as parsed JSON objects."""
    handler = next(h for h in logging.getLogger("django").handlers if h.name == "stdout")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    handler.setStream(previous)


def test_a_500_is_logged_with_its_traceback_and_the_request_id(log_lines):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/", HTTP_X_REQUEST_ID="edge-1234abcd")
    assert response.status_code == 500 and response["X-Request-ID"] == "edge-1234abcd"
    errors = [e for e in log_lines() if e["level"] == "ERROR"]
    assert len(errors) == 1, log_lines()
    event = errors[0]
    assert event["logger"] == "django.request" and event["request_id"] == "edge-1234abcd"
    assert "Internal Server Error: /boom/" in event["message"]
    assert "Traceback" in event["exc"] and "RuntimeError: the view broke" in event["exc"]


def test_an_api_500_is_logged_with_its_traceback(log_lines):
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/boom/")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    rid = response["X-Request-ID"]
    errors = [e for e in log_lines() if e["level"] == "ERROR"]
    assert len(errors) == 1 and errors[0]["request_id"] == rid
    assert "RuntimeError: the API view broke" in errors[0]["exc"]


@pytest.mark.parametrize("given", ["", "short", "bad id with spaces", "x" * 500, "a\u202eb" * 5])
def test_a_missing_or_insane_request_id_is_replaced(given, log_lines):
    headers = {"HTTP_X_REQUEST_ID": given} if given else {}
    response = Client().get("/ok/", **headers)
    rid = response["X-Request-ID"]
    assert rid != given and len(rid) == 32 and rid.isalnum()
    [event] = [e for e in log_lines() if e["logger"] == "claims.views"]
    assert event["request_id"] == rid and event["message"] == "an event inside the request"


def test_every_line_is_one_json_object_outside_a_request_too(log_lines):
    logging.getLogger("claims.tasks").warning("line one\nline two")
    [event] = log_lines()
    assert event["request_id"] == "-" and event["message"] == "line one\nline two"


def test_a_username_with_unicode_line_breaks_does_not_split_a_log_line(log_lines):
    """A failed login logs the username as typed (axes). Unicode's own line
    breaks (NEL, LINE and PARAGRAPH SEPARATOR), which json.dumps leaves raw with
    ensure_ascii=False, split the line for any reader that splits lines as Python's
    str.splitlines does (this file's own fixture): one event read as two broken
    ones, or a forged second event. They, and the bidi controls that make a log
    line read otherwise on a terminal, are written as \\u escapes."""
    forged = 'x\u2028{"level": "CRITICAL", "message": "forged"}\u2029\x85\u202eevil'
    client = Client()
    client.get("/accounts/login/")
    client.post(
        "/accounts/login/",
        {"username": forged, "password": "wrong", "csrfmiddlewaretoken": "x"},
    )
    client.post("/accounts/login/", {"username": forged, "password": "wrong"})
    events = log_lines()  # every line parses as one JSON object
    assert not any(e.get("message") == "forged" for e in events)
    assert any(forged in e["message"] for e in events), events
