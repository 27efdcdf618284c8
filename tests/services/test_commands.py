"""The management commands around ingest and analysis: load_seeds,
requeue_stale, reanalyze and retag (embedded mode, tasks run in-process)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from claims import services
from claims.models import AnalysisState, Article
from tests.factories import ArticleFactory
from tests.services.conftest import SHORT

pytestmark = pytest.mark.django_db


def test_load_seeds_twice_is_one_article(committed):
    first, second = io.StringIO(), io.StringIO()
    with committed():
        call_command("load_seeds", stdout=first)
    with committed():
        call_command("load_seeds", stdout=second)
    article = Article.objects.get()
    assert article.state == AnalysisState.ANALYZED and article.times_analyzed == 1
    # (The first load prints before the test transaction runs the analysis.)
    assert first.getvalue().startswith("loaded: Russia says Assad isn't leaving (")
    claims = article.claims.count()
    assert second.getvalue() == (
        f"already there: Russia says Assad isn't leaving (analyzed, {claims} claims)\n"
    )


def queued_article(text: str) -> Article:
    """An article stored as queued whose analysis never started."""
    return ArticleFactory(raw_text=text, content_hash=services.content_hash(text), state="queued")


def test_requeue_stale_command_starts_articles_stuck_in_queued(committed):
    stuck = queued_article(SHORT)
    fresh = ArticleFactory(state="queued")
    Article.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    out = io.StringIO()
    with committed():
        call_command("requeue_stale", "--older-than", "600", stdout=out)
    assert out.getvalue().strip() == f"requeued 1 article(s): {stuck.pk}"
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.state == AnalysisState.ANALYZED and stuck.claims.exists()
    assert fresh.state == AnalysisState.QUEUED


def test_requeue_stale_older_than_zero_takes_every_stuck_article(committed):
    """timedelta(0) means "now", not "the default age"."""
    stuck = queued_article(SHORT)
    with committed():
        assert services.articles_requeue_stale(older_than=timedelta(0)) == [stuck.pk]
    stuck.refresh_from_db()
    assert stuck.state == AnalysisState.ANALYZED
    out = io.StringIO()
    call_command("requeue_stale", "--older-than", "0", stdout=out)
    assert out.getvalue().strip() == "requeued 0 article(s)"


def test_requeue_stale_command_with_nothing_stuck():
    ArticleFactory()  # analysed
    out = io.StringIO()
    call_command("requeue_stale", stdout=out)
    assert out.getvalue().strip() == "requeued 0 article(s)"


def test_reanalyze_command(ingest, committed):
    article = ingest(text=SHORT).article
    out = io.StringIO()
    with committed():
        call_command("reanalyze", str(article.pk), stdout=out)
    assert out.getvalue().strip() == f"article {article.pk}: re-analysis queued"
    article.refresh_from_db()
    assert article.state == AnalysisState.ANALYZED and article.times_analyzed == 2
    with pytest.raises(CommandError, match="no article with id 999999"):
        call_command("reanalyze", str(article.pk), "999999", stdout=io.StringIO())


def test_retag_command_reanalyses_every_article(ingest, committed, seed_text):
    ingest(text=SHORT)
    ingest(text=seed_text)
    out = io.StringIO()
    with committed():
        call_command("retag", stdout=out)
    assert out.getvalue().strip() == "re-analysis queued for 2 article(s)"
    assert sorted(Article.objects.values_list("times_analyzed", flat=True)) == [2, 2]


@pytest.mark.parametrize("since", ["nan", "-60"])
def test_match_claims_refuses_a_since_that_is_no_time_span(since):
    # Before: a traceback (ValueError) for NaN, and silently nothing for a
    # negative span.
    with pytest.raises(CommandError, match="--since"):
        call_command("match_claims", "--since", since, stdout=io.StringIO())


@pytest.mark.parametrize("since", ["1e12", "1e20", "inf"])
def test_match_claims_since_longer_than_the_calendar_is_every_article(since, ingest):
    # Before: OverflowError tracebacks (timedelta, then now - span).
    ingest(text=SHORT)
    out = io.StringIO()
    call_command("match_claims", "--since", since, stdout=out)
    assert out.getvalue() == "0 new match(es)\n"
