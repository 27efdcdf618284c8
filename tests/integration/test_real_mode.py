"""The real mode: PostgreSQL, Redis and separate Celery worker processes.

Ingest commits the article, the worker (another process) analyses it. A broker
that refuses connections must neither lose an article nor analyse it twice. The
harsher faults (a worker killed, Redis stopped or frozen, PostgreSQL restarted, a
poisoned article) are in tests/faults.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/15 REQUIRE_SERVICES=1 \\
      .venv/bin/python -m pytest tests/integration -q
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest

from claims import services
from claims.models import AnalysisState, Article, Claim, StatusChange
from claims.services import article_ingest
from claims.workflow import claim_transition
from tests.factories import editor
from tests.integration.conftest import (
    publish_to,
    wait_for,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SEED = (ROOT / "seeds" / "000_42d87ab533acdf14.txt").read_text(encoding="utf-8")
# Time for one analysis on a worker that has just started (loads spaCy first).
ANALYSIS = 60
# A refused or hung broker must not hold the request that ingests.
INGEST_BOUND = 5.0
CLOSED_PORT_BROKER = "redis://127.0.0.1:6390/15"  # nothing listens there


def long_article(copies: int = 10) -> str:
    """The seed's header and its body repeated: a few seconds of analysis."""
    head, _, body = SEED.partition("\n\n")
    return head + "\n\n" + "\n\n".join(f"Part {i}.\n\n{body}" for i in range(copies))


def state(article: Article) -> Article:
    article.refresh_from_db()
    return article


def analysed(article: Article, timeout: float = ANALYSIS, times: int = 1) -> Article:
    def done():
        a = state(article)
        if a.state == AnalysisState.FAILED:
            pytest.fail(f"the analysis failed: {a.error}")
        return a.state == AnalysisState.ANALYZED and a.times_analyzed >= times

    wait_for(done, timeout, f"article {article.pk} to be analysed ({times}x)")
    return article


def assert_claims_once(article: Article) -> None:
    spans = list(Claim.objects.filter(article=article).values_list("start", "end"))
    assert spans and len(spans) == len(set(spans))


def test_an_ingested_article_is_analysed_by_a_worker(broker, worker):
    result = article_ingest(text=SEED)
    assert result.created and result.enqueued is True
    article = analysed(result.article)
    assert article.times_analyzed == 1 and article.attempts == 1 and article.error == ""
    claims = Claim.objects.filter(article=article)
    assert 18 <= claims.count() <= 26
    assert_claims_once(article)
    # Every step ran: sourcing, hedging, then scoring.
    assert claims.exclude(source_type="none").exists()
    assert claims.filter(hedges__isnull=False).exists()
    assert not claims.filter(confidence_level="").exists()
    killed = claims.get(text__contains="hundreds of people had been killed")
    assert killed.confidence_level == "very_low"


def test_a_run_an_earlier_deployment_queued_still_finishes(broker, worker, monkeypatch):
    """Before the analysis was one task it was four, chained, on Celery's default
    queue: such a run, left on the broker by the upgrade, is still analysed."""
    from celery import chord

    from claims import tasks

    monkeypatch.setattr("claims.tasks.start_pipeline", lambda article_id, run_id: True)
    article = article_ingest(text=SEED).article  # queued, nothing published
    ids = (article.pk, article.run_id)
    tagging = chord([tasks.tag_sourcing.si(*ids), tasks.tag_hedging.si(*ids)],
                    tasks.score_confidence.si(*ids))  # fmt: skip
    tasks.extract_claims.si(*ids).apply_async(link=tagging, queue="celery", ignore_result=True)
    article = analysed(article)
    assert article.times_analyzed == 1 and article.attempts == 1
    assert_claims_once(article)
    claims = Claim.objects.filter(article=article)
    assert claims.filter(hedges__isnull=False).exists()
    assert claims.get(text__contains="hundreds of people").confidence_level == "very_low"


def test_a_broker_refusing_connections_leaves_the_article_queued(broker, worker):
    publish_to(CLOSED_PORT_BROKER)
    started = time.monotonic()
    result = article_ingest(text=SEED)
    elapsed = time.monotonic() - started
    assert elapsed < INGEST_BOUND, f"ingest took {elapsed:.1f} s with the broker down"
    assert result.created and result.enqueued is False
    assert "unreachable" in result.message
    assert state(result.article).state == AnalysisState.QUEUED

    publish_to(broker)
    assert services.articles_requeue_stale(older_than=timedelta(0)) == [result.article.pk]
    article = analysed(result.article)
    assert article.times_analyzed == 1
    assert_claims_once(article)


