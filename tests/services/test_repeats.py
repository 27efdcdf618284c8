"""Repetition: Claim.repeats counts the articles a claim is made in (its own, its
cluster's, its strong suggested matches'), kept right by the matching service when
a match is found, confirmed or rejected; reaching CLUSTER_PRIORITY_REPEATS raises an
open claim's priority once, as a recorded change."""

from __future__ import annotations

import io
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import services
from claims.models import Claim, ClaimChange, ClaimMatch, MatchState, Priority
from claims.services import matching
from tests.factories import ArticleFactory, ClaimFactory, editor
from tests.services.test_matching import FIRST, SECOND, UNRELATED, bridge

pytestmark = pytest.mark.django_db

THIRD = SECOND.replace("MILLTOWN", "MILL TOWN").replace("$4 million", "4 million dollars")


def repeats(*claims) -> list[int]:
    return [Claim.objects.get(pk=c.pk).repeats for c in claims]


def test_a_strong_suggested_match_counts_at_once(ingest):
    first = ingest(text=FIRST).article
    second = ingest(text=SECOND).article
    ingest(text=UNRELATED)
    a, b = bridge(first), bridge(second)
    assert ClaimMatch.objects.get().score >= 0.8  # a one-word change: strong
    assert repeats(a, b) == [2, 2]
    # Claims that match nothing stay at 1.
    others = Claim.objects.exclude(pk__in=[a.pk, b.pk]).values_list("repeats", flat=True)
    assert len(others) >= 3 and set(others) == {1}


def test_a_weak_suggestion_counts_only_once_confirmed(ingest, settings):
    settings.CLUSTER_REPEAT_SCORE = 0.99
    a = bridge(ingest(text=FIRST).article)
    b = bridge(ingest(text=SECOND).article)
    assert repeats(a, b) == [1, 1]
    services.claim_match_confirm(match=ClaimMatch.objects.get(), user=editor())
    assert repeats(a, b) == [2, 2]


def test_a_rejected_match_no_longer_counts(ingest):
    a = bridge(ingest(text=FIRST).article)
    b = bridge(ingest(text=SECOND).article)
    services.claim_match_reject(match=ClaimMatch.objects.get(), user=editor())
    assert repeats(a, b) == [1, 1]


def test_a_cluster_counts_its_articles_not_its_claims(ingest, settings):
    settings.CLUSTER_REPEAT_SCORE = 1.0  # only confirmed matches count here
    a = bridge(ingest(text=FIRST).article)
    b = bridge(ingest(text=SECOND).article)
    c = bridge(ingest(text=THIRD).article)
    user = editor()
    for match in ClaimMatch.objects.filter(state=MatchState.SUGGESTED, matched_claim__isnull=False):
        services.claim_match_confirm(match=match, user=user)
    assert repeats(a, b, c) == [3, 3, 3]
    # A second claim of an article already in the cluster adds no article.
    twin = ClaimFactory(article=a.article, text=a.text + " Again.", cluster_id=a.pk)
    matching.claim_repeats_update(claim_ids=[twin.pk])
    assert repeats(a, b, c, twin) == [3, 3, 3, 3]


def test_three_articles_raise_the_priority_once_as_a_recorded_change(ingest):
    a = bridge(ingest(text=FIRST).article)
    b = bridge(ingest(text=SECOND).article)
    assert repeats(a, b) == [2, 2]
    assert not ClaimChange.objects.filter(action=matching.PRIORITY_RAISED).exists()
    c = bridge(ingest(text=THIRD).article)
    assert repeats(c) == [3]  # strong suggestions to both earlier claims
    c.refresh_from_db()
    assert c.priority == Priority.HIGH and c.version == 2
    change = ClaimChange.objects.get(claim=c, action=matching.PRIORITY_RAISED)
    assert change.user is None and change.changes == {"priority": [3, 2]}
    assert change.note == "Repeated in 3 articles: priority raised to High."
    # An editor lowers it again: a later recount does not overrule them.
    Claim.objects.filter(pk=c.pk).update(priority=Priority.LOW)
    matching.claim_repeats_update(claim_ids=[a.pk, b.pk, c.pk])
    c.refresh_from_db()
    assert c.priority == Priority.LOW
    assert ClaimChange.objects.filter(claim=c, action=matching.PRIORITY_RAISED).count() == 1


