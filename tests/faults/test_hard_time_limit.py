"""A fetch, an analysis, or a feed poll, whose worker process is killed mid-task:
what the hard time limit (CELERY_TASK_TIME_LIMIT) does to a task stuck past it, a
page that takes the parser that long, say, or an OOM kill of an analysis: a SIGKILL
of the pool process, after which no Python of the task runs to record anything. A
fetch or an analysis must not be sent again for ever (by the broker, or by
requeue_stale every minute), and a feed must back off.

One test lets the hard time limit itself end a fetch (a tiny limit, in the worker's
environment and in this process, the publisher: Celery writes the publisher's
limits into each message, and the worker applies those). The message is then
acknowledged and requeue_stale sends it again. The others kill the pool process
themselves (SIGKILL), as an OOM kill would: the message then comes back from the
broker (task_reject_on_worker_lost). Both ways are capped.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/15 REQUIRE_SERVICES=1 \\
      .venv/bin/python -m pytest tests/faults/test_hard_time_limit.py -q
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from claims.models import AnalysisState, Article, Feed
from claims.services import article_ingest, article_reanalyze, articles_requeue_stale
from claims.services.feeds import feed_subscribe
from claims.tasks import fetch_article, poll_feeds_task
from tests.integration import test_real_mode as real
from tests.integration.conftest import wait_for
from tests.local_http import QuietHandler, serving

pytestmark = [
    pytest.mark.faults,
    pytest.mark.slow,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

WAIT = 60  # seconds for a (re)started pool process to take the task


@pytest.fixture
def endless_server():
    """Every request waits (until the test ends) before any byte of an answer;
    ``server.requests`` counts them."""
    released = threading.Event()
    counter = {"requests": 0}

    class Handler(QuietHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            counter["requests"] += 1
            released.wait(120)
            self.send_response(404)
            self.end_headers()

    with serving(Handler) as base:
        yield base, counter
        released.set()


@pytest.fixture
def fetch_worker(start_worker, broker, settings):
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    settings.INGEST_URL_MAX_ATTEMPTS = 3
    return start_worker(
        INGEST_URL_TIMEOUT="120", INGEST_ALLOW_PRIVATE_URLS="1", INGEST_URL_MAX_ATTEMPTS="3"
    )


def kill_pool_process(worker) -> None:
    """SIGKILL of the worker's pool process (the time limit's way), not its main one."""
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(worker.process.pid)], capture_output=True, text=True
    ).stdout
    for pid in out.split():
        os.kill(int(pid), signal.SIGKILL)


def test_a_fetch_killed_again_and_again_fails_after_the_attempts(fetch_worker, endless_server):
    base, server = endless_server
    article = article_ingest(url=f"{base}/huge-page", user=None).article
    for attempt in range(1, 4):
        wait_for(lambda a=attempt: server["requests"] >= a, WAIT, f"fetch {attempt}")
        kill_pool_process(fetch_worker)

    def finished():
        return Article.objects.get(pk=article.pk).state != AnalysisState.FETCHING

    wait_for(finished, WAIT, "the article to leave fetching")
    article = Article.objects.get(pk=article.pk)
    assert article.state == AnalysisState.FAILED, article.error
    assert article.error.startswith("The page could not be fetched and read within 3 attempts")
    assert article.source_url == f"{base}/huge-page" and article.raw_text == ""
    assert server["requests"] == 3  # the fourth delivery fetched nothing

    # "Analyse again" fetches afresh, its attempts counted from nothing.
    article_reanalyze(article=article)
    wait_for(lambda: server["requests"] == 4, WAIT, "the fetch asked for again")
    assert Article.objects.get(pk=article.pk).state == AnalysisState.FETCHING


LIMIT = 4  # seconds: the hard time limit of the test below, for publisher and worker


@pytest.fixture
def limited_fetch_worker(start_worker, broker, settings, monkeypatch):
    """A worker with a tiny hard time limit and no soft one. The publisher (this
    process) must have the same: Celery writes the publisher's limits into each
    message (its ``timelimit`` header), and a worker applies those over its own
    configuration. With the test process's default (300 s) in the message, a
    worker started with CELERY_TASK_TIME_LIMIT=4 let a task run 25 s."""
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    settings.INGEST_URL_MAX_ATTEMPTS = 3
    settings.CELERY_TASK_TIME_LIMIT = LIMIT
    monkeypatch.setattr(fetch_article, "time_limit", LIMIT)
    monkeypatch.setattr(fetch_article, "soft_time_limit", None)
    monkeypatch.setattr(fetch_article, "_exec_options", None)  # cached from the above
    return start_worker(
        INGEST_URL_TIMEOUT="120",
        INGEST_ALLOW_PRIVATE_URLS="1",
        INGEST_URL_MAX_ATTEMPTS="3",
        CELERY_TASK_TIME_LIMIT=str(LIMIT),
        CELERY_TASK_SOFT_TIME_LIMIT="0",
    )


def test_a_fetch_the_hard_time_limit_ends_again_and_again_fails(
    limited_fetch_worker, endless_server
):
    """The time limit's own kill: the message is acknowledged (nothing comes back
    from the broker), the article is left fetching, and requeue_stale (beat, every
    minute) sends it again, up to INGEST_URL_MAX_ATTEMPTS."""
    worker = limited_fetch_worker
    base, server = endless_server
    article = article_ingest(url=f"{base}/huge-page", user=None).article
    ended = f"Hard time limit ({LIMIT}s) exceeded for claims.tasks.fetch_article"
    for attempt in range(1, 4):
        wait_for(lambda a=attempt: server["requests"] >= a, WAIT, f"fetch {attempt}")
        wait_for(
            lambda a=attempt: worker.output().count(ended) >= a,
            LIMIT + 10,
            f"the time limit to end fetch {attempt}",
        )
        assert Article.objects.get(pk=article.pk).state == AnalysisState.FETCHING
        articles_requeue_stale(older_than=timedelta(0))

    article = Article.objects.get(pk=article.pk)
    assert article.state == AnalysisState.FAILED, article.error
    assert article.error.startswith(
        f"The page could not be fetched and read within 3 attempts: each was stopped by "
        f"the task's time limit ({LIMIT} s)"
    )
    assert server["requests"] == 3


def test_an_analysis_killed_again_and_again_fails_after_the_attempts(start_worker, broker):
    worker = start_worker(ANALYSIS_MAX_ATTEMPTS="3")
    text = real.long_article(20)
    article = article_ingest(text=text, user=None).article

    def started(attempt):  # the article's analyses, over its life
        current = Article.objects.get(pk=article.pk)
        return current.state == AnalysisState.RUNNING and current.attempts == attempt

    for attempt in range(1, 4):
        # The message comes back from the broker each time (task_reject_on_worker_lost).
        wait_for(lambda a=attempt: started(a), WAIT, f"analysis {attempt}", interval=0.02)
        kill_pool_process(worker)

    def finished():
        return Article.objects.get(pk=article.pk).state not in (
            AnalysisState.QUEUED,
            AnalysisState.RUNNING,
        )

    wait_for(finished, WAIT, "the article to leave running")
    article = Article.objects.get(pk=article.pk)
    assert article.state == AnalysisState.FAILED, article.error
    assert article.error.startswith("The article could not be analysed within 3 attempts")
    assert article.attempts == 3  # the fourth delivery analysed nothing
    assert article.raw_text == text and article.times_analyzed == 0

    # "Analyse again" starts a fresh run, its attempts counted from nothing.
    article_reanalyze(article=article)
    wait_for(lambda: started(4), WAIT, "the analysis asked for again", interval=0.02)
    assert Article.objects.get(pk=article.pk).analysis_attempts == 1


def test_a_feed_poll_killed_is_an_error_and_backs_off(fetch_worker, endless_server):
    base, server = endless_server
    feed = feed_subscribe(url=f"{base}/huge.rss", user=None, poll_interval_minutes=15)
    poll_feeds_task.delay()
    wait_for(lambda: server["requests"] >= 1, WAIT, "the poll")
    kill_pool_process(fetch_worker)
    feed.refresh_from_db()
    assert feed.polling_until is not None and feed.consecutive_errors == 0
    # The poll's lease runs out (5 minutes in production): the feed is due again.
    gone = timezone.now() - timedelta(seconds=1)
    Feed.objects.filter(pk=feed.pk).update(polling_until=gone, next_poll_at=gone)

    poll_feeds_task.delay()  # beat's next look for due feeds
    wait_for(
        lambda: Feed.objects.get(pk=feed.pk).consecutive_errors == 1,
        WAIT,
        "the killed poll to be recorded",
    )
    feed.refresh_from_db()
    assert feed.state == "error" and feed.error.startswith("The last poll did not finish")
    assert feed.polling_until is None
    assert feed.next_poll_at >= timezone.now() + timedelta(minutes=29)  # 15 x 2^1
    assert server["requests"] == 1  # not polled again
