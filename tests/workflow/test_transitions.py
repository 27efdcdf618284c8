"""Role x transition, through the one service every path uses."""

import pytest

from claims.models import ClaimStatus, StatusChange
from claims.workflow import (
    TRANSITIONS,
    NoteRequired,
    NotPermitted,
    TransitionNotAllowed,
    claim_transition,
)
from tests.factories import ClaimFactory, checker, editor, viewer
from tests.transition_table import EXPECTED, EXTRA, OWN, PAIRS, VERDICTS

S = ClaimStatus
ROLES = {"editor": editor, "checker": checker, "viewer": viewer}


def test_the_rules_table_is_the_issues_table():
    assert set(TRANSITIONS) == set(EXPECTED)
    own = {pair for pair, rule in TRANSITIONS.items() if rule.own_permission}
    assert own == set(OWN)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("frm, to", PAIRS)
def test_matrix(role, frm, to):
    user = ROLES[role]()
    claim = ClaimFactory(status=frm)
    allowed = role in EXPECTED.get((frm, to), set())
    if allowed:
        change = claim_transition(
            claim=claim,
            to_status=to,
            user=user,
            note="checked",
            expected_version=1,
            **EXTRA.get(to, {}),
        )
        claim.refresh_from_db()
        assert claim.status == to and claim.version == 2
        assert (change.user, change.from_status, change.to_status) == (user, frm, to)
        return
    expected = NotPermitted if (frm, to) in EXPECTED else TransitionNotAllowed
    with pytest.raises(expected) as info:
        claim_transition(
            claim=claim,
            to_status=to,
            user=user,
            note="checked",
            expected_version=1,
            **EXTRA.get(to, {}),
        )
    assert "can" in info.value.message  # says what is allowed instead
    claim.refresh_from_db()
    assert claim.status == frm and claim.version == 1
    assert not StatusChange.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("to", VERDICTS)
def test_a_verdict_needs_a_note(to):
    claim = ClaimFactory(status=S.IN_PROGRESS)
    with pytest.raises(NoteRequired):
        claim_transition(claim=claim, to_status=to, user=editor(), note="  ", expected_version=1)


@pytest.mark.django_db
def test_reopen_needs_a_note_and_says_so():
    claim = ClaimFactory(status=S.FALSE)
    with pytest.raises(NoteRequired, match="rationale"):
        claim_transition(claim=claim, to_status=S.IN_PROGRESS, user=editor(), expected_version=1)


@pytest.mark.django_db
def test_refusal_lists_what_is_allowed_from_here():
    claim = ClaimFactory(status=S.UNSTARTED)
    with pytest.raises(TransitionNotAllowed) as info:
        claim_transition(
            claim=claim, to_status=S.VERIFIED, user=editor(), note="x", expected_version=1
        )
    assert "in progress" in info.value.message and "dismissed" in info.value.message


@pytest.mark.django_db
def test_made_up_status_is_refused():
    claim = ClaimFactory()
    with pytest.raises(TransitionNotAllowed, match="not a status"):
        claim_transition(claim=claim, to_status="banana", user=editor(), expected_version=1)


@pytest.mark.django_db
def test_claim_edit_is_all_or_nothing():
    """Several changes at once (the admin's form): a refused transition at the
    end leaves the plan and notes before it unwritten."""
    from claims.models import ClaimChange, Comment
    from claims.workflow import ReasonRequired, claim_edit

    claim = ClaimFactory()
    version = claim.version
    with pytest.raises(ReasonRequired):
        claim_edit(
            claim=claim,
            user=editor(),
            expected_version=version,
            changes={"priority": 4, "notes": "typed"},
            transition={"to_status": S.DISMISSED, "note": "", "dismiss_reason": ""},
        )
    claim.refresh_from_db()
    assert (claim.version, claim.notes, claim.status) == (version, "", S.UNSTARTED)
    assert not ClaimChange.objects.filter(claim=claim).exists()
    assert not Comment.objects.filter(claim=claim).exists()


@pytest.mark.django_db
def test_an_edit_of_a_claim_deleted_meanwhile_is_refused_in_words():
    from claims.workflow import WorkflowError, claim_edit_check

    claim = ClaimFactory()
    ClaimFactory._meta.model.objects.filter(pk=claim.pk).delete()
    with pytest.raises(WorkflowError, match="no longer exists"):
        claim_edit_check(claim=claim, user=editor(), expected_version=1, changes={"priority": 1})


@pytest.mark.django_db
def test_giving_a_claim_back_unassigns_it_on_record():
    """ "Give back to the queue": the assignee's in progress -> unstarted leaves the
    claim unassigned (it was left in their Mine and never in Unassigned)."""
    from claims.models import ClaimChange

    me = checker(username="me")
    claim = ClaimFactory()
    claim_transition(claim=claim, to_status=ClaimStatus.IN_PROGRESS, user=me, expected_version=1)
    claim_transition(claim=claim, to_status=ClaimStatus.UNSTARTED, user=me, expected_version=2)
    claim.refresh_from_db()
    assert (claim.status, claim.assignee) == (ClaimStatus.UNSTARTED, None)
    last = ClaimChange.objects.filter(claim=claim).last()
    assert (last.action, last.changes, last.user) == ("assigned", {"assignee": ["me", None]}, me)


@pytest.mark.django_db
def test_someone_else_moving_a_claim_back_to_unstarted_leaves_its_assignee():
    me, boss = checker(username="me"), editor(username="boss")
    claim = ClaimFactory(assignee=me, status=ClaimStatus.IN_PROGRESS)
    claim_transition(claim=claim, to_status=ClaimStatus.UNSTARTED, user=boss, expected_version=1)
    claim.refresh_from_db()
    assert (claim.status, claim.assignee) == (ClaimStatus.UNSTARTED, me)
