"""The desk's single-claim rules: a dismiss names its reason, start takes an
unassigned claim, a fact-checker restores their own dismiss, editors plan due
dates and priorities and record the published fact-check."""

from datetime import UTC, datetime

import pytest

from claims.models import ClaimChange, ClaimStatus, StatusChange
from claims.workflow import (
    NotPermitted,
    ReasonRequired,
    WorkflowError,
    allowed_targets,
    claim_plan,
    claim_publish,
    claim_transition,
)
from tests.factories import ClaimFactory, checker, editor, viewer

pytestmark = pytest.mark.django_db
S = ClaimStatus
DUE = datetime(2026, 12, 24, 9, 0, tzinfo=UTC)


def dismiss(claim, user, reason="opinion", note=""):
    return claim_transition(
        claim=claim,
        to_status=S.DISMISSED,
        user=user,
        note=note,
        dismiss_reason=reason,
        expected_version=claim.version,
    )


@pytest.mark.parametrize("reason, note", [("", "some text"), ("bogus", ""), ("other", "  ")])
def test_a_dismiss_without_its_reason_is_refused(reason, note):
    claim = ClaimFactory()
    with pytest.raises(ReasonRequired) as info:
        dismiss(claim, checker(), reason, note)
    assert "dismiss" in info.value.message.lower()
    claim.refresh_from_db()
    assert claim.status == S.UNSTARTED and claim.version == 1
    assert not StatusChange.objects.exists()


@pytest.mark.parametrize("reason", ["not_checkworthy", "duplicate", "opinion"])
def test_a_dismiss_records_its_reason(reason):
    claim = ClaimFactory()
    change = dismiss(claim, checker(), reason, note="See #12.")
    claim.refresh_from_db()
    assert (claim.status, claim.dismiss_reason) == (S.DISMISSED, reason)
    assert change.note == "See #12."


def test_other_needs_and_keeps_its_text():
    claim = ClaimFactory()
    dismiss(claim, checker(), "other", note="A quote from a poem.")
    claim.refresh_from_db()
    assert claim.dismiss_reason == "other"
    assert claim.status_changes.get().note == "A quote from a poem."


def test_restoring_clears_the_reason():
    claim = ClaimFactory()
    dismiss(claim, editor())
    claim_transition(
        claim=claim, to_status=S.UNSTARTED, user=editor(), expected_version=claim.version
    )
    claim.refresh_from_db()
    assert claim.status == S.UNSTARTED and claim.dismiss_reason == ""


def test_a_checker_restores_their_own_dismiss_but_not_anothers():
    mine, theirs = ClaimFactory(), ClaimFactory()
    me, other = checker(), checker(username="other-checker")
    dismiss(mine, me)
    dismiss(theirs, other)
    assert S.UNSTARTED in allowed_targets(mine, me)
    assert S.UNSTARTED not in allowed_targets(theirs, me)
    claim_transition(claim=mine, to_status=S.UNSTARTED, user=me, expected_version=mine.version)
    mine.refresh_from_db()
    assert mine.status == S.UNSTARTED
    with pytest.raises(NotPermitted, match="dismissed yourself"):
        claim_transition(
            claim=theirs, to_status=S.UNSTARTED, user=me, expected_version=theirs.version
        )


def test_a_viewer_cannot_restore_even_if_named_as_the_dismisser():
    claim = ClaimFactory()
    dismiss(claim, editor())
    with pytest.raises(NotPermitted):
        claim_transition(
            claim=claim, to_status=S.UNSTARTED, user=viewer(), expected_version=claim.version
        )


def test_start_takes_an_unassigned_claim_and_records_it():
    claim = ClaimFactory()
    me = checker()
    claim_transition(claim=claim, to_status=S.IN_PROGRESS, user=me, expected_version=1)
    claim.refresh_from_db()
    assert claim.assignee == me and claim.version == 2
    change = ClaimChange.objects.get(claim=claim)
    assert change.action == "assigned" and change.changes == {"assignee": [None, "checker"]}


def test_start_keeps_someone_elses_assignment():
    someone = checker(username="someone")
    claim = ClaimFactory(assignee=someone)
    claim_transition(claim=claim, to_status=S.IN_PROGRESS, user=editor(), expected_version=1)
    claim.refresh_from_db()
    assert claim.assignee == someone and not ClaimChange.objects.exists()


def test_editors_plan_due_date_and_priority_recorded_in_history():
    claim = ClaimFactory()
    claim_plan(claim=claim, user=editor(), expected_version=1, due_at=DUE, priority=1)
    claim.refresh_from_db()
    assert (claim.due_at, claim.priority, claim.version) == (DUE, 1, 2)
    change = ClaimChange.objects.get(claim=claim, action="planned")
    assert change.changes == {"due_at": [None, DUE.isoformat()], "priority": [3, 1]}


@pytest.mark.parametrize("role", [checker, viewer])
def test_others_cannot_plan(role):
    claim = ClaimFactory()
    with pytest.raises(NotPermitted):
        claim_plan(claim=claim, user=role(), expected_version=1, priority=1)
    claim.refresh_from_db()
    assert claim.priority == 3 and claim.version == 1


def test_a_made_up_priority_is_refused():
    with pytest.raises(WorkflowError, match="not a priority"):
        claim_plan(claim=ClaimFactory(), user=editor(), expected_version=1, priority=9)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://example.org/x",
        "https://exa\u202emple.org/",
        "https://goo\u200bgle.com/",
        "https://goo\u2060gle.com/",
        "not a url",
    ],
)
def test_the_public_url_is_validated_like_evidence(url):
    claim = ClaimFactory()
    with pytest.raises(WorkflowError):
        claim_publish(
            claim=claim, user=editor(), expected_version=1, public_url=url, public_summary="s"
        )
    claim.refresh_from_db()
    assert claim.public_url == "" and claim.version == 1


def test_editors_publish_and_it_is_recorded():
    claim = ClaimFactory()
    claim_publish(
        claim=claim,
        user=editor(),
        expected_version=1,
        public_url="https://factcheck.example/dam",
        public_summary="The dam passed.",
    )
    claim.refresh_from_db()
    assert claim.public_url == "https://factcheck.example/dam"
    assert ClaimChange.objects.get(claim=claim).action == "published"
    with pytest.raises(NotPermitted):
        claim_publish(
            claim=claim, user=checker(), expected_version=2, public_url="", public_summary=""
        )
