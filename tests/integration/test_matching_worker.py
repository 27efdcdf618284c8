"""Claim matching in the real mode: its own task (match_claims), on the light
"default" queue, published once the analysis has committed, so the analysis
worker takes the next article instead of matching (issue 12). A broker that does
not take it leaves the matching to the analysis worker, not undone.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/15 REQUIRE_SERVICES=1 \\
      .venv/bin/python -m pytest tests/integration/test_matching_worker.py -q
"""

from __future__ import annotations

import base64
import json
import re

import pytest
import redis
from django.db.models import Q

from claims import tasks
from claims.models import AnalysisState, ClaimMatch
from claims.services import article_ingest
from tests.integration.conftest import publish_to, wait_for
from tests.integration.test_real_mode import ANALYSIS, CLOSED_PORT_BROKER
from tests.services.test_matching import FIRST, SECOND, bridge

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def queued(broker: str, queue: str) -> list[tuple[str, list]]:
    """The (task name, args) of the messages waiting on a queue of the Redis broker."""
    found = []
    for raw in redis.Redis.from_url(broker).lrange(queue, 0, -1):
        message = json.loads(raw)
        args, _, _ = json.loads(base64.b64decode(message["body"]))
        found.append((message["headers"]["task"], args))
    return found


def linked(first, second):
    """The match between the two articles' bridge claims, found from either side
    (whichever article's matching ran once both were analysed)."""
    a, b = bridge(first), bridge(second)
    return ClaimMatch.objects.filter(
        Q(claim=a, matched_claim=b) | Q(claim=b, matched_claim=a)
    ).first()


def analyse_here(article) -> None:
    """The analysis task's body in this process (no worker), as a worker runs it."""
    article.refresh_from_db()
    tasks.analyze_article(article.pk, article.run_id)
    article.refresh_from_db()
    assert article.state == AnalysisState.ANALYZED


def test_the_analysis_publishes_the_matching_to_the_default_queue(broker):
    first = article_ingest(text=FIRST).article
    second = article_ingest(text=SECOND).article
    analyse_here(first)
    analyse_here(second)
    # Not matched in the analysis: the matching waits on "default", one task per run.
    assert not ClaimMatch.objects.exists()
    waiting = queued(broker, "default")
    assert [name for name, _ in waiting] == ["claims.tasks.match_claims"] * 2
    assert {args[0] for _, args in waiting} == {first.pk, second.pk}
    assert not any(name == "claims.tasks.match_claims" for name, _ in queued(broker, "analysis"))

    for _, args in reversed(waiting):  # as a worker takes them (the list's tail first)
        tasks.match_claims(*args)
    assert linked(first, second) is not None
    rows = list(ClaimMatch.objects.values_list("claim_id", "matched_claim_id", "score"))
    for _, args in waiting:  # delivered again (a worker died before the ack): nothing new
        tasks.match_claims(*args)
    assert list(ClaimMatch.objects.values_list("claim_id", "matched_claim_id", "score")) == rows


def test_a_broker_that_does_not_take_the_matching_leaves_it_to_the_analysis(broker):
    first = article_ingest(text=FIRST).article
    second = article_ingest(text=SECOND).article
    analyse_here(first)
    publish_to(CLOSED_PORT_BROKER)  # gone between the analysis's delivery and its end
    analyse_here(second)
    assert ClaimMatch.objects.get(claim=bridge(second)).matched_claim == bridge(first)


def test_a_worker_analyses_then_matches_on_the_default_queue(broker, worker):
    first = article_ingest(text=FIRST).article
    second = article_ingest(text=SECOND).article

    def matched():
        done = [a for a in (first, second) if a.claims.exists()]
        return len(done) == 2 and linked(first, second)

    wait_for(matched, ANALYSIS, "the two articles' bridge claims to be matched")
    for article in (first, second):
        article.refresh_from_db()
        assert article.state == AnalysisState.ANALYZED and article.times_analyzed == 1
    log = worker.output()
    assert re.search(r"Task claims\.tasks\.match_claims\[[^]]+\] succeeded", log), log
    assert "Traceback" not in log


def test_a_long_articles_matching_is_split_into_tasks_of_bounded_size(broker, settings):
    """A 1 MB article (thousands of claims) as one match_claims task ran past the task
    time limit and failed, its claims left unmatched. Its matching is published in
    parts of at most MATCHING_TASK_MAX_CLAIMS claims, each a task of its own; run
    together (as workers take them) they match what one run would."""
    settings.MATCHING_TASK_MAX_CLAIMS = 1  # the story has two claims: two parts
    first = article_ingest(text=FIRST).article
    analyse_here(first)
    second = article_ingest(text=SECOND).article
    redis.Redis.from_url(broker).flushdb()
    analyse_here(second)
    claims = sorted(second.claims.values_list("pk", flat=True))
    assert len(claims) > 1
    waiting = queued(broker, "default")
    assert {name for name, _ in waiting} == {"claims.tasks.match_claims"}
    parts = [args[2] for _, args in reversed(waiting)]  # in the order published
    assert [len(part) for part in parts] == [1] * len(claims)
    assert sorted(pk for part in parts for pk in part) == claims
    for _, args in reversed(waiting):
        tasks.match_claims(*args)
    assert linked(first, second) is not None
