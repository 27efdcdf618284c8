"""Bulk actions are recorded and undone by writing the inverse as new changes:
history grows, nothing is deleted, and a claim changed since is left alone."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from claims.models import BulkAction, ClaimChange, ClaimStatus, StatusChange
from claims.services import (
    bulk_action_undo,
    claims_bulk_assign,
    claims_bulk_plan,
    claims_bulk_transition,
)
from claims.workflow import NotPermitted, WorkflowError, claim_set_notes
from tests.factories import ClaimFactory, checker, editor

pytestmark = pytest.mark.django_db
S = ClaimStatus


def test_a_bulk_dismiss_is_recorded_and_undone_as_new_changes():
    boss = editor()
    claims = [ClaimFactory() for _ in range(3)]
    result = claims_bulk_transition(
        claims=claims, to_status=S.DISMISSED, user=boss, dismiss_reason="duplicate"
    )
    assert sorted(result.done) == sorted(c.pk for c in claims) and not result.refused
    action = result.action
    assert action.user == boss and action.action == "dismiss" and len(action.items) == 3
    assert action.items[0]["before"]["status"] == "unstarted"
    assert action.items[0]["after"]["status"] == "dismissed"

    undo = bulk_action_undo(bulk_action=action, user=boss)
    assert sorted(undo.done) == sorted(c.pk for c in claims)
    for claim in claims:
        claim.refresh_from_db()
        assert (claim.status, claim.dismiss_reason, claim.version) == (S.UNSTARTED, "", 3)
        steps = list(claim.status_changes.values_list("from_status", "to_status", "note"))
        assert steps == [
            ("unstarted", "dismissed", ""),
            ("dismissed", "unstarted", f"Undo of bulk action #{action.pk}"),
        ]
    action.refresh_from_db()
    assert action.undone_at is not None and action.undone_by == boss


def test_undo_leaves_a_claim_changed_since_and_names_it():
    boss = editor()
    first, second = ClaimFactory(), ClaimFactory()
    result = claims_bulk_transition(claims=[first, second], to_status=S.IN_PROGRESS, user=boss)
    second.refresh_from_db()
    claim_set_notes(claim=second, notes="I am on it", user=checker(), expected_version=2)
    undo = bulk_action_undo(bulk_action=result.action, user=boss)
    assert undo.done == [first.pk]
    assert "changed since" in undo.refused[second.pk]
    first.refresh_from_db()
    second.refresh_from_db()
    # Start took the unassigned claims; the undo gives the first one back entirely.
    assert (first.status, first.assignee) == (S.UNSTARTED, None)
    assert (second.status, second.assignee) == (S.IN_PROGRESS, boss)


def test_undo_of_an_assignment_restores_each_previous_assignee():
    boss, a, b = editor(), checker(username="a"), checker(username="b")
    one, two = ClaimFactory(assignee=a), ClaimFactory()
    result = claims_bulk_assign(claims=[one, two], assignee=b, user=boss)
    undo = bulk_action_undo(bulk_action=result.action, user=boss)
    assert sorted(undo.done) == sorted([one.pk, two.pk])
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.assignee, two.assignee) == (a, None)
    change = ClaimChange.objects.filter(claim=one, action="undone").get()
    assert change.changes == {"assignee": ["b", "a"]}
    assert change.note == f"Undo of bulk action #{result.action.pk}"


def test_a_bulk_plan_and_its_undo():
    boss = editor()
    due = datetime(2026, 12, 24, 9, 0, tzinfo=UTC)
    claim = ClaimFactory(priority=4)
    result = claims_bulk_plan(claims=[claim], user=boss, due_at=due, priority=1)
    claim.refresh_from_db()
    assert (claim.due_at, claim.priority) == (due, 1)
    bulk_action_undo(bulk_action=result.action, user=boss)
    claim.refresh_from_db()
    assert (claim.due_at, claim.priority) == (None, 4)


def test_a_plan_needs_something_to_set():
    with pytest.raises(WorkflowError):
        claims_bulk_plan(claims=[ClaimFactory()], user=editor())


def test_undo_only_once_and_only_within_the_window(settings):
    boss = editor()
    result = claims_bulk_transition(claims=[ClaimFactory()], to_status=S.IN_PROGRESS, user=boss)
    bulk_action_undo(bulk_action=result.action, user=boss)
    with pytest.raises(WorkflowError, match="undone already"):
        bulk_action_undo(bulk_action=result.action, user=boss)

    settings.BULK_UNDO_MINUTES = 10
    late = claims_bulk_transition(claims=[ClaimFactory()], to_status=S.IN_PROGRESS, user=boss)
    BulkAction.objects.filter(pk=late.action.pk).update(
        created_at=timezone.now() - timedelta(minutes=11)
    )
    late.action.refresh_from_db()
    with pytest.raises(WorkflowError, match="too old"):
        bulk_action_undo(bulk_action=late.action, user=boss)


def test_only_the_author_or_an_editor_may_undo():
    boss = editor()
    result = claims_bulk_transition(claims=[ClaimFactory()], to_status=S.IN_PROGRESS, user=boss)
    with pytest.raises(NotPermitted):
        bulk_action_undo(bulk_action=result.action, user=checker())
    assert bulk_action_undo(bulk_action=result.action, user=editor(username="ed2")).done


def test_refusals_are_not_recorded_and_history_is_never_deleted():
    boss = editor()
    ok, verdict = ClaimFactory(), ClaimFactory(status=S.FALSE)
    result = claims_bulk_transition(
        claims=[ok, verdict], to_status=S.DISMISSED, user=boss, dismiss_reason="opinion"
    )
    assert result.done == [ok.pk] and verdict.pk in result.refused
    assert [item["claim"] for item in result.action.items] == [ok.pk]
    before = StatusChange.objects.count()
    bulk_action_undo(bulk_action=result.action, user=boss)
    assert StatusChange.objects.count() == before + 1


def test_nothing_done_records_no_bulk_action():
    result = claims_bulk_transition(
        claims=[ClaimFactory()], to_status=S.DISMISSED, user=editor()
    )  # no reason: refused
    assert result.action is None and not BulkAction.objects.exists()
    assert "Say why" in next(iter(result.refused.values()))


def test_undo_of_a_bulk_verdict_takes_our_fact_check_out_of_the_library():
    """A verdict with its published fact-check is in the library; undoing the bulk
    verdict that gave it must take it out again, as reopening does."""
    from claims.models import FactCheck
    from claims.selectors import factcheck_list

    boss = editor()
    claim = ClaimFactory(
        status=S.IN_PROGRESS,
        public_url="https://newsroom.example/checks/1",
        public_summary="The count was 12, not 40.",
    )
    result = claims_bulk_transition(
        claims=[claim], to_status=S.FALSE, user=boss, note="Council minutes say 12."
    )
    assert FactCheck.objects.filter(claim=claim).exists()
    undo = bulk_action_undo(bulk_action=result.action, user=boss)
    assert undo.done == [claim.pk]
    claim.refresh_from_db()
    assert claim.status == S.IN_PROGRESS
    # Out of the library (withdrawn: kept, hidden, for the matches decided on it).
    assert not factcheck_list().filter(claim=claim).exists()
    assert FactCheck.objects.get(claim=claim).withdrawn_at is not None
