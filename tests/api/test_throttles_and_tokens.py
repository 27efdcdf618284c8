"""Throttles and tokens (issue 11): the client's address cannot be chosen with
X-Forwarded-For, counters are atomic (real Redis), failed authentication is
throttled, a token made with a token ends no later than it, tokens end with a
password change or a disabled account, and a whole key is never taken in a URL."""

from __future__ import annotations

import logging
import os
import threading
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.throttling import SimpleRateThrottle

from claims.api.throttling import AnonThrottle, AtomicRateThrottle
from claims.tokens import token_create
from tests.api.conftest import client_with_token, error_of
from tests.factories import editor, viewer

pytestmark = pytest.mark.django_db
TOKENS = "/api/v1/tokens/"


def rates(monkeypatch, **given):
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {"anon": None, "user": None, "auth_failure": None, **given},
    )


def test_x_forwarded_for_does_not_make_a_new_anonymous_client(monkeypatch, settings):
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.NUM_PROXIES == 0
    rates(monkeypatch, anon="2/min")
    client = APIClient()
    codes = [
        client.get("/api/schema/", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code
        for i in range(3)
    ]
    assert codes == [200, 200, 429]


def test_a_count_lasts_its_window_and_retry_after_says_how_long(monkeypatch):
    rates(monkeypatch, anon="2/min")
    start = AtomicRateThrottle.timer()  # tests/api/conftest.py stops it at a day's start
    client = APIClient()
    assert [client.get("/api/schema/").status_code for _ in range(3)] == [200, 200, 429]
    for elapsed, retry_after in ((0, 60), (30.5, 30), (59.9, 1)):
        monkeypatch.setattr(AtomicRateThrottle, "timer", staticmethod(lambda e=elapsed: start + e))
        r = client.get("/api/schema/")
        assert (r.status_code, int(r["Retry-After"])) == (429, retry_after)
    monkeypatch.setattr(AtomicRateThrottle, "timer", staticmethod(lambda: start + 60))
    assert [client.get("/api/schema/").status_code for _ in range(3)] == [200, 200, 429]


@pytest.fixture(params=["local", pytest.param("redis", marks=pytest.mark.redis)])
def shared_cache(request, settings):
    """The cache the throttles count in: the per-process one of the embedded mode,
    or Redis as deployed (CACHE_URL)."""
    if request.param == "redis":
        url = os.environ.get("CACHE_URL", "")
        if not url.startswith("redis://"):
            url = os.environ["CELERY_BROKER_URL"].rsplit("/", 1)[0] + "/13"
        settings.CACHES = {
            "default": {
                "BACKEND": "tracker.cache.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": "test-throttles",
            }
        }
    from django.core.cache import cache

    cache.clear()
    yield cache
    cache.clear()


def test_failed_authentication_is_throttled_by_address(monkeypatch, shared_cache):
    rates(monkeypatch, auth_failure="3/min", user="1000/min", anon="1000/min")
    guesser = APIClient()
    guesser.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)
    assert [guesser.get(TOKENS).status_code for _ in range(3)] == [401] * 3
    r = guesser.get(TOKENS)
    assert r.status_code == 429 and error_of(r)["code"] == "throttled"
    assert 0 < int(r["Retry-After"]) <= 60
    # The same address is refused whatever it sends: a good token...
    r = client_with_token(viewer()).get(TOKENS)
    assert r.status_code == 429 and 0 < int(r["Retry-After"]) <= 60
    # ...or none (an anonymous request, a session)...
    assert APIClient().get("/api/schema/").status_code == 429
    # ...another address is not.
    other = client_with_token(editor())
    assert other.get(TOKENS, REMOTE_ADDR="198.51.100.7").status_code == 200
    guesser.credentials(HTTP_AUTHORIZATION="Token " + "1" * 64)
    assert guesser.get(TOKENS, REMOTE_ADDR="198.51.100.7").status_code == 401


def test_the_address_block_holds_with_the_users_own_limit_off(monkeypatch, shared_cache):
    """The block is read with the user's count; with no user rate set it is read
    on its own, and still refuses."""
    rates(monkeypatch, auth_failure="2/min")
    guesser = APIClient()
    guesser.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)
    assert [guesser.get(TOKENS).status_code for _ in range(3)] == [401, 401, 429]
    assert client_with_token(viewer()).get(TOKENS).status_code == 429


