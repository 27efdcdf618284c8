"""Test-wide setup: markers for tests that need real services or a browser.

A laptop without PostgreSQL, Redis or Chromium skips those tests and says why.
CI sets REQUIRE_SERVICES=1 (and REQUIRE_BROWSER=1): there a missing service is a
failure, not a skip.
"""

import os
import shutil
import socket
from urllib.parse import urlsplit

import pytest

os.environ.setdefault("DJANGO_ENV", "test")

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"


def _reachable(url: str | None, default_port: int) -> bool:
    if not url:
        return False
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 2
        ):
            return True
    except OSError:
        return False


def _missing(item) -> str | None:
    """Why this test cannot run here, or None."""
    marks = {m.name for m in item.iter_markers()}
    db_url = os.environ.get("DATABASE_URL", "")
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if marks & {"postgres", "worker"}:
        if not db_url.startswith(("postgres://", "postgresql://")):
            return "needs PostgreSQL: set DATABASE_URL=postgres://..."
        if not _reachable(db_url, 5432):
            return f"PostgreSQL at {urlsplit(db_url).hostname} is not reachable"
    if marks & {"redis", "worker"}:
        if not broker.startswith("redis://"):
            return "needs Redis: set CELERY_BROKER_URL=redis://..."
        if not _reachable(broker, 6379):
            return f"Redis at {urlsplit(broker).hostname} is not reachable"
    if "browser" in marks:
        if not shutil.which("chromium") and not os.path.exists("/usr/bin/chromium"):
            return "needs Chromium at /usr/bin/chromium"
        try:
            import playwright  # noqa: F401
        except ImportError:
            return "needs the playwright package"
    return None


def pytest_runtest_setup(item):
    reason = _missing(item)
    if reason is None:
        return
    marks = {m.name for m in item.iter_markers()}
    required = (REQUIRE_SERVICES and marks & {"postgres", "redis", "worker"}) or (
        REQUIRE_BROWSER and "browser" in marks
    )
    if required:
        pytest.fail(f"required service missing: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _eager_celery_unless_worker(request, settings):
    """Tests run tasks in-process, as the embedded mode does, except the tests
    that exercise real workers on a real broker."""
    from tracker.celery import app

    eager = request.node.get_closest_marker("worker") is None
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: cached counts (claims.selectors) are
    keyed by their query, which the next test's data would otherwise find."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _fresh_word_weights():
    """Each test's matching weighs words by its own claims: a process keeps the
    re-ranker's IDF (claims.services.matching.claim_idf) a while."""
    from claims.services import matching

    matching._idf["table"] = None
    yield
    matching._idf["table"] = None
