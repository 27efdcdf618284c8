"""Re-analysis keeps what people did: a worked-on claim keeps its id, status,
evidence and history; untouched claims are updated, never doubled; every
pipeline step is idempotent (embedded mode, tasks run in-process)."""

from __future__ import annotations

import pytest

from claims import services
from claims.models import AnalysisState, Claim, Evidence, StatusChange
from claims.services import article_ingest
from claims.workflow import claim_transition, evidence_add
from tests.factories import editor
from tests.services.conftest import SHORT

pytestmark = pytest.mark.django_db


def spans(article) -> list[tuple[int, int]]:
    return list(article.claims.order_by("start", "end").values_list("start", "end"))


def assert_no_duplicate_claims(article) -> None:
    found = spans(article)
    assert len(found) == len(set(found))


@pytest.fixture
def worked_on(ingest, seed_text):
    """The seed article, analysed, with one claim an editor started and added
    evidence to."""
    article = ingest(text=seed_text).article
    user = editor()
    claim = article.claims.get(text__contains="hundreds of people had been killed")
    claim_transition(claim=claim, to_status="in_progress", user=user, expected_version=1)
    evidence_add(claim=claim, url="https://example.org/casualty-list", user=user)
    return article, claim


def test_reanalysis_keeps_a_worked_on_claim_and_updates_the_rest(worked_on, committed):
    article, claim = worked_on
    before = spans(article)
    untouched = set(article.claims.exclude(pk=claim.pk).values_list("pk", flat=True))
    with committed():
        assert services.article_reanalyze(article=article) is not False
    article.refresh_from_db()
    assert article.state == AnalysisState.ANALYZED and article.times_analyzed == 2
    claim.refresh_from_db()
    assert claim.status == "in_progress" and claim.version == 2
    assert not claim.missing_from_analysis
    assert list(Evidence.objects.filter(claim=claim).values_list("url", flat=True)) == [
        "https://example.org/casualty-list"
    ]
    assert StatusChange.objects.filter(claim=claim).count() == 1
    assert spans(article) == before
    assert_no_duplicate_claims(article)
    # Claims nobody touched are updated in place, never doubled.
    assert set(article.claims.exclude(pk=claim.pk).values_list("pk", flat=True)) == untouched
    assert all(c.confidence_level for c in article.claims.all())


def test_a_worked_on_claim_the_analysis_no_longer_finds_is_kept_and_flagged(worked_on, committed):
    article, claim = worked_on
    count = article.claims.count()
    # As if an older engine had cut the claim one word later: the new analysis
    # finds neither its text nor its span.
    start = article.raw_text.index(" ", claim.start) + 1
    old_text = article.raw_text[start : claim.end]
    Claim.objects.filter(pk=claim.pk).update(
        start=start, text=old_text, fingerprint=services.fingerprint(old_text)
    )
    with committed():
        services.article_reanalyze(article=article)
    article.refresh_from_db()
    assert article.state == AnalysisState.ANALYZED, article.error
    claim.refresh_from_db()
    assert claim.missing_from_analysis and claim.status == "in_progress"
    assert (claim.start, claim.text) == (start, old_text)
    assert claim.evidence.count() == 1 and claim.status_changes.count() == 1
    # The analysis's own claim at the full span is there again, once.
    assert article.claims.count() == count + 1
    assert_no_duplicate_claims(article)


def test_a_worked_on_claim_whose_fingerprint_no_longer_matches_keeps_its_span(worked_on, committed):
    """Same span, different fingerprint (say the normalisation changed): the claim
    is matched by its position, not doubled, and the analysis does not fail."""
    article, claim = worked_on
    count = article.claims.count()
    Claim.objects.filter(pk=claim.pk).update(fingerprint="0" * 40)
    with committed():
        services.article_reanalyze(article=article)
    article.refresh_from_db()
    assert article.state == AnalysisState.ANALYZED, article.error
    claim.refresh_from_db()
    assert not claim.missing_from_analysis and claim.status == "in_progress"
    assert claim.fingerprint == services.fingerprint(claim.text)
    assert article.claims.count() == count
    assert_no_duplicate_claims(article)


