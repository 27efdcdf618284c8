"""Authentication (knox tokens, sessions), tokens made and revoked by their
owner, manage.py create_api_token, roles, and throttling."""

from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from claims.tokens import token_create, token_list, token_revoke
from tests.api.conftest import error_of
from tests.factories import ClaimFactory, UserFactory, checker, editor, viewer

pytestmark = pytest.mark.django_db
CLAIMS = "/api/v1/claims/"
TOKENS = "/api/v1/tokens/"


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.parametrize("header", [None, "Token", "Token nope", "Token a b", "Bearer abc"])
def test_without_valid_credentials_401_json(header):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    r = client.get(CLAIMS)
    assert r.status_code == 401
    assert r["WWW-Authenticate"] == "Token"
    assert error_of(r)["code"] in {"not_authenticated", "authentication_failed"}


def test_expired_token_is_401():
    token, key = token_create(user=viewer(), expiry=timedelta(days=1))
    AuthToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert with_token(key).get(CLAIMS).status_code == 401


def test_inactive_user_is_401():
    user = viewer()
    _, key = token_create(user=user)
    user.is_active = False
    user.save()
    assert with_token(key).get(CLAIMS).status_code == 401


def test_tokens_are_stored_hashed():
    token, key = token_create(user=viewer())
    assert len(key) == 64 and token.digest != key
    assert not AuthToken.objects.filter(digest__contains=key).exists()
    assert token.token_key == key[:15]


def test_session_works_and_writes_need_the_csrf_token():
    ClaimFactory()
    user = editor()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)  # client.login() has no request for the lockout to check
    assert client.get(CLAIMS).status_code == 200
    r = client.post(TOKENS, {}, format="json")
    assert r.status_code == 403 and "CSRF" in error_of(r)["message"]
    assert not AuthToken.objects.exists()


def test_create_list_and_revoke_own_tokens():
    user = checker()
    client = APIClient()
    client.force_login(user)  # the dashboard's session
    r = client.post(TOKENS, {"expiry_days": 7}, format="json")
    assert r.status_code == 201, r.content
    assert "no-store" in r["Cache-Control"]  # the key, once: in no cache
    created = r.json()
    key = created["key"]
    assert created["token_key"] == key[:15]
    expiry = datetime.fromisoformat(created["expiry"])
    assert timedelta(days=6) < expiry - timezone.now() <= timedelta(days=7)
    # The new token works, and can list the user's tokens: without keys.
    listed = with_token(key).get(TOKENS).json()
    assert [(t["token_key"], t["current"]) for t in listed] == [(key[:15], True)]
    assert "key" not in listed[0]
    # A token can make another one.
    assert with_token(key).post(TOKENS, {}, format="json").status_code == 201
    assert len(client.get(TOKENS).json()) == 2
    # Revoke by token_key: the token stops working, and so does the one made with it.
    assert client.delete(f"{TOKENS}{key[:15]}/").status_code == 204
    assert with_token(key).get(CLAIMS).status_code == 401
    assert client.get(TOKENS).json() == []


def test_revoking_a_token_revokes_the_tokens_made_with_it():
    """A stolen token, revoked, must leave no working token behind: the ones made
    with it (its children), and the ones made with those, end with it. A token
    made another way (a session, the command) is not its child and goes on."""
    user = checker()
    _, stolen = token_create(user=user)
    child = with_token(stolen).post(TOKENS, {}, format="json").json()["key"]
    grandchild = with_token(child).post(TOKENS, {}, format="json").json()["key"]
    _, other = token_create(user=user)  # the owner's own, made apart
    sibling = with_token(other).post(TOKENS, {}, format="json").json()["key"]
    for key in (stolen, child, grandchild, other, sibling):
        assert with_token(key).get(CLAIMS).status_code == 200

    assert with_token(other).delete(f"{TOKENS}{stolen[:15]}/").status_code == 204
    for key in (stolen, child, grandchild):
        assert with_token(key).get(CLAIMS).status_code == 401, key
    for key in (other, sibling):
        assert with_token(key).get(CLAIMS).status_code == 200, key
    assert {t["token_key"] for t in with_token(other).get(TOKENS).json()} == {
        other[:15],
        sibling[:15],
    }


def test_a_token_deleted_in_the_admin_takes_its_children_too():
    user = checker()
    parent, parent_key = token_create(user=user)
    child = with_token(parent_key).post(TOKENS, {}, format="json").json()["key"]
    AuthToken.objects.filter(pk=parent.pk).delete()  # as the admin's delete action does
    assert with_token(child).get(CLAIMS).status_code == 401
    assert not AuthToken.objects.filter(user=user).exists()


