"""Feeds in the real mode: a real `celery beat` publishes poll_feeds_task, a real
worker polls the feed (served by a local HTTP server), fetches each new item's page
and analyses it; the next beat runs find the feed not due and fetch nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/15 REQUIRE_SERVICES=1 \\
      .venv/bin/python -m pytest tests/integration/test_feeds_beat.py -q
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import UTC, datetime

import pytest

from claims.models import AnalysisState, Article, Feed
from claims.services import feed_subscribe
from tests.feed_server import feed_server  # noqa: F401 (a fixture)
from tests.integration.conftest import CELERY, ROOT, database_url, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PAGES = {
    "/wire/2026/12/01/drought-figures": (
        "Water board revises drought figures\n\nThe water board said on Tuesday that as many "
        "as 12,000 wells were at risk.\n"
    ),
    "/wire/2026/12/01/hospital-waits": (
        "Hospital wait times fall\n\nAverage emergency waits fell by 14 minutes this year, "
        "according to the health ministry.\n"
    ),
}


@pytest.fixture
def beat(broker, tmp_path):
    """A real `celery -A tracker beat` that looks for due feeds every 2 seconds."""
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker,
        "FEEDS_POLL_EVERY": "2",
    }
    log = tmp_path / "beat.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [CELERY, "-A", "tracker", "beat", "--loglevel=INFO", "-s", tmp_path / "schedule"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    yield log
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(20)


def test_beat_polls_a_feed_on_a_real_worker(
    broker,
    start_worker,
    beat,
    feed_server,  # noqa: F811 (the fixture)
    monkeypatch,
    settings,
):
    # The feed server is on 127.0.0.1: allowed here and in the worker (its environment).
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    monkeypatch.setenv("INGEST_ALLOW_PRIVATE_URLS", "1")
    feed_server.serve_fixture(
        "/wire.atom", "valley-wire.atom", datetime(2026, 12, 1, 23, 5, tzinfo=UTC)
    )
    for path, text in PAGES.items():
        feed_server.serve_text(path, text)
    feed = feed_subscribe(url=feed_server.url("/wire.atom"), user=None)
    worker = start_worker()

    def analysed():
        return Article.objects.filter(state=AnalysisState.ANALYZED).count() == 2

    wait_for(analysed, 90, f"two analysed articles\n{worker.output()[-3000:]}")
    feed.refresh_from_db()
    assert feed.state == "ok" and feed.items.count() == 2
    drought = Article.objects.get(source_url__endswith="drought-figures")
    assert drought.published_at == datetime(2026, 12, 1, 13, 2, tzinfo=UTC)
    # Beat goes on every 2 s; the feed is not due for 15 minutes: no second fetch.
    time.sleep(5)
    assert len(feed_server.seen("/wire.atom")) == 1
    assert "claims.tasks.poll_feeds_task" in beat.read_text()
    assert Feed.objects.get(pk=feed.pk).consecutive_errors == 0