def test_redelivered_steps_do_not_double_claims_or_analyses(seed_text):
    """Every step is idempotent: a task delivered twice changes nothing."""
    article = article_ingest(text=seed_text).article  # on-commit not run: still queued
    kwargs = {"article_id": article.pk, "run_id": article.run_id}
    services.analysis_extract(**kwargs)
    first = spans(article)
    services.analysis_extract(**kwargs)
    services.analysis_tag_sourcing(**kwargs)
    services.analysis_tag_hedging(**kwargs)
    services.analysis_tag_hedging(**kwargs)
    services.analysis_score(**kwargs)
    services.analysis_score(**kwargs)
    article.refresh_from_db()
    assert article.state == AnalysisState.ANALYZED
    assert article.times_analyzed == 1 and article.attempts == 2
    assert spans(article) == first
    assert_no_duplicate_claims(article)
    with pytest.raises(services.StaleRun):
        services.analysis_extract(**kwargs)  # the run is finished


def test_a_step_of_a_superseded_run_does_nothing(ingest):
    article = ingest(text=SHORT).article
    old_run = article.run_id
    services.article_reanalyze(article=article)  # on-commit not run: queued, new run id
    with pytest.raises(services.StaleRun):
        services.analysis_extract(article_id=article.pk, run_id=old_run)
    article.refresh_from_db()
    assert article.state == AnalysisState.QUEUED and article.run_id != old_run


def test_an_editors_correction_at_a_span_the_engine_now_finds_is_kept(worked_on, committed):
    """An editor corrected an older machine claim to the span the engine finds now:
    the corrected claim takes that span's place, with its correction."""
    article, claim = worked_on
    count = article.claims.count()
    Claim.objects.filter(pk=claim.pk).update(
        human_edited=True,
        source_text="an opposition group (corrected)",
        fingerprint=services.fingerprint("the older engine's longer text"),
    )
    with committed():
        services.article_reanalyze(article=article)
    article.refresh_from_db()
    assert article.state == AnalysisState.ANALYZED, article.error
    claim.refresh_from_db()
    assert claim.source_text == "an opposition group (corrected)"
    assert claim.status == "in_progress" and not claim.missing_from_analysis
    assert article.claims.count() == count
    assert_no_duplicate_claims(article)


def test_a_claim_only_the_system_changed_is_not_kept_as_worked_on(ingest, seed_text, committed):
    """The system raised an untouched claim's priority (repeated in 3 articles): that
    is no one's work. When the analysis no longer finds the claim it is not kept in
    the open queue as "people worked on it"; its history cannot be deleted, so it
    is dismissed, recorded as the system's change."""
    from django.db.models import F

    from claims.models import ClaimChange, ClaimStatus, Priority
    from claims.services.matching import PRIORITY_RAISED

    article = ingest(text=seed_text).article
    claim = article.claims.get(text__contains="hundreds of people had been killed")
    start = article.raw_text.index(" ", claim.start) + 1  # as in the test above
    old_text = article.raw_text[start : claim.end]
    Claim.objects.filter(pk=claim.pk).update(
        start=start,
        text=old_text,
        fingerprint=services.fingerprint(old_text),
        priority=Priority.HIGH,
        version=F("version") + 1,
    )
    ClaimChange.objects.create(
        claim=claim, user=None, action=PRIORITY_RAISED, changes={"priority": [3, 2]}
    )
    with committed():
        services.article_reanalyze(article=article)
    article.refresh_from_db()
    assert article.state == AnalysisState.ANALYZED, article.error
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DISMISSED and not claim.missing_from_analysis
    change = claim.status_changes.get()
    assert change.user is None and "nobody worked on it" in change.note
    assert not article.claims.filter(text=old_text, status=ClaimStatus.UNSTARTED).exists()
    # Dismissed by the system is still nobody's work: the next run leaves it as it
    # is (not flagged as a worked-on claim the analysis lost, nothing recorded again).
    from claims.services.pipeline import _worked_on

    assert not article.claims.filter(_worked_on(), pk=claim.pk).exists()
    with committed():
        services.article_reanalyze(article=article)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DISMISSED and not claim.missing_from_analysis
    assert claim.status_changes.count() == 1
