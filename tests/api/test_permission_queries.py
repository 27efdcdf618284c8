"""What each API request pays to know who is asking and what they may do: the
token, its user and (on PostgreSQL) their permissions in one statement
(claims.tokens.token_lookup); elsewhere the permissions in one more
(claims/backends.py). Always with the same answers Django's own backend gives, and
a role change that counts from the very next request."""

import re

import pytest
from django.contrib.auth import backends as django_backends
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from claims.backends import ModelBackend
from claims.roles import EDITOR, VIEWER
from claims.tokens import token_create, token_lookup
from tests.factories import UserFactory, checker, editor, viewer

pytestmark = pytest.mark.django_db
CLAIMS = "/api/v1/claims/"


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)  # no permission cache yet


def people():
    direct = UserFactory(username="direct")
    direct.user_permissions.add(Permission.objects.get(codename="view_claim"))
    both = checker(username="both")
    both.user_permissions.add(Permission.objects.get(codename="give_verdict"))
    two_roles = viewer(username="two_roles")
    two_roles.groups.add(Group.objects.get(name=EDITOR))
    return [
        editor(),
        checker(),
        viewer(),
        UserFactory(username="nobody"),
        direct,
        both,
        two_roles,
        UserFactory(username="root", is_superuser=True),
        viewer(username="gone", is_active=False),
    ]


def test_the_permissions_are_djangos_in_one_query():
    for user in people():
        loaded = fresh(user)
        with CaptureQueriesContext(connection) as queries:
            ours = ModelBackend().get_all_permissions(loaded)
        assert ours == django_backends.ModelBackend().get_all_permissions(fresh(user)), user
        assert len(queries) == (1 if user.is_active else 0), user
    assert ModelBackend().get_all_permissions(AnonymousUser()) == set()
    user = fresh(checker(username="cached"))
    assert user.has_perm("claims.work_claim") and not user.has_perm("claims.give_verdict")
    with CaptureQueriesContext(connection) as queries:
        assert user.has_perm("claims.view_claim") and not user.has_perm("claims.assign_any")
    assert len(queries) == 0  # the request's cache, as Django's


def test_the_token_lookup_reads_the_same_permissions():
    for user in people():
        _, key = token_create(user=user) if user.is_active else (None, None)
        if key is None:
            continue
        with CaptureQueriesContext(connection) as queries:
            (token,) = token_lookup(key[:15])
        assert len(queries) == 1
        loaded = token.user
        assert loaded.pk == user.pk and loaded.username == user.username
        with CaptureQueriesContext(connection) as queries:
            ours = loaded.get_all_permissions()
        assert ours == django_backends.ModelBackend().get_all_permissions(fresh(user)), user
        preloaded = connection.vendor == "postgresql" and not user.is_superuser
        assert len(queries) == (0 if preloaded else 1), user
    assert token_lookup("no-such-key-xx") == []


def auth_queries(key: str) -> tuple[int, list[str]]:
    """The status and, for each query, the tables it reads (FROM and JOIN)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{CLAIMS}?page_size=1")
    tables = [
        " ".join(sorted({part.split()[0] for part in re.split(" FROM | JOIN ", q["sql"])[1:]}))
        for q in queries.captured_queries
    ]
    return response.status_code, tables


def test_a_token_request_asks_once_for_the_token_its_user_and_their_permissions():
    user = viewer()
    _, key = token_create(user=user)
    for _ in range(3):  # other tokens of the user are not looked at on each request
        token_create(user=user)
    status, tables = auth_queries(key)
    assert status == 200
    assert '"knox_authtoken"' in tables[0] and '"auth_user"' in tables[0], tables
    with_token = [t for t in tables if '"knox_authtoken"' in t]
    with_permissions = [t for t in tables if '"auth_permission"' in t]
    assert len(with_token) == 1 and len(with_permissions) == 1, tables
    if connection.vendor == "postgresql":
        assert '"auth_permission"' in tables[0], tables  # the same statement
    else:
        assert '"auth_permission"' in tables[1], tables


def test_a_token_that_is_not_utf8_is_refused_not_an_error():
    viewer()
    response = APIClient().get(CLAIMS, HTTP_AUTHORIZATION="Token \xff\xfe" + "a" * 62)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_token_with_a_nul_is_refused_not_an_error():
    # PostgreSQL refuses NUL in the look-up's query: it was a 500 there.
    _, key = token_create(user=viewer())
    response = APIClient().get(CLAIMS, HTTP_AUTHORIZATION=f"Token {key[:3]}\x00{key[4:]}")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_role_taken_away_counts_from_the_next_request():
    user = viewer()
    _, key = token_create(user=user)
    assert auth_queries(key)[0] == 200
    user.groups.remove(Group.objects.get(name=VIEWER))
    assert auth_queries(key)[0] == 403
    user.groups.add(Group.objects.get(name=VIEWER))
    assert auth_queries(key)[0] == 200


def test_expired_tokens_are_refused_and_cleared_when_a_token_is_made():
    user = viewer()
    _, live = token_create(user=user)
    old, expired = token_create(user=user)
    AuthToken.objects.filter(pk=old.pk).update(expiry=timezone.now())
    assert auth_queries(expired)[0] == 401
    assert not AuthToken.objects.filter(pk=old.pk).exists()  # knox deletes it, as before
    other, _ = token_create(user=user)
    AuthToken.objects.filter(pk=other.pk).update(expiry=timezone.now())
    assert auth_queries(live)[0] == 200
    assert AuthToken.objects.filter(pk=other.pk).exists()  # not looked at by a request
    token_create(user=user)
    assert not AuthToken.objects.filter(pk=other.pk).exists()  # cleared here