def test_the_raise_is_a_setting_and_spares_closed_and_urgent_claims(ingest, settings):
    settings.CLUSTER_PRIORITY_REPEATS = 0
    a = bridge(ingest(text=FIRST).article)
    bridge(ingest(text=SECOND).article)
    c = bridge(ingest(text=THIRD).article)
    assert not ClaimChange.objects.filter(action=matching.PRIORITY_RAISED).exists()
    settings.CLUSTER_PRIORITY_REPEATS = 3
    Claim.objects.filter(pk=a.pk).update(status="false")
    Claim.objects.filter(pk=c.pk).update(priority=Priority.URGENT)
    matching.claim_repeats_update(claim_ids=[a.pk, c.pk])
    raised = ClaimChange.objects.filter(action=matching.PRIORITY_RAISED)
    assert not raised.filter(claim__in=[a, c]).exists()
    assert raised.count() == 1  # the open, normal one of the three


def _cluster(size: int) -> list[Claim]:
    claims = [ClaimFactory(article=ArticleFactory()) for _ in range(size)]
    Claim.objects.filter(pk__in=[c.pk for c in claims]).update(cluster_id=claims[0].pk)
    return claims


def test_the_recount_is_set_based(settings):
    settings.CLUSTER_PRIORITY_REPEATS = 0
    counted = []
    for size in (2, 12):
        claims = _cluster(size)
        with CaptureQueriesContext(connection) as ctx:
            matching.claim_repeats_update(claim_ids=[claims[0].pk])
        counted.append(len(ctx.captured_queries))
        assert set(repeats(*claims)) == {size}
    assert counted[0] == counted[1]


def test_a_deleted_claim_no_longer_counts_for_the_others(ingest, committed):
    a = bridge(ingest(text=FIRST).article)
    b = bridge(ingest(text=SECOND).article)
    assert repeats(a, b) == [2, 2]
    article = b.article
    article.raw_text = SECOND.replace("bridge would reopen", "ferry would sail")
    article.save(update_fields=["raw_text"])
    with committed():
        services.article_reanalyze(article=article)
    assert not Claim.objects.filter(pk=b.pk).exists()  # untouched, so dropped
    assert repeats(a) == [1]


def test_the_recount_command_sets_counts_made_before_it(ingest):
    from django.core.management import call_command

    a = bridge(ingest(text=FIRST).article)
    b = bridge(ingest(text=SECOND).article)
    Claim.objects.update(repeats=1)  # as migration 0021 leaves a matched database
    call_command("recount_repeats", "--batch", "1", stdout=io.StringIO())
    assert repeats(a, b) == [2, 2]


@pytest.mark.postgres
@pytest.mark.parametrize("seed", range(4))
def test_postgres_counts_as_the_python_rule_does(seed, settings):
    """REPEATS_SQL (PostgreSQL's one statement) against _repeats_count (the Python
    rule SQLite runs) on random graphs: clusters, strong, weak and rejected links,
    several claims of one article, recounts of random sets of claims; and the
    priorities it raises, those of the rule."""
    if connection.vendor != "postgresql":
        pytest.skip("the statement is PostgreSQL's")
    settings.CLUSTER_PRIORITY_REPEATS = 3
    rng = random.Random(seed)
    articles = [ArticleFactory() for _ in range(7)]
    claims = [
        ClaimFactory(
            article=rng.choice(articles),
            status=rng.choice(["unstarted", "in_progress", "false"]),
            priority=rng.choice(list(Priority)),
        )
        for _ in range(24)
    ]
    for _ in range(4):  # clusters, each named by its smallest claim id
        members = sorted(c.pk for c in rng.sample(claims, rng.randint(2, 4)))
        Claim.objects.filter(pk__in=members).update(cluster_id=members[0])
    pairs = {tuple(rng.sample(claims, 2)) for _ in range(40)}
    ClaimMatch.objects.bulk_create(
        ClaimMatch(
            claim=a,
            matched_claim=b,
            score=rng.choice([0.5, 0.79, 0.8, 0.95]),
            state=rng.choice([MatchState.SUGGESTED] * 3 + [MatchState.REJECTED]),
        )
        for a, b in pairs
        if (b, a) not in pairs
    )
    for _ in range(6):
        ids = {c.pk for c in rng.sample(claims, rng.randint(1, 5))}
        expected = matching._repeats_count(ids)
        raised = set(ClaimChange.objects.values_list("claim_id", flat=True))
        due = {
            pk
            for pk, status, priority in Claim.objects.values_list("pk", "status", "priority")
            if pk in expected and expected[pk] >= 3 and pk not in raised
            and status != "false" and priority > Priority.HIGH
        }  # fmt: skip
        before = dict(Claim.objects.values_list("pk", "repeats"))
        changed = matching.claim_repeats_update(claim_ids=ids)
        assert set(ClaimChange.objects.values_list("claim_id", flat=True)) == raised | due
        after = dict(Claim.objects.values_list("pk", "repeats"))
        assert {pk: after[pk] for pk in expected} == expected
        assert {pk: n for pk, n in after.items() if pk not in expected} == {
            pk: n for pk, n in before.items() if pk not in expected
        }
        assert changed == sum(before[pk] != n for pk, n in expected.items())
