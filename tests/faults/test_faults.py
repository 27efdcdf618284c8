"""Faults injected into real processes: a worker killed with SIGKILL, Redis stopped
and frozen, PostgreSQL restarted under a worker, a poisoned article. Each test says
what must survive. Redis and PostgreSQL that get stopped are private ones (see
conftest.py); the shared services are only used as the test database and broker.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/15 REQUIRE_SERVICES=1 \\
      .venv/bin/python -m pytest tests/faults -q
"""

from __future__ import annotations

import time
from datetime import timedelta

import psycopg
import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from claims import services
from claims.models import AnalysisState, Article
from claims.services import article_ingest
from tests.factories import editor
from tests.faults.conftest import manage
from tests.integration import test_real_mode as real
from tests.integration.conftest import (
    HARD_TIME_LIMIT,
    RESTORE_SWEEP,
    VISIBILITY_TIMEOUT,
    publish_to,
    wait_for,
)

pytestmark = [
    pytest.mark.faults,
    pytest.mark.slow,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

# A request must answer within this while Redis is down or frozen.
ANSWER_BOUND = 5.0
# A task cut off by a fault comes back within: the hard time limit, the broker's
# visibility timeout and kombu's restore sweep, then one analysis.
RECOVERY = HARD_TIME_LIMIT + VISIBILITY_TIMEOUT + RESTORE_SWEEP + real.ANALYSIS


def timed(call):
    started = time.monotonic()
    value = call()
    return value, time.monotonic() - started


def api_client() -> APIClient:
    client = APIClient()
    client.force_authenticate(editor())
    return client


def test_a_worker_killed_mid_analysis_loses_nothing_and_doubles_nothing(broker, start_worker):
    first = start_worker()
    article = article_ingest(text=real.long_article()).article
    wait_for(
        lambda: real.state(article).state == AnalysisState.RUNNING, real.ANALYSIS, "running", 0.02
    )
    first.kill()  # kill -9 of the main process and its pool child: no ack, no cleanup
    assert real.state(article).state == AnalysisState.RUNNING

    start_worker()
    # Redis hands the unacknowledged task out again after the visibility timeout.
    real.analysed(article, timeout=VISIBILITY_TIMEOUT + RESTORE_SWEEP + 15 + real.ANALYSIS)
    time.sleep(3)  # a second delivery, if there were one, would show by now
    article = real.state(article)
    assert article.state == AnalysisState.ANALYZED
    assert article.times_analyzed == 1
    assert article.attempts == 2  # the same run, delivered twice
    real.assert_claims_once(article)


@pytest.fixture
def distinct_stories(settings):
    """These tests ingest the seed with a line added, as separate articles: the
    version rule (claims.services.versions) would rightly take each as an update of
    the first. Asking for every three-word phrase shared keeps them apart."""
    settings.ARTICLE_VERSION_BODY_SIMILARITY = 1.0


def test_redis_stopped_during_ingest_keeps_articles_queued_until_requeued(
    private_redis, start_worker, broker, distinct_stories
):
    start_worker(broker=private_redis.url)
    publish_to(private_redis.url)
    client = api_client()
    private_redis.stop()

    ids = []
    for i in range(3):
        text = f"{real.SEED}\n\nUpdate {i}: the ministry said it would publish a list."
        response, elapsed = timed(
            lambda t=text: client.post("/api/v1/articles/", {"text": t}, format="json")
        )
        assert elapsed < ANSWER_BOUND, f"POST took {elapsed:.1f} s with Redis stopped"
        assert response.status_code == 202, response.content
        body = response.json()
        assert body["created"] is True and body["enqueued"] is False, body
        ids.append(body["article"]["id"])
    response, elapsed = timed(lambda: client.get("/api/v1/articles/"))
    assert response.status_code == 200 and elapsed < ANSWER_BOUND
    articles = list(Article.objects.filter(pk__in=ids))
    assert {a.state for a in articles} == {AnalysisState.QUEUED}

    private_redis.start()  # the same port: the worker reconnects
    assert sorted(services.articles_requeue_stale(older_than=timedelta(0))) == sorted(ids)
    for article in articles:
        real.analysed(article, timeout=RECOVERY)
        assert real.state(article).times_analyzed == 1
        real.assert_claims_once(article)


def test_a_frozen_redis_does_not_hold_requests(private_redis, start_worker, broker):
    start_worker(broker=private_redis.url)  # this worker's broker freezes and comes back
    publish_to(private_redis.url)
    client = api_client()
    private_redis.freeze()  # SIGSTOP: connections open, nothing answers
    try:
        result, elapsed = timed(lambda: article_ingest(text=real.SEED))
        posted, post_elapsed = timed(
            lambda: client.post("/api/v1/articles/", {"text": real.long_article(2)}, format="json")
        )
        listed, get_elapsed = timed(lambda: client.get("/api/v1/articles/"))
    finally:
        private_redis.thaw()
    assert elapsed < ANSWER_BOUND, f"ingest took {elapsed:.1f} s with Redis frozen"
    assert post_elapsed < ANSWER_BOUND, f"POST took {post_elapsed:.1f} s with Redis frozen"
    assert get_elapsed < ANSWER_BOUND, f"GET took {get_elapsed:.1f} s with Redis frozen"
    assert posted.status_code == 202 and listed.status_code == 200
    assert result.created and result.enqueued is False
    assert real.state(result.article).state == AnalysisState.QUEUED

    call_command("requeue_stale", "--older-than", "0")
    for article in (result.article, Article.objects.get(pk=posted.json()["article"]["id"])):
        real.analysed(article, timeout=RECOVERY)
        assert real.state(article).times_analyzed == 1
        real.assert_claims_once(article)


def test_a_poisoned_article_fails_alone_and_the_worker_goes_on(
    broker, start_worker, distinct_stories
):
    good = [
        article_ingest(text=f"{real.SEED}\n\nCorrection {i}: the date was wrong.").article
        for i in range(2)
    ]
    poison = article_ingest(text=f"{real.SEED}\n\nPoison.").article
    # The engine refuses empty input: a stored article that became blank (or any
    # text that makes the engine raise) must fail by itself.
    Article.objects.filter(pk=poison.pk).update(raw_text="   \n\n   ")
    after = article_ingest(text=f"{real.SEED}\n\nA later update.").article
    start_worker()  # takes the queued tasks in order: good, good, poison, after

    def finished(article):
        return real.state(article).state in {AnalysisState.FAILED, AnalysisState.ANALYZED}

    wait_for(lambda: finished(poison), RECOVERY, "the poisoned article to finish")
    poison = real.state(poison)
    assert poison.state == AnalysisState.FAILED
    assert "InputError" in poison.error and poison.times_analyzed == 0
    for article in [*good, after]:
        real.analysed(article, timeout=RECOVERY)
        real.assert_claims_once(article)


def _article_state(database: str, article_id: int) -> str | None:
    try:
        with psycopg.connect(database, connect_timeout=2) as conn:
            row = conn.execute(
                "SELECT state FROM claims_article WHERE id = %s", [article_id]
            ).fetchone()
            return row[0] if row else None
    except psycopg.OperationalError:
        return None  # the server is down or starting


def test_postgres_restarted_under_a_worker_never_leaves_an_article_running(
    private_postgres, private_redis, start_worker
):
    database = private_postgres.create_database("tracker_faults")
    manage("migrate", "--noinput", database=database, broker_url=private_redis.url)
    worker = start_worker(broker=private_redis.url, database=database)
    code = (
        "from tests.integration.test_real_mode import long_article\n"
        "from claims.services import article_ingest\n"
        "print(article_ingest(text=long_article()).article.pk)\n"
    )
    article_id = int(
        manage("shell", "-c", code, database=database, broker_url=private_redis.url).split()[-1]
    )
    wait_for(
        lambda: _article_state(database, article_id) == "running",
        real.ANALYSIS,
        "the analysis to start",
        0.05,
    )
    private_postgres.stop()  # every connection is cut mid-analysis
    time.sleep(3)
    private_postgres.start()

    final = wait_for(
        lambda: (s := _article_state(database, article_id)) in {"analyzed", "failed"} and s,
        RECOVERY + 60,  # retries back off (2 s, 4 s, ...)
        f"article {article_id} to leave running (worker log: {worker.log})",
    )
    if final == "failed":  # allowed, if it can be run again
        manage("reanalyze", str(article_id), database=database, broker_url=private_redis.url)
        wait_for(
            lambda: _article_state(database, article_id) == "analyzed",
            RECOVERY,
            "the re-run to finish",
        )
    with psycopg.connect(database) as conn:
        spans = conn.execute(
            'SELECT start, "end" FROM claims_claim WHERE article_id = %s', [article_id]
        ).fetchall()
    assert spans and len(spans) == len(set(spans))
