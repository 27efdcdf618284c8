"""Bulk actions: one service call per claim (each checked like a single change),
recorded as a BulkAction so that it can be undone for BULK_UNDO_MINUTES by
writing the inverse as new changes, never by deleting history."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from claims.domain import as_pk
from claims.models import BulkAction, Claim, ClaimStatus, Priority
from claims.workflow import (
    TRANSITIONS,
    NotPermitted,
    WorkflowError,
    claim_assign,
    claim_plan,
    claim_revert,
    claim_snapshot,
    claim_transition,
)

KEEP = object()  # "not part of this action" for bulk_describe's arguments
NO_CHANGE = "no change ("  # a bulk_describe line of claims the move cannot reach


def _label(status: str) -> str:
    return ClaimStatus(status).label


def bulk_describe(
    *, claims: list[Claim], to_status=None, assignee=KEEP, due_at=None, priority=None
) -> list[str]:
    """What a bulk action will change, one line per kind of change with its count
    ("21: status Unstarted -> Dismissed"), for the confirmation the faces show
    before anything is written. Claims the move is impossible for are named too."""
    if to_status is not None:
        moves = Counter(c.status for c in claims)
        lines = []
        for frm, n in sorted(moves.items()):
            if (frm, to_status) in TRANSITIONS:
                lines.append(f"{n}: status {_label(frm)} -> {_label(to_status)}")
            else:
                status = _label(frm).lower()
                article = "an" if status[0] in "aeiou" else "a"
                lines.append(
                    f"{n}: {NO_CHANGE}{article} {status} claim cannot become "
                    f"{_label(to_status).lower()}; it will be refused)"
                )
        if to_status == ClaimStatus.IN_PROGRESS:
            n = sum(
                1 for c in claims if c.assignee_id is None and c.status == ClaimStatus.UNSTARTED
            )
            if n:
                lines.append(f"{n}: assigned to you (starting an unassigned claim takes it)")
        return lines
    if assignee is not KEEP:
        after = assignee.get_username() if assignee else "nobody"
        before = Counter(c.assignee.get_username() if c.assignee else "nobody" for c in claims)
        return [f"{n}: assignee {b} -> {after}" for b, n in sorted(before.items())]
    lines = []
    if due_at is not None:
        lines.append(f"{len(claims)}: due date -> {timezone.localtime(due_at):%Y-%m-%d %H:%M}")
    if priority is not None:
        before = Counter(c.get_priority_display() for c in claims)
        after = Priority(priority).label
        lines += [f"{n}: priority {b} -> {after}" for b, n in sorted(before.items())]
    return lines


def bulk_head(verb: str, claims: list, lines: list[str]) -> str:
    """ "Dismiss 21 claims", or "Verdict: Verified 2 of 4 claims" when some of
    them cannot take the move (bulk_describe's "no change" lines)."""
    n = len(claims)
    refused = sum(int(line.split(":", 1)[0]) for line in lines if f": {NO_CHANGE}" in line)
    count = f"{n - refused} of {n}" if refused else f"{n}"
    return f"{verb} {count} claim{'s' if n != 1 else ''}"


def bulk_summary(verb: str, claims: list, lines: list[str]) -> str:
    """ "Dismiss 21 claims: status Unstarted -> Dismissed" (the changes joined)."""
    head = bulk_head(verb, claims, lines)
    if len(lines) == 1:
        return f"{head}: {lines[0].split(': ', 1)[1]}"
    return f"{head}: " + "; ".join(lines)


@dataclass
class BulkResult:
    done: list[int]
    refused: dict[int, str]
    action: BulkAction | None = field(default=None)


def bulk_versions(pairs: list[str]) -> dict[int, int] | None:
    """The versions a confirmation page showed, as it posts them back ("id:version"
    per claim), for the bulk services' ``versions``; None when it posted none."""
    if not pairs:
        return None
    versions = {}
    for pair in pairs:
        pk, _, version = pair.partition(":")
        if as_pk(pk) is not None and as_pk(version) is not None:
            versions[as_pk(pk)] = as_pk(version)
    return versions


def _changed_since(claim: Claim, versions: dict[int, int] | None) -> str | None:
    """Why ``claim`` is refused when it is no longer as the confirmation showed it
    (``versions``: claim id -> the version shown; None: nothing was shown)."""
    if versions is None:
        return None
    shown = versions.get(claim.pk)
    if shown is None:
        return "not on the confirmation page; left as it is."
    if shown != claim.version:
        return (
            f"changed since the confirmation page (now {_label(claim.status).lower()}, "
            f"version {claim.version}; the page showed version {shown}); left as it is."
        )
    return None


def _run(claims, user, action: str, summary: str, step, versions=None) -> BulkResult:
    """``step(claim)`` on each claim; the ones it changed are recorded together.
    With ``versions`` (what the confirmation page showed), a claim changed since
    is refused: the person confirmed what they saw, not what it has become."""
    result, items = BulkResult([], {}), []
    with transaction.atomic():
        for claim in claims:
            refusal = _changed_since(claim, versions)
            if refusal:
                result.refused[claim.pk] = refusal
                continue
            before = claim_snapshot(claim)
            try:
                step(claim)
            except WorkflowError as exc:
                result.refused[claim.pk] = exc.message
                continue
            result.done.append(claim.pk)
            items.append({"claim": claim.pk, "before": before, "after": claim_snapshot(claim)})
        if items:
            # The record keeps what fits (a verdict on claims of every status names
            # each: 560 characters, and PostgreSQL refused the row).
            summary = Truncator(summary).chars(BulkAction._meta.get_field("summary").max_length)
            result.action = BulkAction.objects.create(
                user=user, action=action, summary=summary, items=items
            )
    return result


def claims_bulk_transition(
    *,
    claims,
    to_status: str,
    user,
    note: str = "",
    dismiss_reason: str = "",
    summary: str = "",
    versions: dict[int, int] | None = None,
) -> BulkResult:
    def step(claim):
        claim_transition(
            claim=claim,
            to_status=to_status,
            user=user,
            note=note,
            expected_version=claim.version,
            dismiss_reason=dismiss_reason,
        )

    action = {ClaimStatus.IN_PROGRESS: "start", ClaimStatus.DISMISSED: "dismiss"}.get(
        to_status, f"status:{to_status}"
    )
    return _run(claims, user, action, summary, step, versions)


def claims_bulk_assign(
    *,
    claims,
    assignee,
    user,
    note: str = "",
    summary: str = "",
    versions: dict[int, int] | None = None,
) -> BulkResult:
    """``assignee`` None unassigns: the faces ask for that choice explicitly."""

    def step(claim):
        claim_assign(
            claim=claim, assignee=assignee, user=user, note=note, expected_version=claim.version
        )

    return _run(claims, user, "assign" if assignee else "unassign", summary, step, versions)


def claims_bulk_plan(
    *, claims, user, note: str = "", summary: str = "", versions=None, **plan
) -> BulkResult:
    """Set the due date and/or priority of many claims (editors)."""
    if not plan:
        raise WorkflowError("Give a due date or a priority to set.")

    def step(claim):
        claim_plan(claim=claim, user=user, expected_version=claim.version, note=note, **plan)

    return _run(claims, user, "plan", summary, step, versions)


def bulk_action_undoable(*, bulk_action: BulkAction, now=None) -> bool:
    now = now or timezone.now()
    window = timedelta(minutes=settings.BULK_UNDO_MINUTES)
    return bulk_action.undone_at is None and now - bulk_action.created_at <= window


def bulk_action_undo(*, bulk_action: BulkAction, user) -> BulkResult:
    """Undo a bulk action within BULK_UNDO_MINUTES: each claim gets its recorded
    "before" back as new changes noted "Undo of bulk action #N". A claim changed
    since (its version moved) is left alone and named among the refusals."""
    if bulk_action.user_id != user.pk and not user.has_perm("claims.assign_any"):
        raise NotPermitted("Only whoever made a bulk action, or an editor, can undo it.")
    note = f"Undo of bulk action #{bulk_action.pk}"
    result = BulkResult([], {}, bulk_action)
    with transaction.atomic():
        locked = BulkAction.objects.select_for_update().get(pk=bulk_action.pk)
        if not bulk_action_undoable(bulk_action=locked):
            when = "was undone already" if locked.undone_at else "is too old to undo"
            raise WorkflowError(
                f"Bulk action #{locked.pk} {when} (undo is possible for "
                f"{settings.BULK_UNDO_MINUTES} minutes)."
            )
        claims = Claim.objects.in_bulk([item["claim"] for item in locked.items])
        for item in locked.items:
            claim = claims.get(item["claim"])
            if claim is None or claim.version != item["after"]["version"]:
                result.refused[item["claim"]] = "changed since the bulk action; left as it is."
                continue
            try:
                claim_revert(
                    claim=claim,
                    to=item["before"],
                    user=user,
                    expected_version=claim.version,
                    note=note,
                )
            except WorkflowError as exc:
                result.refused[item["claim"]] = exc.message
                continue
            result.done.append(claim.pk)
        locked.undone_at, locked.undone_by = timezone.now(), user
        locked.save(update_fields=["undone_at", "undone_by"])
        bulk_action.undone_at, bulk_action.undone_by = locked.undone_at, user
    return result
