"""Deployment safeguards in tracker/settings.py: DEBUG off unless asked for (and
refused in production), the debug page hides service URLs with passwords, HSTS
subdomains/preload opt-in, and `check --deploy` clean under production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.views.debug import ExceptionReporter, get_default_exception_reporter_filter

ROOT = Path(__file__).resolve().parents[1]
SECRET = "x" * 20 + "prod-secret-key-for-tests-only-" + "y" * 20


def run(args, tmp_path, **env) -> subprocess.CompletedProcess:
    """manage.py in a clean environment: only what the test sets."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    base.update(TRACKER_VAR_DIR=str(tmp_path), PYTHONPATH=str(ROOT), **env)
    base.pop("CELERY_BROKER_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def setting(name, tmp_path, **env) -> str:
    code = f"from django.conf import settings; print(settings.{name})"
    result = run(["shell", "-c", code], tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, "False"),
        ({"DJANGO_ENV": "development"}, "False"),
        ({"DJANGO_DEBUG": "1"}, "True"),
        ({"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": SECRET}, "False"),
    ],
)
def test_debug_is_off_unless_asked_for(tmp_path, env, expected):
    assert setting("DEBUG", tmp_path, **env) == expected


@pytest.mark.parametrize("debug", ["1", "true"])
def test_production_refuses_to_start_with_debug_on(tmp_path, debug):
    """A debug page in production shows code, settings and request data to whoever
    triggers an error: the settings refuse it, as they refuse a missing secret key
    (`check --deploy` only warned, and nothing runs it at start)."""
    result = run(
        ["check"],
        tmp_path,
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_DEBUG=debug,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_DEBUG must be off when DJANGO_ENV=production" in result.stderr


def test_hsts_subdomains_and_preload_are_opt_in(tmp_path):
    prod = {"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": SECRET}
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
    )
    off = run(["shell", "-c", code], tmp_path, **prod)
    assert off.stdout.splitlines()[-1].split() == ["31536000", "False", "False"], off.stderr
    on = run(
        ["shell", "-c", code],
        tmp_path,
        DJANGO_HSTS_INCLUDE_SUBDOMAINS="1",
        DJANGO_HSTS_PRELOAD="1",
        **prod,
    )
    assert on.stdout.splitlines()[-1].split() == ["31536000", "True", "True"], on.stderr


@pytest.mark.parametrize(
    "opt_in", [{}, {"DJANGO_HSTS_INCLUDE_SUBDOMAINS": "1", "DJANGO_HSTS_PRELOAD": "1"}]
)
def test_check_deploy_is_clean_in_production(tmp_path, opt_in):
    result = run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=SECRET,
        **opt_in,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


SECRETS = {
    "DATABASE_URL": "postgres://tracker:db-hunter2@db.internal:5432/tracker",
    "CELERY_BROKER_URL": "redis://:broker-hunter2@redis.internal:6379/0",
    "CELERY_RESULT_BACKEND": "redis://:backend-hunter2@redis.internal:6379/0",
    "CACHE_URL": "redis://default:cache-hunter2@redis.internal:6379/1",
    "SENTRY_LIKE": "https://token-hunter2@errors.example/1",
}


def test_the_debug_page_hides_service_urls_with_passwords(settings):
    for name in SECRETS:  # no secret in this frame's locals: the page shows them
        setattr(settings, name, SECRETS[name])
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": SECRETS["CACHE_URL"],
        }
    }
    settings.DEBUG = True
    assert type(get_default_exception_reporter_filter()).__name__ == "ExceptionReporterFilter"
    # runserver puts the process environment into request.META
    request = RequestFactory().get("/boom/", **{f"{k}": v for k, v in SECRETS.items()})
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        html = ExceptionReporter(request, *sys.exc_info()).get_traceback_html()
    assert "boom" in html and "STATIC_URL" in html
    leaked = [name for name in SECRETS if SECRETS[name].split("@")[0][-12:] in html]
    assert leaked == []


def test_ordinary_urls_stay_visible():
    cleanse = get_default_exception_reporter_filter().cleanse_setting
    assert cleanse("STATIC_URL", "static/") == "static/"
    assert cleanse("CLAIMREVIEW_PUBLISHER", {"url": "https://newsroom.example"}) == {
        "url": "https://newsroom.example"
    }
    assert cleanse("WEBHOOK", "https://user:pw@hooks.example/") != "https://user:pw@hooks.example/"
