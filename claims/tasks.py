"""Celery tasks: thin wrappers that take ids, call a service, and retry only
what is worth retrying. The analysis of one article is one task,
analyze_article, on the ``analysis`` queue (a URL article's page is fetched
first, by fetch_article, on the ``default`` queue: see CELERY_TASK_ROUTES); the
matching of its claims, published once the analysis has committed, is another,
match_claims, on the light ``default`` queue.

extract_claims -> (tag_sourcing | tag_hedging) -> score_confidence, the four
steps of earlier deployments, stay registered so that the runs they left on the
broker still finish; nothing publishes them any more.

They import claims.services.pipeline, claims.services.feeds,
claims.services.webhook_delivery and claims.notifications and no other service:
the articles service imports this module (start_pipeline) to publish, so importing
it back would close a circle.
"""

from __future__ import annotations

import contextvars
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial

from celery import shared_task
from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections
from kombu.exceptions import OperationalError as BrokerError

from claims import notifications
from claims.services import feeds, pipeline, webhook_delivery

log = logging.getLogger(__name__)

# Worth a retry: the database or the broker blinked. Anything else (a bug, bad
# text) fails the article at once, with the error recorded on it.
TRANSIENT = (OperationalError, InterfaceError, BrokerError, ConnectionError, TimeoutError)
RETRY = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 5,
}


def start_pipeline(article_id: int, run_id: str) -> bool:
    """Put the article's analysis on the broker. False if the broker is unreachable
    (the article stays queued; requeue_stale starts it later)."""
    # The web process only publishes: ignore_result keeps it off the result
    # backend, which the Redis backend would otherwise subscribe to for every task
    # sent (a second Redis round trip that raises RuntimeError, not a connection
    # error, when Redis is down, and a subscription per article nobody reads).
    return _publish(analyze_article, article_id, run_id, "queued")


def start_fetch(article_id: int, run_id: str) -> bool:
    """Put the fetch of a URL article on the broker (it then starts the pipeline).
    False if the broker is unreachable (the article stays fetching; requeue_stale
    starts it later)."""
    return _publish(fetch_article, article_id, run_id, "fetching")


def start_matching(article_id: int, run_id: str, claim_ids: list[int]) -> bool:
    """Put the matching of an analysed run's claims on the broker. False in the
    embedded mode (the caller matches in-process, right after the analysis) and if
    the broker does not take it (the caller, the analysis worker, matches them
    itself: nothing is left for a sweep to find)."""
    if embedded_mode():
        return False
    try:
        match_claims.si(article_id, run_id, claim_ids).apply_async(ignore_result=True)
    except (BrokerError, ConnectionError, TimeoutError, OSError) as exc:
        log.warning("article %s: broker unreachable, claims matched in place (%s)", article_id, exc)
        return False
    return True


def embedded_mode() -> bool:
    """Whether published tasks run in-process (the embedded mode: no broker, no
    worker, no Celery beat). Read from the Celery app, which is what runs them
    (CELERY_TASK_ALWAYS_EAGER configures it; tests switch it per test)."""
    return bool(analyze_article.app.conf.task_always_eager)


def _publish(task, article_id: int, run_id: str, state: str) -> bool:
    deferred = _deferred.get()
    if deferred is not None and embedded_mode():
        deferred.append(partial(task.si(article_id, run_id).apply))
        return True
    try:
        task.si(article_id, run_id).apply_async(ignore_result=True)
    except (BrokerError, ConnectionError, TimeoutError, OSError) as exc:
        log.warning("article %s: broker unreachable, left %s (%s)", article_id, state, exc)
        return False
    return True


# --- Embedded mode: analyses after the response ---------------------------------------
#
# In the embedded mode (no broker, CELERY_TASK_ALWAYS_EAGER) a published task runs
# at once, in the thread that publishes it: after each commit, inside the request.
# A request that promises analyses to follow (202: the batch endpoint) publishes
# inside ``analyses_deferred()`` instead: the tasks are kept until the block ends
# (every item stored), then go to one background thread of the process, started
# at first use, which runs them one at a time, in order (one at a time: SQLite
# has one writer; a request's writes wait for its under the busy timeout). With a
# broker, nothing changes. Work still waiting when the process stops is lost: its
# articles stay queued until ``manage.py requeue_stale`` (or reanalyze) starts them.

_deferred: contextvars.ContextVar[list | None] = contextvars.ContextVar("deferred", default=None)
_jobs: queue.Queue | None = None
_jobs_lock = threading.Lock()


@contextmanager
def analyses_deferred() -> Iterator[None]:
    """Within it, in the embedded mode, the analyses published (after each commit)
    run on the background thread, after the request, not in it."""
    jobs: list[Callable[[], object]] = []
    token = _deferred.set(jobs)
    try:
        yield
    finally:  # on an error too: what was committed is queued, and must be analysed
        _deferred.reset(token)
        if jobs:
            background = _background_jobs()
            for job in jobs:
                background.put(job)


def _background_jobs() -> queue.Queue:
    global _jobs
    with _jobs_lock:
        if _jobs is None:
            _jobs = queue.Queue()
            threading.Thread(
                target=_background_run, args=(_jobs,), name="embedded-analyses", daemon=True
            ).start()
        return _jobs


def _background_run(jobs: queue.Queue) -> None:
    while True:
        job: Callable[[], object] = jobs.get()
        try:
            job()  # an eager task: it records its own failure on the article
        except Exception:
            log.exception("embedded background job failed")
        finally:
            close_old_connections()
            jobs.task_done()


