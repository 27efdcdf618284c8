"""requeue_stale and an analysis that never finishes (its task killed by the hard
time limit, CELERY_TASK_TIME_LIMIT, an OOM kill or a crash in a native library:
the article is left running). The real worker's side:
tests/faults/test_hard_time_limit.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from claims import analysis
from claims.models import AnalysisState, Article
from claims.services import article_ingest, article_reanalyze
from claims.services.pipeline import StaleRun, analysis_run, run_enqueue, runs_requeue_stale

pytestmark = pytest.mark.django_db

TEXT = "Headline\n\nThe minister said on Monday that the budget would grow by 4%."


class Killed(BaseException):
    """What no except clause of the task catches: the process is gone."""


def _killed(article_id: int, run_id: str, monkeypatch) -> None:
    """An analysis that started (counted) and was killed before anything else."""

    def kill(*args, **kwargs):
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(analysis, "extract", kill)
        with pytest.raises(Killed):
            analysis_run(article_id=article_id, run_id=run_id)


def _queued() -> Article:
    article = article_ingest(text=TEXT, user=None).article  # queued (nothing published)
    analysis_run(article_id=article.pk, run_id=article.run_id)  # analysed once
    run_enqueue(article=article, publish=lambda *a: True)  # a run for a worker
    return Article.objects.get(pk=article.pk)


def test_requeue_stale_stops_sending_an_analysis_killed_each_time(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.ANALYSIS_MAX_ATTEMPTS = 3
    settings.CELERY_TASK_TIME_LIMIT = 300
    article = _queued()
    claims_before = article.claims.count()
    assert article.state == AnalysisState.QUEUED and claims_before
    sent = [article.run_id]

    def publish(article_id, run_id):
        sent.append(run_id)
        return True

    for _ in range(4):
        _killed(article.pk, sent[-1], monkeypatch)
        assert Article.objects.get(pk=article.pk).state == AnalysisState.RUNNING
        with django_capture_on_commit_callbacks(execute=True):
            requeued = runs_requeue_stale(publish=publish, older_than=timedelta(0))
        if Article.objects.get(pk=article.pk).state != AnalysisState.QUEUED:
            break
    assert len(sent) == 3, "sent again after the third killed analysis"
    assert requeued == []
    article = Article.objects.get(pk=article.pk)
    assert article.state == AnalysisState.FAILED
    assert article.analysis_attempts == 3
    assert article.error == (
        "The article could not be analysed within 3 attempts: each was stopped by the "
        "task's time limit (300 s) or lost with its worker. The text may be too large or "
        'too complex to analyse; "Analyse again" tries once more.'
    )
    # Nothing lost: the text and the claims of the last analysis stay.
    assert article.raw_text == TEXT and article.claims.count() == claims_before
    assert runs_requeue_stale(publish=publish, older_than=timedelta(0)) == []

    # "Analyse again" starts a fresh run (embedded: analysed at once), its attempts
    # counted from nothing.
    with django_capture_on_commit_callbacks(execute=True):
        article_reanalyze(article=article)
    article = Article.objects.get(pk=article.pk)
    assert article.state == AnalysisState.ANALYZED, article.error
    assert article.analysis_attempts == 1 and article.error == ""


def test_a_delivery_past_the_cap_analyses_nothing_and_fails_the_article(settings, monkeypatch):
    """The broker hands the run's message out again after its process was killed
    (task_reject_on_worker_lost): the delivery past the cap fails the article."""
    settings.ANALYSIS_MAX_ATTEMPTS = 2
    article = _queued()
    for _ in range(2):
        _killed(article.pk, article.run_id, monkeypatch)
    with monkeypatch.context() as patch:
        patch.setattr(analysis, "extract", lambda *a, **k: pytest.fail("analysed again"))
        with pytest.raises(StaleRun):
            analysis_run(article_id=article.pk, run_id=article.run_id)
    article = Article.objects.get(pk=article.pk)
    assert article.state == AnalysisState.FAILED
    assert article.error.startswith("The article could not be analysed within 2 attempts")


def test_a_message_lost_before_its_analysis_started_is_sent_again_without_a_cap(
    settings, django_capture_on_commit_callbacks
):
    settings.ANALYSIS_MAX_ATTEMPTS = 1
    article = _queued()
    sent = []
    for _ in range(3):  # never delivered: no attempt counted
        with django_capture_on_commit_callbacks(execute=True):
            runs_requeue_stale(publish=lambda a, r: sent.append(r) or True, older_than=timedelta(0))
    assert len(sent) == 3
    assert Article.objects.get(pk=article.pk).state == AnalysisState.QUEUED
