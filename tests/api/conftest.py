"""API test helpers: a client per role, authenticated with a knox token."""

import json
import time

import pytest
from django.contrib.auth.models import Group, Permission
from rest_framework.test import APIClient

from claims.api.throttling import AtomicRateThrottle
from claims.roles import EDITOR
from claims.tokens import token_create
from tests.factories import checker, editor, viewer

ROLES = {"editor": editor, "checker": checker, "viewer": viewer}


def error_of(response) -> dict:
    """The error object of a response, after checking it has the one error shape."""
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert isinstance(body["error"]["code"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    return body["error"]


def client_with_token(user) -> APIClient:
    _, key = token_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture(autouse=True)
def no_throttling(monkeypatch):
    """Tests make many requests a minute; only the throttling tests set rates.
    (The rates are read once, when DRF's throttle classes are imported, so they
    are patched on the class rather than through the settings.)"""
    from django.core.cache import cache
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None, "auth_failure": None}
    )
    # The throttles count in fixed windows (a minute, an hour, a day): a test whose
    # requests straddle a window's edge would start a new count half-way. Their clock
    # stands still at the start of a day, so every window a test sets is whole.
    day = 86_400
    start = (time.time() // day) * day
    monkeypatch.setattr(AtomicRateThrottle, "timer", staticmethod(lambda: start))
    cache.clear()


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # settings.py picks the fast hasher when DJANGO_ENV=test, but tests/conftest.py
    # sets that variable after pytest-django has already loaded the settings.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_as(db):
    """api_as("editor") or api_as(user): a client with a token for that user."""

    def make(who):
        user = ROLES[who]() if isinstance(who, str) else who
        return client_with_token(user)

    return make


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def reanalyze_permission(db):
    """Editors hold claims.reanalyze_article, granted by the migrations."""
    perm = Permission.objects.get(content_type__app_label="claims", codename="reanalyze_article")
    assert Group.objects.get(name=EDITOR).permissions.filter(pk=perm.pk).exists()
    return perm


@pytest.fixture
def commit_immediately(monkeypatch):
    """Run on_commit callbacks at once, as they run in production where the
    service's atomic block is the outermost one. (A transaction=True test would
    do the same, but its flush afterwards drops the roles the migrations made,
    which later tests in other modules rely on.)"""
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, *a, **kw: func())
