"""Claim matching (embedded mode): a repeated claim in another article is suggested
as a match, unrelated claims are not, editors confirm (clusters join) or reject
(remembered, also after re-analysis), and a cluster's verdict is suggested, then
taken by a recorded transition."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection

from claims import services, tasks
from claims.models import ClaimChange, ClaimMatch, FactCheck, MatchState, StatusChange
from claims.services import matching, pipeline
from claims.workflow import NotPermitted, WorkflowError, claim_transition
from tests.factories import checker, editor, viewer

pytestmark = pytest.mark.django_db

FIRST = (
    "Bridge closure\n\n"
    "MILLTOWN - The mayor, Dana Cole, said on Tuesday that the old river bridge would "
    "reopen in May after repairs costing $4 million. Unemployment in the county fell to "
    "3 percent last year, the labour office said.\n"
)
# The same article from another wire, one word changed in the bridge claim.
SECOND = FIRST.replace("old river bridge", "old iron bridge").replace(
    "Unemployment in the county fell to 3 percent last year, the labour office said.",
    "A new school will open on the east side, the district said.",
)
UNRELATED = (
    "Harbour dredging\n\n"
    "PORTSIDE - Fishermen said the harbour had silted up over the winter, and the port "
    "authority promised to dredge it before the summer season.\n"
)


def bridge(article):
    return article.claims.get(text__contains="bridge")


@pytest.fixture
def pair(ingest):
    first = ingest(text=FIRST).article
    second = ingest(text=SECOND).article
    return bridge(first), bridge(second)


def test_a_one_word_changed_claim_matches_the_earlier_one(pair):
    earlier, repeated = pair
    match = ClaimMatch.objects.get(claim=repeated)
    assert match.matched_claim == earlier and match.state == MatchState.SUGGESTED
    assert match.score >= 0.8 and match.claim_fingerprint == repeated.fingerprint
    # The shared words are spans in both texts.
    shared = [repeated.text[s["start"] : s["end"]] for s in match.spans]
    assert any("would reopen in May" in s for s in shared)
    assert all(
        earlier.text[s["other_start"] : s["other_end"]].lower()
        == repeated.text[s["start"] : s["end"]].lower()
        for s in match.spans
    )
    # Only the bridge claim repeats: the school and unemployment claims match nothing.
    assert ClaimMatch.objects.count() == 1


def test_unrelated_claims_do_not_match(ingest):
    ingest(text=FIRST)
    ingest(text=UNRELATED)
    assert not ClaimMatch.objects.exists()


def test_a_published_factcheck_is_matched(ingest):
    check = FactCheck.objects.create(
        key="k1",
        claim_text="The old river bridge in Milltown will reopen in May after $4 million repairs.",
        rating="False",
        publisher="Example Checks",
        url="https://checks.example.org/bridge",
    )
    claim = bridge(ingest(text=FIRST).article)
    match = ClaimMatch.objects.get(claim=claim)
    assert match.matched_factcheck == check and match.matched_claim is None


def test_matching_again_adds_nothing(pair):
    earlier, repeated = pair
    assert matching.claim_matches_find(claim_ids=[earlier.pk, repeated.pk]) == []
    assert ClaimMatch.objects.count() == 1


def test_the_threshold_is_a_setting(ingest, settings):
    settings.CLAIM_MATCH_THRESHOLD = 0.99
    ingest(text=FIRST)
    ingest(text=SECOND)
    assert not ClaimMatch.objects.exists()


def test_confirm_joins_the_clusters_and_is_recorded(pair):
    earlier, repeated = pair
    user = editor()
    services.claim_match_confirm(match=ClaimMatch.objects.get(), user=user)
    earlier.refresh_from_db()
    repeated.refresh_from_db()
    assert earlier.cluster_id == repeated.cluster_id == earlier.pk
    change = ClaimChange.objects.get(claim=repeated)
    assert change.action == "match_confirmed" and change.user == user
    assert f"claim #{earlier.pk}" in change.changes["match"][1]
    # Decided once: a second decision is refused, not obeyed.
    with pytest.raises(WorkflowError):
        services.claim_match_reject(match=ClaimMatch.objects.get(), user=user)


def test_confirm_merges_two_existing_clusters(ingest, pair):
    earlier, repeated = pair
    user = editor()
    services.claim_match_confirm(match=ClaimMatch.objects.get(), user=user)
    third = bridge(ingest(text=SECOND.replace("MILLTOWN", "MILL TOWN")).article)
    new = ClaimMatch.objects.filter(claim=third, state=MatchState.SUGGESTED).first()
    assert new is not None
    services.claim_match_confirm(match=new, user=user)
    third.refresh_from_db()
    assert third.cluster_id == earlier.pk


@pytest.mark.parametrize("make_user", [checker, viewer])
def test_only_editors_decide_matches(pair, make_user):
    match = ClaimMatch.objects.get()
    for decide in (services.claim_match_confirm, services.claim_match_reject):
        with pytest.raises(NotPermitted):
            decide(match=match, user=make_user())
    match.refresh_from_db()
    assert match.state == MatchState.SUGGESTED and not ClaimChange.objects.exists()


def test_a_rejected_match_stays_rejected_after_reanalysis(pair, committed):
    earlier, repeated = pair
    user = editor()
    services.claim_match_reject(match=ClaimMatch.objects.get(), user=user, note="other bridge")
    for claim in (repeated, earlier):
        with committed():
            assert services.article_reanalyze(article=claim.article) is not False
    match = ClaimMatch.objects.get()
    assert match.state == MatchState.REJECTED and match.decided_by == user
    assert ClaimMatch.objects.count() == 1
    # The claims kept their ids (a decision is work people did).
    repeated.refresh_from_db()
    assert not repeated.missing_from_analysis


def test_a_rejection_holds_for_the_same_text_under_a_new_id(pair):
    earlier, repeated = pair
    services.claim_match_reject(match=ClaimMatch.objects.get(), user=editor())
    # As a re-analysis that wrote the claim again would: same article, same text.
    ClaimMatch.objects.filter(claim=repeated).update(
        claim=repeated.article.claims.exclude(pk=repeated.pk).first()
    )
    assert matching.claim_matches_find(claim_ids=[repeated.pk]) == []


def test_a_clusters_verdict_is_suggested_and_taken_by_a_transition(pair):
    earlier, repeated = pair
    user = editor()
    services.claim_match_confirm(match=ClaimMatch.objects.get(), user=user)
    claim_transition(claim=earlier, to_status="in_progress", user=user, expected_version=1)
    claim_transition(
        claim=earlier, to_status="false", user=user, note="Repairs cost $9m", expected_version=2
    )
    repeated.refresh_from_db()
    from claims.selectors import claim_suggested_verdicts

    suggested = claim_suggested_verdicts(claim=repeated)
    assert [(c.pk, c.status) for c in suggested] == [(earlier.pk, "false")]
    # Never applied silently: the claim is untouched until someone accepts.
    assert repeated.status == "unstarted"
    services.claim_verdict_accept(
        claim=repeated, source=earlier, user=user, expected_version=repeated.version
    )
    repeated.refresh_from_db()
    assert repeated.status == "false"
    last = StatusChange.objects.filter(claim=repeated).last()
    assert last.to_status == "false" and last.user == user
    assert last.note.startswith(f"Verdict from claim #{earlier.pk} (article #{earlier.article_id}")
    assert claim_suggested_verdicts(claim=repeated) == []


def test_a_fact_checker_cannot_take_a_verdict(pair):
    earlier, repeated = pair
    user = editor()
    services.claim_match_confirm(match=ClaimMatch.objects.get(), user=user)
    claim_transition(claim=earlier, to_status="in_progress", user=user, expected_version=1)
    claim_transition(claim=earlier, to_status="false", user=user, note="n", expected_version=2)
    repeated.refresh_from_db()
    with pytest.raises(NotPermitted):
        services.claim_verdict_accept(
            claim=repeated, source=earlier, user=checker(), expected_version=repeated.version
        )
    repeated.refresh_from_db()
    assert repeated.status == "unstarted" and not StatusChange.objects.filter(claim=repeated)


def test_a_verdict_outside_the_cluster_cannot_be_taken(pair):
    earlier, repeated = pair
    with pytest.raises(WorkflowError):
        services.claim_verdict_accept(
            claim=repeated, source=earlier, user=editor(), expected_version=1
        )


def test_a_matching_failure_does_not_fail_the_analysis(ingest, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("candidate query broke")

    monkeypatch.setattr(matching, "claim_matches_find", broken)
    article = ingest(text=FIRST).article
    article.refresh_from_db()
    assert article.state == "analyzed" and article.claims.exists()


# --- The matching task (issue 12: its own task, after the analysis commits) ----------


def matched_rows():
    return sorted(ClaimMatch.objects.values_list("claim_id", "matched_claim_id", "score"))


def queued_only(text):
    """An article ingested and queued, its analysis not run (the on-commit publish
    of a test transaction never runs): the run this test then runs by hand."""
    article = services.article_ingest(text=text).article
    article.refresh_from_db()
    assert article.state == "queued"
    return article


def test_the_analysis_hands_its_claims_to_the_matching_publisher(ingest):
    """With a broker (a publisher that takes the work) nothing is matched in the
    analysis: the claims go to the publisher, after the commit."""
    ingest(text=FIRST)
    second = queued_only(SECOND)
    published = []

    def publish(article_id, run_id, claim_ids):
        second.refresh_from_db()
        assert second.state == "analyzed"  # committed first: a worker finds the claims
        published.append((article_id, run_id, claim_ids))
        return True

    pipeline.analysis_run(article_id=second.pk, run_id=second.run_id, publish_matching=publish)
    assert not ClaimMatch.objects.exists()
    [(article_id, run_id, claim_ids)] = published
    assert (article_id, run_id) == (second.pk, second.run_id)
    assert sorted(claim_ids) == sorted(second.claims.values_list("pk", flat=True))
    # The task's work, as a worker runs it.
    assert pipeline.matching_run(article_id=article_id, run_id=run_id, claim_ids=claim_ids) == 1
    assert ClaimMatch.objects.get().claim == bridge(second)


def test_without_a_publisher_or_when_it_fails_the_analysis_matches_at_once(ingest):
    ingest(text=FIRST)
    second = queued_only(SECOND)
    refused = []
    pipeline.analysis_run(
        article_id=second.pk,
        run_id=second.run_id,
        publish_matching=lambda *args: refused.append(args) or False,
    )
    assert refused and ClaimMatch.objects.get().claim == bridge(second)


def test_a_publisher_that_raises_leaves_the_matching_to_the_analysis(ingest):
    ingest(text=FIRST)
    second = queued_only(SECOND)

    def broken(*args):
        raise RuntimeError("result backend unreachable")

    pipeline.analysis_run(article_id=second.pk, run_id=second.run_id, publish_matching=broken)
    second.refresh_from_db()
    assert second.state == "analyzed" and second.error == ""
    assert ClaimMatch.objects.get().claim == bridge(second)


def test_the_matching_task_is_idempotent_and_skips_deleted_claims(pair):
    earlier, repeated = pair
    article = repeated.article
    article.refresh_from_db()
    ids = list(article.claims.values_list("pk", flat=True))
    ClaimMatch.objects.all().delete()
    tasks.match_claims(article.pk, article.run_id, ids)
    rows = matched_rows()
    assert len(rows) == 1
    tasks.match_claims(article.pk, article.run_id, ids)  # delivered twice
    assert matched_rows() == rows
    ClaimMatch.objects.all().delete()
    repeated.delete()  # gone meanwhile (a re-analysis no longer found it)
    tasks.match_claims(article.pk, article.run_id, ids)
    assert not ClaimMatch.objects.exists()


def test_the_matching_of_a_stale_run_does_nothing(pair):
    earlier, repeated = pair
    article = repeated.article
    article.refresh_from_db()
    ids = list(article.claims.values_list("pk", flat=True))
    old_run = article.run_id
    ClaimMatch.objects.all().delete()
    services.article_enqueue(article=article)  # analysed again since (its run queued)
    assert tasks.match_claims(article.pk, old_run, ids) is None
    assert not ClaimMatch.objects.exists()


def test_a_failing_matching_task_keeps_the_analysis_and_retries_only_transient_errors(
    pair, monkeypatch
):
    earlier, repeated = pair
    article = repeated.article
    article.refresh_from_db()
    ids = [repeated.pk]

    def broken(**kwargs):
        raise RuntimeError("candidate query broke")

    monkeypatch.setattr(matching, "claim_matches_find", broken)
    assert tasks.match_claims(article.pk, article.run_id, ids) == 0  # logged, not raised

    def blinked(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(matching, "claim_matches_find", blinked)
    with pytest.raises(OperationalError):  # raised: Celery retries it (autoretry_for)
        tasks.match_claims.run(article.pk, article.run_id, ids)
    article.refresh_from_db()
    assert article.state == "analyzed" and article.error == ""


def test_the_match_claims_command_makes_a_lost_matching_again(pair):
    from io import StringIO

    from django.core.management import CommandError, call_command

    earlier, repeated = pair
    rows = matched_rows()
    ClaimMatch.objects.all().delete()  # as if the task had been lost
    out = StringIO()
    call_command("match_claims", str(repeated.article_id), stdout=out)
    assert matched_rows() == rows and out.getvalue().strip() == "1 new match(es)"
    call_command("match_claims", "--since", "3600", stdout=out)  # again: nothing new
    assert matched_rows() == rows and out.getvalue().strip().endswith("0 new match(es)")
    with pytest.raises(CommandError):
        call_command("match_claims")


def test_a_claim_is_not_matched_to_its_own_published_verdict(ingest):
    # Our own verdicts are in the library; matching again (a re-analysis, a
    # match_claims run) suggested to a claim its own fact-check, or its article's.
    first = bridge(ingest(text=FIRST).article)
    FactCheck.objects.create(
        key="ours", origin="ours", claim=first, claim_text=first.text, rating="False"
    )
    assert services.claim_matches_find(claim_ids=[first.pk]) == []
    assert not ClaimMatch.objects.exists()
    # Another article's claim is still matched to it.
    second = bridge(ingest(text=SECOND).article)
    assert ClaimMatch.objects.filter(claim=second, matched_factcheck__claim=first).exists()


def test_known_matches_are_gathered_for_every_claim_of_a_long_article():
    # _known() went through every recorded match of the run once per claim:
    # re-analysing a real 1,300-claim article whose claims had 156,000 matches
    # (four near-copies of it in the tracker) spent 94 s there, and the worker's
    # matching task hit its time limit and failed ("claim matching failed"); each
    # match is now filed once (0.8 s). The speed is a benchmark's to measure, not a
    # timed test's; this one checks the filing.
    from tests.scale import article_with_claims

    mine = list(article_with_claims(600, title="Mine", blob_kb=1).claims.all())
    other = list(article_with_claims(60, title="Other", blob_kb=1).claims.all())
    rows = [
        ClaimMatch(claim=a, matched_claim=b, claim_fingerprint=a.fingerprint, score=0.9)
        for a in mine
        for b in other
    ]
    ClaimMatch.objects.bulk_create(rows, batch_size=2000)  # 36,000 matches
    known = matching._known(mine)
    assert all(known[a.pk] == {("claim", b.pk) for b in other} for a in mine)


def test_a_shared_rare_word_counts_for_more_than_a_shared_common_one(settings):
    """The re-ranker weighs a shared word by its rarity among the stored claims (IDF):
    two words that forty other claims hold say less than two no other claim holds.
    The words are made up and of one length, so that without weights both candidates
    score alike (0.48)."""
    from tests.factories import ArticleFactory, ClaimFactory

    settings.CLAIM_MATCH_THRESHOLD = 0.1  # both suggested: their scores compared
    elsewhere = ArticleFactory()
    for n in range(40):
        ClaimFactory(article=elsewhere, text=f"Gomer hadle report number {n} was filed.")
    rare = ClaimFactory(text="Kilox limav zupte yanbr.")
    common = ClaimFactory(text="Gomer hadle zupte yanbr.")
    claim = ClaimFactory(text="Gomer hadle kilox limav.")
    matching.claim_matches_find(claim_ids=[claim.pk])
    score = dict(ClaimMatch.objects.filter(claim=claim).values_list("matched_claim_id", "score"))
    assert score[rare.pk] > score[common.pk] + 0.05


def test_the_same_fact_reworded_as_a_post_would_put_it_is_suggested(ingest):
    """Repeats are rarely copies: a post or another outlet says it in its own words.
    Such rewordings scored 0.45 and were not suggested from 0.5, the threshold before
    it was set on CLEF 2020's train split (README, "Evaluation")."""
    from tests.factories import ClaimFactory

    first = ingest(text=FIRST).article
    bridge_claim = bridge(first)
    jobs_claim = first.claims.get(text__contains="Unemployment")
    reworded = [
        ClaimFactory(text="Repairs done, the bridge on the river will be open again by May."),
        ClaimFactory(text="The county jobless rate dropped to 3% last year."),
        ClaimFactory(text="Fishermen said the harbour had silted up over the winter."),
    ]
    matching.claim_matches_find(claim_ids=[c.pk for c in reworded])
    found = set(ClaimMatch.objects.values_list("claim_id", "matched_claim_id"))
    assert found == {(reworded[0].pk, bridge_claim.pk), (reworded[1].pk, jobs_claim.pk)}