def background_idle(*, timeout: float) -> bool:
    """Wait until the background thread has nothing left to run (tests, shutdown
    scripts); False if it still has after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while _jobs is not None and _jobs.unfinished_tasks:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _step(function, article_id: int, run_id: str):
    try:
        return function(article_id=article_id, run_id=run_id)
    except pipeline.StaleRun as exc:
        log.info("skipped: %s", exc)
        return None
    except TRANSIENT:
        raise
    except DatabaseError as exc:  # integrity and data errors are not transient
        pipeline.analysis_fail(article_id=article_id, run_id=run_id, error=f"Database error: {exc}")
        raise
    except Exception as exc:
        pipeline.analysis_fail(
            article_id=article_id, run_id=run_id, error=f"{type(exc).__name__}: {exc}"
        )
        raise


@shared_task(bind=True, **RETRY)
def fetch_article(self, article_id: int, run_id: str):
    # The fetch has its own deadline (INGEST_URL_TIMEOUT); a page that does not
    # come fails the article, it is not retried.
    return _step(partial(pipeline.article_fetch, publish=start_pipeline), article_id, run_id)


# No result: nothing waits on it (the article's state is the outcome).
@shared_task(bind=True, ignore_result=True, **RETRY)
def analyze_article(self, article_id: int, run_id: str):
    analysis_run = partial(pipeline.analysis_run, publish_matching=start_matching)
    return _step(analysis_run, article_id, run_id)


# On "default" (the default route): light next to an analysis, and not to wait
# behind one. Its failures are its own: the analysis is saved (see matching_run).
@shared_task(ignore_result=True, **RETRY)
def match_claims(article_id: int, run_id: str, claim_ids: list[int]):
    try:
        return pipeline.matching_run(
            article_id=article_id, run_id=run_id, claim_ids=claim_ids, retry_on=TRANSIENT
        )
    except pipeline.StaleRun as exc:
        log.info("skipped: %s", exc)
        return None


# The steps of earlier deployments (see the module's docstring).


@shared_task(bind=True, **RETRY)
def extract_claims(self, article_id: int, run_id: str):
    return _step(pipeline.analysis_extract, article_id, run_id)


@shared_task(bind=True, **RETRY)
def tag_sourcing(self, article_id: int, run_id: str):
    return _step(pipeline.analysis_tag_sourcing, article_id, run_id)


@shared_task(bind=True, **RETRY)
def tag_hedging(self, article_id: int, run_id: str):
    return _step(pipeline.analysis_tag_hedging, article_id, run_id)


@shared_task(bind=True, **RETRY)
def score_confidence(self, article_id: int, run_id: str):
    return _step(pipeline.analysis_score, article_id, run_id)


@shared_task
def requeue_stale_task():
    """Periodic (Celery beat): re-enqueue articles stuck in fetching, queued or running."""
    return pipeline.runs_requeue_stale(publish=start_pipeline, publish_fetch=start_fetch)


# On the light "default" queue (the default route): a query and a few inserts.
@shared_task(ignore_result=True, **RETRY)
def deadline_reminders_task():
    """Periodic (Celery beat): remind assignees of deadlines within a day. Idempotent:
    each claim's deadline is reminded of once, however often this runs."""
    return notifications.deadline_reminders_send()


# Feeds, on "default": a fetch (bounded by INGEST_URL_TIMEOUT) and a few inserts per
# feed; each new item's page is fetched by its own fetch_article task.
@shared_task(ignore_result=True, **RETRY)
def poll_feeds_task():
    """Periodic (Celery beat, every FEEDS_POLL_EVERY seconds): poll the feeds that
    are due. Overlapping runs poll different feeds (each is claimed first)."""
    return len(feeds.feeds_poll_due(publish_fetch=start_fetch))


@shared_task(ignore_result=True, **RETRY)
def poll_feed_task(feed_id: int):
    """Poll one feed if it is still due ("Poll now": dashboard, API, admin)."""
    feeds.feed_poll_if_due(feed_id=feed_id, publish_fetch=start_fetch)


def start_feed_poll(feed_id: int) -> bool:
    """Put the poll of one feed on the broker. False if the broker is unreachable
    (the feed is due: beat polls it when the broker is back)."""
    try:
        poll_feed_task.delay(feed_id)
    except (BrokerError, ConnectionError, TimeoutError, OSError) as exc:
        log.warning("feed %s: broker unreachable, poll left to beat (%s)", feed_id, exc)
        return False
    return True


# Webhooks, on the light "default" queue (the default route): one POST per try,
# bounded by WEBHOOK_TIMEOUT. The retries are the delivery's own (backoff from
# its row, see claims.services.webhook_delivery), not Celery's: each try is recorded.
@shared_task(ignore_result=True, **RETRY)
def webhook_deliver(delivery_id: int):
    delay = webhook_delivery.webhook_delivery_attempt(delivery_id=delivery_id)
    if delay is not None:
        webhook_delivery.webhook_retry_schedule(delivery_id=delivery_id, delay=delay)


@shared_task(ignore_result=True, **RETRY)
def webhooks_sweep_task():
    """Periodic (Celery beat): queue the deliveries whose next try is due (long
    backoffs, and publishes the broker lost). A try is claimed by a conditional
    update, so one queued twice is made once."""
    due = webhook_delivery.webhook_deliveries_due()
    for delivery_id in due:
        webhook_delivery.webhook_delivery_publish(delivery_id=delivery_id)
    return len(due)
