"""create_demo_users: a weak DEMO_PASSWORD is refused, and production is refused."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("weak", ["a", "12345678", "password", "editor12"])
def test_a_weak_demo_password_is_refused(monkeypatch, weak):
    monkeypatch.setenv("DEMO_PASSWORD", weak)
    with pytest.raises(CommandError, match="DEMO_PASSWORD is too weak"):
        call_command("create_demo_users", stdout=StringIO())
    assert (
        not get_user_model().objects.filter(username__in=["editor", "checker", "viewer"]).exists()
    )


def test_a_good_demo_password_is_used(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "correct-horse-battery-9")
    call_command("create_demo_users", stdout=StringIO())
    assert (
        get_user_model().objects.get(username="checker").check_password("correct-horse-battery-9")
    )


def test_the_generated_password_passes_the_validators(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    out = StringIO()
    call_command("create_demo_users", stdout=out)
    assert "password: " in out.getvalue()


def test_production_is_refused(monkeypatch, settings):
    settings.DJANGO_ENV = "production"
    monkeypatch.setenv("DEMO_PASSWORD", "correct-horse-battery-9")
    with pytest.raises(CommandError, match="production"):
        call_command("create_demo_users", stdout=StringIO())
    assert not get_user_model().objects.exists()


def test_the_same_demo_password_again_keeps_the_tokens(monkeypatch):
    """scripts/run runs the command on every start: with DEMO_PASSWORD set, each
    start set the password anew and so ended every demo user's API tokens."""
    from knox.models import AuthToken

    from claims.tokens import token_create

    monkeypatch.setenv("DEMO_PASSWORD", "correct-horse-battery-9")
    call_command("create_demo_users", stdout=StringIO())
    checker = get_user_model().objects.get(username="checker")
    token_create(user=checker)
    out = StringIO()
    call_command("create_demo_users", stdout=out)
    assert AuthToken.objects.filter(user=checker).count() == 1
    assert "checker  Fact-checker (password unchanged)" in out.getvalue()
    monkeypatch.setenv("DEMO_PASSWORD", "another-horse-battery-7")
    call_command("create_demo_users", stdout=StringIO())
    assert AuthToken.objects.filter(user=checker).count() == 0  # a new password ends them
    assert get_user_model().objects.get(pk=checker.pk).check_password("another-horse-battery-7")


def test_the_same_demo_password_rehashed_keeps_the_tokens(monkeypatch, settings):
    """A Django upgrade (a new preferred hasher, more PBKDF2 iterations): the
    command's check of DEMO_PASSWORD saves a new hash of the same password."""
    from knox.models import AuthToken

    from claims.tokens import token_create

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setenv("DEMO_PASSWORD", "correct-horse-battery-9")
    call_command("create_demo_users", stdout=StringIO())
    checker = get_user_model().objects.get(username="checker")
    token_create(user=checker)
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    out = StringIO()
    call_command("create_demo_users", stdout=out)
    assert "checker  Fact-checker (password unchanged)" in out.getvalue()
    checker.refresh_from_db()
    assert checker.password.startswith("pbkdf2_sha256$")
    assert AuthToken.objects.filter(user=checker).count() == 1
