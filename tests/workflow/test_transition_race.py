"""An editor's verdict racing fact-checkers who "give back" the same claim.

Each round a claim is in progress at version v. Seven threads, each with its own
PostgreSQL connection, load the claim, then at once: the editor gives the verdict
``false`` (version v); six checkers give the claim back, half with version v
(an honest race) and half with v + 1, the version the verdict is about to make
(a checker who knows it is coming), retrying until the editor is done. A checker
whose copy of the claim predates the verdict must not be able to undo it: the
move is decided from the locked row.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_wt11a REQUIRE_SERVICES=1 \\
      .venv/bin/python -m pytest tests/workflow/test_transition_race.py -q -s
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from claims.models import Claim, ClaimStatus, StatusChange
from claims.workflow import TRANSITIONS, WorkflowError, claim_transition
from tests.factories import ArticleFactory, ClaimFactory, checker, editor

S = ClaimStatus
ROUNDS = 200
CHECKERS = 6


def _history_faults(claim: Claim, start: str) -> list[str]:
    """Every way the claim's history fails to explain its status: a change whose
    'from' is not the status before it, or a move nobody may make, or a final
    status the history does not reach."""
    faults, status = [], start
    changes = StatusChange.objects.filter(claim=claim).select_related("user").order_by("pk")
    for change in changes:
        rule = TRANSITIONS.get((change.from_status, change.to_status))
        if change.from_status != status:
            faults.append(f"recorded {change.from_status}->{change.to_status}, was {status}")
        elif rule is None or not change.user.has_perm(rule.permission):
            faults.append(
                f"{change.user} made a move nobody may: {change.from_status}->{change.to_status}"
            )
        status = change.to_status
    if claim.status != status:
        faults.append(f"status {claim.status}, history ends at {status}")
    return faults


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_no_checker_undoes_a_verdict_in_a_race():
    boss = editor()
    checkers = [checker(username=f"checker{i}") for i in range(CHECKERS)]
    article = ArticleFactory()
    go = threading.Barrier(CHECKERS + 2)  # the threads and this one
    done = threading.Barrier(CHECKERS + 2)
    verdict_done = threading.Event()
    state: dict = {}
    outcomes: Counter = Counter()
    errors: list[BaseException] = []

    def editor_loop():
        try:
            for _ in range(ROUNDS):
                go.wait(30)
                claim = Claim.objects.get(pk=state["pk"])
                try:
                    claim_transition(
                        claim=claim,
                        to_status=S.FALSE,
                        user=boss,
                        note="refuted",
                        expected_version=state["v"],
                    )
                    state["verdict"] = True
                except WorkflowError as exc:
                    outcomes[f"editor {exc.code}"] += 1
                finally:
                    verdict_done.set()
                done.wait(30)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
            go.abort()
            done.abort()
        finally:
            connection.close()

    def checker_loop(i: int):
        user = checkers[i]
        try:
            for _ in range(ROUNDS):
                go.wait(30)
                claim = Claim.objects.get(pk=state["pk"])  # loaded before the verdict lands
                version = state["v"] + (i % 2)
                while True:
                    last_try = verdict_done.is_set()
                    try:
                        claim_transition(
                            claim=claim, to_status=S.UNSTARTED, user=user, expected_version=version
                        )
                        outcomes["give back"] += 1
                        break
                    except WorkflowError as exc:
                        outcomes[f"checker {exc.code}"] += 1
                    if last_try:
                        break
                done.wait(30)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
            go.abort()
            done.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=editor_loop)]
    threads += [threading.Thread(target=checker_loop, args=(i,)) for i in range(CHECKERS)]
    for t in threads:
        t.start()

    rounds = verdicts = undone = 0
    faults: list[str] = []
    try:
        for _ in range(ROUNDS):
            claim = ClaimFactory(article=article, status=S.IN_PROGRESS, version=3)
            state.update(pk=claim.pk, v=3, verdict=False)
            verdict_done.clear()
            go.wait(30)
            done.wait(60)
            rounds += 1
            claim.refresh_from_db()
            faults += [f"claim {claim.pk}: {f}" for f in _history_faults(claim, S.IN_PROGRESS)]
            if state["verdict"]:
                verdicts += 1
                undone += claim.status != S.FALSE
    finally:
        for t in threads:
            t.join(60)
    assert not errors, errors
    print(
        f"\nrace: {rounds} rounds, {verdicts} verdicts given, {undone} undone, "
        f"{len(faults)} history faults; outcomes {dict(outcomes)}"
    )
    assert rounds == ROUNDS
    # Checkers cannot take a verdict back; the history explains every status.
    assert undone == 0
    assert faults == []