def test_a_batch_says_the_queue_is_unreachable_as_one_article_does(broker):
    """POST /articles/ says enqueued false and "unreachable" when the broker refuses
    the work; a batch says so too, for each item and as a whole, and its later GET
    (the Location) keeps saying it while those articles wait."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(editor())
    publish_to(CLOSED_PORT_BROKER)
    head, _, body = SEED.partition("\n\n")
    items = [{"text": f"{title}\n\n{body}"} for title in ("Syria talks stall", "Envoy leaves")]
    items.append({"text": ""})  # fails alone: nothing to queue
    started = time.monotonic()
    response = client.post("/api/v1/articles/batch/", items, format="json")
    assert time.monotonic() - started < 2 * INGEST_BOUND
    assert response.status_code == 202, response.content
    posted = response.json()
    assert posted["created"] == 2 and posted["failed"] == 1
    for answer in (posted, client.get(response["Location"]).json()):
        assert answer["enqueued"] is False, answer
        assert "unreachable" in answer["message"], answer["message"]
        assert [i["enqueued"] for i in answer["items"]] == [False, False, None]
        assert [i["article_state"] for i in answer["items"]][:2] == ["queued", "queued"]

    publish_to(broker)  # the broker back: requeue_stale sends them
    ids = [i["article"] for i in posted["items"][:2]]
    assert sorted(services.articles_requeue_stale(older_than=timedelta(0))) == sorted(ids)


def test_a_batch_the_queue_took_says_so(broker):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(editor())
    response = client.post("/api/v1/articles/batch/", [{"text": SEED}], format="json")
    assert response.status_code == 202, response.content
    posted = response.json()
    assert posted["enqueued"] is True and "unreachable" not in posted["message"]
    assert [i["enqueued"] for i in posted["items"]] == [True]


def test_reanalysis_on_a_worker_keeps_an_editors_verdict_and_its_history(broker, worker):
    article = analysed(article_ingest(text=SEED).article)
    claim = Claim.objects.get(article=article, text__contains="hundreds of people had been killed")
    boss = editor()
    claim_transition(claim=claim, to_status="in_progress", user=boss, expected_version=1)
    claim_transition(
        claim=claim, to_status="false", user=boss, note="No list of victims.", expected_version=2
    )
    count = Claim.objects.filter(article=article).count()

    assert services.article_reanalyze(article=article) is True
    article = analysed(article, times=2)
    claim.refresh_from_db()
    assert claim.status == "false" and claim.version == 3
    assert not claim.missing_from_analysis
    history = list(StatusChange.objects.filter(claim=claim).values_list("to_status", "note"))
    assert history == [("in_progress", ""), ("false", "No list of victims.")]
    assert Claim.objects.filter(article=article).count() == count
    assert_claims_once(article)


def test_a_new_version_on_a_worker_keeps_the_work_on_its_claims(broker, worker):
    """Issue 15: an updated story ingested again is version 2 of the same
    article, analysed by a worker; the changed claim keeps its status and history
    and is marked changed, the removed worked-on claim is kept and flagged."""
    from tests.services.test_versions import V1, V2

    article = analysed(article_ingest(text=V1).article)
    boss = editor()
    dead = Claim.objects.get(article=article, text__contains="killed 12")
    claim_transition(claim=dead, to_status="in_progress", user=boss, expected_version=1)
    dam = Claim.objects.get(article=article, text__contains="passed its last inspection")
    claim_transition(claim=dam, to_status="in_progress", user=boss, expected_version=1)

    result = article_ingest(text=V2, user=boss)
    assert result.article.pk == article.pk and result.version == 2 and result.enqueued is True
    article = analysed(article, times=2)
    assert article.version == 2 and Article.objects.count() == 1
    dead.refresh_from_db()
    assert (dead.status, dead.version_change) == ("in_progress", "changed")
    assert "killed 14" in dead.text and "killed 12" in dead.previous_text
    assert StatusChange.objects.filter(claim=dead).count() == 1
    dam.refresh_from_db()
    assert dam.missing_from_analysis and dam.version_change == "removed"
    assert article.corrections and article.corrections[0]["text"].startswith("Correction:")
    assert article_ingest(text=V1).version is None  # an older version: already here