def test_a_user_over_the_limit_is_refused_on_a_shared_cache(monkeypatch, shared_cache):
    rates(monkeypatch, user="3/min", auth_failure="20/min")
    client = client_with_token(viewer())
    assert [client.get(TOKENS).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert client_with_token(editor()).get(TOKENS).status_code == 200


def test_a_token_made_with_a_token_ends_no_later_than_it():
    user = editor()
    parent, key = token_create(user=user, expiry=timedelta(days=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    r = client.post(TOKENS, {"expiry_days": 365}, format="json")
    assert r.status_code == 201, r.content
    child = AuthToken.objects.get(token_key=r.json()["key"][:15])
    assert child.expiry <= parent.expiry


def test_a_password_change_ends_every_token():
    user = editor()
    _, key = token_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(TOKENS).status_code == 200
    user.set_password("a new and long passphrase 42")
    user.save()
    assert client.get(TOKENS).status_code == 401
    assert not AuthToken.objects.filter(user=user).exists()


class OldIterations(PBKDF2PasswordHasher):
    iterations = 1_000


class NewIterations(PBKDF2PasswordHasher):
    iterations = 2_000  # a Django upgrade raising PBKDF2's count (cheaper here)


MD5 = "django.contrib.auth.hashers.MD5PasswordHasher"
PBKDF2 = "django.contrib.auth.hashers.PBKDF2PasswordHasher"
HERE = __name__


@pytest.mark.parametrize(
    "before, after, rehashed",
    [
        ([MD5], [PBKDF2, MD5], "pbkdf2_sha256$"),
        ([f"{HERE}.OldIterations"], [f"{HERE}.NewIterations"], "pbkdf2_sha256$2000$"),
    ],
    ids=["a new preferred hasher", "more iterations"],
)
def test_a_password_rehashed_at_login_keeps_every_token(settings, before, after, rehashed):
    """The next check_password() after such a change (a login, create_demo_users)
    saves a new hash of the same password, which is no password change."""
    settings.PASSWORD_HASHERS = before
    user = editor()
    user.set_password("the same long passphrase 42")
    user.save()
    token_create(user=user)
    settings.PASSWORD_HASHERS = after

    assert user.check_password("the same long passphrase 42")

    user.refresh_from_db()
    assert user.password.startswith(rehashed)  # rehashed and saved
    assert AuthToken.objects.filter(user=user).count() == 1
    user.set_password("a new and long passphrase 42")
    user.save(update_fields=["password"])
    assert not AuthToken.objects.filter(user=user).exists()


def test_a_hash_assigned_directly_ends_every_token():
    from django.contrib.auth.hashers import make_password

    user = editor()
    token_create(user=user)
    user.password = make_password("a new and long passphrase 42")
    user.save(update_fields=["password"])
    assert not AuthToken.objects.filter(user=user).exists()


def test_an_unusable_password_over_a_hash_due_for_an_upgrade_ends_every_token(settings):
    # Saved like Django's rehash (the password alone, no raw password kept), over
    # a hash that was due for one; but an unusable password is no rehash.
    settings.PASSWORD_HASHERS = [MD5]
    user = editor()
    user.set_password("the same long passphrase 42")
    user.save()
    token_create(user=user)
    settings.PASSWORD_HASHERS = [PBKDF2, MD5]
    user.set_unusable_password()
    user.save(update_fields=["password"])
    assert not AuthToken.objects.filter(user=user).exists()


def test_a_disabled_account_ends_every_token():
    user = editor()
    _, key = token_create(user=user)
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])  # an unrelated save keeps them
    assert AuthToken.objects.filter(user=user).exists()
    user.is_active = False
    user.save()
    assert not AuthToken.objects.filter(user=user).exists()


def test_a_whole_key_in_the_delete_path_is_refused_and_not_logged(caplog):
    user = editor()
    _, key = token_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with caplog.at_level(logging.DEBUG):
        r = client.delete(f"{TOKENS}{key}/")
    assert r.status_code == 400 and error_of(r)["code"] == "invalid_token_key"
    assert key not in r.content.decode() and key not in caplog.text
    assert AuthToken.objects.filter(user=user).count() == 1
    assert client.delete(f"{TOKENS}{key[:15]}/").status_code == 204


def test_the_access_log_line_does_not_keep_a_whole_key():
    from tracker.observability import JSONFormatter

    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        "",
        0,
        '"DELETE /api/v1/tokens/%s/ HTTP/1.1" 400',
        ("a" * 64,),
        None,
    )
    assert "a" * 16 not in JSONFormatter().format(record)


@pytest.mark.redis
def test_concurrent_requests_never_pass_the_limit_on_redis(settings, monkeypatch):
    """N + k requests at once against a limit of N: at most N pass."""
    url = os.environ.get("CACHE_URL", "")
    if not url.startswith("redis://"):
        url = os.environ["CELERY_BROKER_URL"].rsplit("/", 1)[0] + "/13"
    settings.CACHES = {
        "default": {"BACKEND": "tracker.cache.RedisCache", "LOCATION": url}  # as deployed
    }
    from django.core.cache import caches

    cache = caches["default"]
    monkeypatch.setattr(AnonThrottle, "cache", cache)
    rates(monkeypatch, anon="50/hour")
    limit, extra = 50, 30
    request = APIRequestFactory().get("/api/schema/", REMOTE_ADDR="192.0.2.77")
    request.user = None
    cache.clear()
    start = threading.Barrier(limit + extra)
    passed = []

    def one():
        throttle = AnonThrottle()
        start.wait()
        if throttle.allow_request(request, None):
            passed.append(1)

    threads = [threading.Thread(target=one) for _ in range(limit + extra)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cache.clear()
    print(f"{limit + extra} concurrent requests, limit {limit}: {len(passed)} passed")
    assert len(passed) == limit


def test_the_address_block_comes_before_the_permission_checks(monkeypatch, shared_cache):
    """Once an address is past its bad tokens, every request from it is 429, as it
    was when the block was checked before the token look-up. The block moved into
    the throttles, which DRF runs after the permissions: a good token whose role
    may not read the list got 403 (so a guess that found a token told itself from
    the rest, which all got 429), and a request with no token 401."""
    rates(monkeypatch, auth_failure="2/min", user="1000/min", anon="1000/min")
    guesser = APIClient()
    guesser.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)
    assert [guesser.get(TOKENS).status_code for _ in range(3)] == [401, 401, 429]
    assert client_with_token(viewer()).get("/api/v1/feeds/").status_code == 429
    assert APIClient().get("/api/v1/claims/").status_code == 429
    # Another address: the permissions answer as before.
    assert (
        client_with_token(viewer()).get("/api/v1/feeds/", REMOTE_ADDR="198.51.100.7").status_code
        == 403
    )
    assert APIClient().get("/api/v1/claims/", REMOTE_ADDR="198.51.100.7").status_code == 401