def test_a_claim_sharing_rare_words_is_a_candidate_among_many_sharing_common_ones():
    """Stage 1 in the embedded mode keeps the 100 best of the newest claims by word
    overlap: weighed by rarity, as the re-ranker weighs it. Unweighted, 120 claims
    sharing two common words each outranked the one sharing two rare ones, and it
    was never scored. (PostgreSQL's stage 1 cuts its rows to 50 by pg_trgm's
    similarity, which does not weigh rarity either: not changed here, README.)"""
    from tests.factories import ArticleFactory, ClaimFactory

    if connection.vendor == "postgresql":
        pytest.skip("the embedded mode's stage 1")

    elsewhere = ArticleFactory()
    for n in range(120):
        ClaimFactory(article=elsewhere, text=f"Gomer hadle report number {n} was filed.")
    rare = ClaimFactory(
        text="Kilox limav turned up in a long list of twelve unusual findings this week."
    )
    claim = ClaimFactory(text="Gomer hadle kilox limav zupte.")
    found = {(c.kind, c.pk) for c in matching.claim_candidates(claim=claim)}
    assert len(found) == 2 * matching.CANDIDATES
    assert ("claim", rare.pk) in found


def test_a_match_is_scored_by_the_weights_of_the_claims_stored_so_far(ingest, monkeypatch):
    """On PostgreSQL a process kept the re-ranker's word weights for up to ten minutes:
    the claims stored since (the article being matched, the other copies of its
    story) were not counted, their words weighed as never seen (the heaviest), and a
    pair scored otherwise than the embedded mode scores it from the same claims,
    which the one CLAIM_MATCH_THRESHOLD was set for."""
    from claims.analysis import similarity

    monkeypatch.setattr(matching, "SAMPLE_SECONDS", matching.STATS_SECONDS)  # kept 10 min
    ingest(text=UNRELATED)  # a matching run: this process's weights are made now
    earlier = bridge(ingest(text=FIRST).article)
    repeated = bridge(ingest(text=SECOND).article)
    match = ClaimMatch.objects.get(claim=repeated, matched_claim=earlier)
    matching._idf["table"] = None  # the weights of the claims as they are now
    now = matching.claim_idf()
    expected = similarity.similarity(
        similarity.prepare(repeated.text), similarity.prepare(earlier.text), now
    )
    assert match.score == round(expected, 4)