def test_revoking_a_child_leaves_its_parent():
    user = checker()
    _, parent = token_create(user=user)
    child = with_token(parent).post(TOKENS, {}, format="json").json()["key"]
    assert token_revoke(user=user, token_key_prefix=child[:15]) == 1
    assert with_token(parent).get(CLAIMS).status_code == 200
    assert with_token(child).get(CLAIMS).status_code == 401


def test_a_token_revoked_while_it_makes_a_child_makes_none():
    """The parent is gone by the time its request makes the child (revoked in
    between): no child is left behind."""
    from claims import tokens

    user = checker()
    parent, _ = token_create(user=user)
    AuthToken.objects.filter(pk=parent.pk).delete()
    with pytest.raises(tokens.TokenError, match="revoked"):
        token_create(user=user, parent=parent)
    assert not AuthToken.objects.exists()


def test_nobody_revokes_someone_elses_token():
    mine, theirs = viewer(), checker()
    _, their_key = token_create(user=theirs)
    _, my_key = token_create(user=mine)
    r = with_token(my_key).delete(f"{TOKENS}{their_key[:15]}/")
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"
    assert with_token(their_key).get(CLAIMS).status_code == 200
    assert token_revoke(user=mine, token_key_prefix=their_key) == 0
    assert token_revoke(user=mine, token_key_prefix="") == 0


@pytest.mark.parametrize(
    "body", [{"expiry_days": 0}, {"expiry_days": 100000}, {"expiry_days": "x"}]
)
def test_token_expiry_is_bounded(api_as, body):
    r = api_as("viewer").post(TOKENS, body, format="json")
    assert r.status_code == 400 and "expiry_days" in error_of(r)["details"]


def test_token_limit(api_as, settings):
    settings.API_TOKEN_LIMIT_PER_USER = 2
    client = api_as("viewer")  # holds one token
    assert client.post(TOKENS, {}, format="json").status_code == 201
    r = client.post(TOKENS, {}, format="json")
    assert r.status_code == 400 and "at most 2" in error_of(r)["message"]


def test_anonymous_cannot_make_tokens():
    r = APIClient().post(TOKENS, {}, format="json")
    assert r.status_code == 401 and not AuthToken.objects.exists()


def test_default_ttl_comes_from_settings():
    token, _ = token_create(user=viewer())
    assert timedelta(days=89) < token.expiry - timezone.now() <= timedelta(days=90)
    assert list(token_list(user=token.user)) == [token]


def test_create_api_token_command_prints_a_working_key():
    viewer()
    out, err = StringIO(), StringIO()
    call_command("create_api_token", "viewer", "--expiry-days", "3", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert len(key) == 64 and "viewer" in err.getvalue()
    token = AuthToken.objects.get()
    assert timedelta(days=2) < token.expiry - timezone.now() <= timedelta(days=3)
    assert with_token(key).get(CLAIMS).status_code == 200


@pytest.mark.parametrize("args", [["nobody"], ["viewer", "--expiry-days", "0"]])
def test_create_api_token_command_errors(args):
    viewer()
    with pytest.raises(CommandError):
        call_command("create_api_token", *args, stdout=StringIO(), stderr=StringIO())
    assert not AuthToken.objects.exists()


def test_an_account_without_a_role_reads_nothing(api_as):
    client = api_as(UserFactory(username="nobody"))
    for url in (CLAIMS, "/api/v1/articles/"):
        r = client.get(url)
        assert r.status_code == 403 and error_of(r)["code"] == "permission_denied"
    assert client.get(TOKENS).status_code == 200  # but manages its own tokens


def test_throttling_is_per_user_and_for_anonymous(api_as, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {"anon": "2/min", "user": "3/min", "auth_failure": None},
    )
    client = api_as("viewer")
    assert [client.get(TOKENS).status_code for _ in range(3)] == [200] * 3
    r = client.get(TOKENS)
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    error = error_of(r)
    assert error["code"] == "throttled" and error["details"]["wait"] > 0
    assert api_as(checker()).get(TOKENS).status_code == 200  # another user has their own budget
    anonymous = APIClient()
    assert [anonymous.get("/api/schema/").status_code for _ in range(2)] == [200, 200]
    assert anonymous.get("/api/schema/").status_code == 429
