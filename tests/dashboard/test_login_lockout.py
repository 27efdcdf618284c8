"""Brute-force protection: every path that checks a password locks a username out
from an address after LOGIN_FAILURE_LIMIT wrong passwords, for a while."""

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils.module_loading import import_string

from tests.factories import PASSWORD, editor, viewer

pytestmark = pytest.mark.django_db

LOGINS = ["/accounts/login/", "/admin/login/"]
HOME = "10.1.1.1"


def attempt(client, url, username, password, **meta):
    return client.post(url, {"username": username, "password": password}, **meta)


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


def fail(client, url, username, times, **meta):
    for _ in range(times):
        r = attempt(client, url, username, "wrong-password", **meta)
        assert r.status_code in {200, 429} and not logged_in(client)
    return r


def test_the_lockout_is_by_username_and_address_for_a_while():
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert timedelta(0) < settings.AXES_COOLOFF_TIME  # never axes' lock for ever
    assert settings.AXES_FAILURE_LIMIT >= 1
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


@pytest.mark.parametrize("url", LOGINS)
def test_wrong_passwords_then_the_right_one_is_refused(url):
    user = editor()  # staff, so the admin would let them in
    client = Client(REMOTE_ADDR=HOME)
    last = fail(client, url, user.username, settings.AXES_FAILURE_LIMIT)
    assert last.status_code == 429
    right = attempt(client, url, user.username, PASSWORD)
    assert right.status_code == 429 and b"Too many attempts" in right.content
    assert not logged_in(client)


@pytest.mark.parametrize("url", LOGINS)
def test_one_failure_fewer_still_lets_the_right_password_in(url):
    user = editor()
    client = Client(REMOTE_ADDR=HOME)
    fail(client, url, user.username, settings.AXES_FAILURE_LIMIT - 1)
    assert attempt(client, url, user.username, PASSWORD).status_code == 302
    assert logged_in(client)


@pytest.mark.parametrize("url", LOGINS)
def test_after_the_cool_off_the_right_password_works(url):
    user = editor()
    client = Client(REMOTE_ADDR=HOME)
    fail(client, url, user.username, settings.AXES_FAILURE_LIMIT)
    assert attempt(client, url, user.username, PASSWORD).status_code == 429
    # Time passes: the failures are older than the cool-off.
    past = settings.AXES_COOLOFF_TIME + timedelta(seconds=1)
    for a in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=a.pk).update(attempt_time=a.attempt_time - past)
    assert attempt(client, url, user.username, PASSWORD).status_code == 302
    assert logged_in(client)


@pytest.mark.parametrize("url", LOGINS)
def test_others_are_not_locked_out(url):
    user, colleague = editor(), editor(username="editor2")
    fail(Client(REMOTE_ADDR=HOME), url, user.username, settings.AXES_FAILURE_LIMIT)
    # Another user from the same address (one newsroom behind one NAT address).
    same_address = Client(REMOTE_ADDR=HOME)
    assert attempt(same_address, url, colleague.username, PASSWORD).status_code == 302
    # The same user from another address.
    elsewhere = Client(REMOTE_ADDR="10.2.2.2")
    assert attempt(elsewhere, url, user.username, PASSWORD).status_code == 302


def test_without_proxies_a_forged_forwarded_for_does_not_escape(settings):
    settings.NUM_PROXIES = 0
    user = editor()
    client = Client(REMOTE_ADDR=HOME)
    for i in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, LOGINS[0], user.username, "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    r = attempt(client, LOGINS[0], user.username, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert r.status_code == 429


def test_behind_a_proxy_the_real_client_address_counts(settings):
    settings.NUM_PROXIES = 1
    user = editor()
    proxy = Client(REMOTE_ADDR="127.0.0.1")  # every request arrives from the proxy
    # The client forges an entry on the left; the proxy appends the real address.
    fail(
        proxy,
        LOGINS[0],
        user.username,
        settings.AXES_FAILURE_LIMIT,
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",
    )
    locked = attempt(
        proxy, LOGINS[0], user.username, PASSWORD, HTTP_X_FORWARDED_FOR="5.6.7.8, 203.0.113.7"
    )
    assert locked.status_code == 429
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
    # Another client behind the same proxy is not locked out.
    other = attempt(proxy, LOGINS[0], user.username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert other.status_code == 302


def test_client_ip_reads_num_proxies(settings, rf):
    client_ip = import_string(settings.AXES_CLIENT_IP_CALLABLE)
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.1.1.1, 10.0.0.4")
    settings.NUM_PROXIES = 0
    assert client_ip(request) == "10.0.0.5"
    settings.NUM_PROXIES = 2
    assert client_ip(request) == "1.1.1.1"
    settings.NUM_PROXIES = 9  # more proxies than entries: the leftmost
    assert client_ip(request) == "6.6.6.6"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.5")) == "10.0.0.5"


def test_failed_logins_are_logged(caplog):
    user = viewer()
    with caplog.at_level(logging.INFO, logger="axes"):
        fail(Client(REMOTE_ADDR=HOME), LOGINS[0], user.username, settings.AXES_FAILURE_LIMIT)
    failures = [r.getMessage() for r in caplog.records if "login failure" in r.getMessage()]
    assert len(failures) >= settings.AXES_FAILURE_LIMIT - 1
    assert all(user.username in m and HOME in m for m in failures)
    assert any("Locking out" in r.getMessage() for r in caplog.records)
    assert not any("wrong-password" in r.getMessage() for r in caplog.records)


def test_the_password_change_form_counts_wrong_old_passwords():
    user = viewer()
    client = Client(REMOTE_ADDR=HOME)
    client.force_login(user)
    url = reverse("password_change")
    new = {"new_password1": "a-new-long-passphrase-77", "new_password2": "a-new-long-passphrase-77"}
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        r = client.post(url, {"old_password": "wrong-password", **new})
        assert r.status_code == 200 and b"incorrectly" in r.content
    r = client.post(url, {"old_password": "wrong-password", **new})
    assert r.status_code == 429
    r = client.post(url, {"old_password": PASSWORD, **new})
    assert r.status_code == 429
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_admin_password_change_is_the_protected_form(client):
    client.force_login(editor())
    r = client.get(reverse("admin:password_change"))
    assert r.status_code == 302 and r["Location"] == reverse("password_change")


def test_the_api_checks_no_password():
    """Tokens and sessions only: no Basic auth path for guessing passwords."""
    classes = settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]
    assert classes == [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ]
