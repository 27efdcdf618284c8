"""requeue_stale and a fetch that never finishes (its task killed by the hard time
limit, CELERY_TASK_TIME_LIMIT: the message is acknowledged, the article left
fetching). The real worker's side: tests/faults/test_hard_time_limit.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from claims.models import AnalysisState, Article
from claims.services import articles_requeue_stale
from claims.services.pipeline import article_fetch, runs_requeue_stale

pytestmark = pytest.mark.django_db


def _fetching(**fields) -> Article:
    return Article.objects.create(
        raw_text="", source_url="https://example.org/huge", content_hash="fetching:x",
        state=AnalysisState.FETCHING, run_id="r1", **fields,
    )  # fmt: skip


def _killed(article: Article, sent: list) -> None:
    """A fetch task that started (counted) and was killed before anything else."""

    class Killed(BaseException):  # what no except clause of the task catches
        pass

    def kill(url):
        raise Killed

    from claims import ingest

    original, ingest.text_from_url = ingest.text_from_url, kill
    try:
        article_fetch(article_id=article.pk, run_id=sent[-1], publish=lambda *a: True)
    except Killed:
        pass
    finally:
        ingest.text_from_url = original


def test_requeue_stale_stops_sending_a_fetch_killed_each_time(
    settings, django_capture_on_commit_callbacks
):
    settings.INGEST_URL_MAX_ATTEMPTS = 3
    settings.CELERY_TASK_TIME_LIMIT = 300
    article = _fetching()
    sent = ["r1"]

    def publish_fetch(article_id, run_id):
        sent.append(run_id)
        return True

    for _ in range(3):
        _killed(article, sent)
        assert Article.objects.get(pk=article.pk).state == AnalysisState.FETCHING
        with django_capture_on_commit_callbacks(execute=True):
            requeued = runs_requeue_stale(
                publish=lambda *a: True, publish_fetch=publish_fetch, older_than=timedelta(0)
            )
        if len(sent) > 3:
            break
    assert len(sent) == 3, "sent again after the third killed fetch"
    article = Article.objects.get(pk=article.pk)
    assert requeued == []
    assert article.state == AnalysisState.FAILED
    assert article.error == (
        "The page could not be fetched and read within 3 attempts: each was stopped by "
        "the task's time limit (300 s) or lost with its worker. The page may be too large "
        'or too complex to read; "Analyse again" tries once more.'
    )
    assert article.source_url == "https://example.org/huge"
    assert articles_requeue_stale(older_than=timedelta(0)) == []


def test_a_message_lost_before_its_fetch_started_is_sent_again_without_a_cap(
    settings, django_capture_on_commit_callbacks
):
    settings.INGEST_URL_MAX_ATTEMPTS = 1
    article = _fetching()
    sent = []
    for _ in range(3):  # never delivered: no attempt counted
        with django_capture_on_commit_callbacks(execute=True):
            runs_requeue_stale(
                publish=lambda *a: True,
                publish_fetch=lambda a, r: sent.append(r) or True,
                older_than=timedelta(0),
            )
    assert len(sent) == 3
    assert Article.objects.get(pk=article.pk).state == AnalysisState.FETCHING
