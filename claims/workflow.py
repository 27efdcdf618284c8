"""The verification workflow: who may move a claim where, and every editorial
write to a claim (status, assignee, notes, evidence, corrections).

One set of rules for every path (admin, dashboard, API, commands). Each write
checks the claim's version (optimistic locking: a stale save is refused and
names who changed the claim and when) and leaves an audit row that nobody can
edit or delete.

The audit is our own log rather than django-simple-history: every change goes
through these functions anyway, so they can record one entry per claim even in
bulk actions (simple-history cannot see queryset.update()), the entry says what
was meant ("assigned", "corrected source") and not only which columns changed,
and it costs no dependency.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from claims import notifications
from claims.domain import claim_confidence, fingerprint, validate_evidence_url
from claims.markup import mention_candidates, render_markdown
from claims.models import (
    VERDICTS,
    Claim,
    ClaimChange,
    ClaimStatus,
    Comment,
    DismissReason,
    Evidence,
    Priority,
    StatusChange,
)

S = ClaimStatus
WORK, VERDICT = "claims.work_claim", "claims.give_verdict"


@dataclass(frozen=True)
class Rule:
    permission: str
    note_required: bool
    label: str
    # Also allowed to whoever holds this permission when they made the step this
    # one reverses themselves: a fact-checker restores a claim they dismissed.
    own_permission: str | None = None


# (from, to) -> who may, and whether a rationale is required.
TRANSITIONS: dict[tuple[str, str], Rule] = {
    (S.UNSTARTED, S.IN_PROGRESS): Rule(WORK, False, "start"),
    (S.IN_PROGRESS, S.UNSTARTED): Rule(WORK, False, "give back"),
    (S.UNSTARTED, S.DISMISSED): Rule(WORK, False, "dismiss"),
    (S.IN_PROGRESS, S.DISMISSED): Rule(WORK, False, "dismiss"),
    (S.DISMISSED, S.UNSTARTED): Rule(VERDICT, False, "restore", own_permission=WORK),
    **{(S.IN_PROGRESS, v): Rule(VERDICT, True, f"verdict: {S(v).label.lower()}") for v in VERDICTS},
    **{(v, S.IN_PROGRESS): Rule(VERDICT, True, "reopen") for v in VERDICTS},
}


class WorkflowError(Exception):
    """A refused change. ``code`` says why, for the API's status codes."""

    code = "invalid"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TransitionNotAllowed(WorkflowError):
    code = "transition_not_allowed"  # 400: not possible from this status


class NotPermitted(WorkflowError):
    code = "permission_denied"  # 403: possible, but not for this role


class NoteRequired(WorkflowError):
    code = "note_required"  # 400


class StaleVersion(WorkflowError):
    code = "stale_version"  # 409: someone saved in between

    def __init__(self, message: str, *, version: int | None = None, yours: int | None = None):
        super().__init__(message)
        self.version, self.yours = version, yours  # the claim's now, and the caller's


class ReasonRequired(WorkflowError):
    code = "reason_required"  # 400: a dismiss without its reason


DISMISS = S.DISMISSED


def _dismissed_by(claim: Claim, user) -> bool:
    """Whether ``user`` made the step that dismissed the claim (its latest one)."""
    last = claim.status_changes.filter(to_status=S.DISMISSED).order_by("-created_at", "-id")
    return last.values_list("user_id", flat=True).first() == user.pk


def _may(rule: Rule, claim: Claim, user) -> bool:
    if user.has_perm(rule.permission):
        return True
    return bool(rule.own_permission) and (
        user.has_perm(rule.own_permission) and _dismissed_by(claim, user)
    )


class PermissionMemo:
    """``user`` with its has_perm() answers kept, for a list that asks the same
    few questions once per row: a queue page asks allowed_targets() for 50 rows,
    ~150 has_perm() calls that each load and ask every auth backend (1-1.5 ms a
    page). For permission checks only (the ORM wants the user itself)."""

    def __init__(self, user):
        self._user = user
        self._answers: dict[str, bool] = {}

    def __getattr__(self, name):
        return getattr(self._user, name)

    def has_perm(self, perm: str, obj=None) -> bool:
        if obj is not None:
            return self._user.has_perm(perm, obj)
        if perm not in self._answers:
            self._answers[perm] = self._user.has_perm(perm)
        return self._answers[perm]


def allowed_targets(claim: Claim, user, among: Collection[str] | None = None) -> list[str]:
    """Statuses this user may move the claim to now (for buttons and messages);
    only those ``among`` if given: a list asks only for the moves it shows, and
    a rule with an own_permission (restore) may query for each row."""
    return [
        to
        for (frm, to), rule in TRANSITIONS.items()
        if frm == claim.status and (among is None or to in among) and _may(rule, claim, user)
    ]


def dismiss_check(to_status: str, reason: str | None, note: str | None) -> str:
    """The reason a dismiss needs (one of DismissReason; "other" says why in the
    note); "" for any other move, which clears the claim's dismiss reason."""
    if to_status != DISMISS:
        return ""
    note = (note or "").strip()
    if reason not in DismissReason.values:
        choices = ", ".join(label.lower() for label in DismissReason.labels)
        raise ReasonRequired(f"Say why the claim is dismissed: {choices}.")
    if reason == DismissReason.OTHER and not note:
        raise ReasonRequired('A dismiss for "other" reasons needs a note saying what it is.')
    return reason


def _describe(statuses: list[str]) -> str:
    return ", ".join(S(s).label.lower() for s in statuses) or "nothing"


def claim_transition(
    *,
    claim: Claim,
    to_status: str,
    user,
    note: str = "",
    expected_version: int,
    dismiss_reason: str = "",
):
    """Move a claim to ``to_status``; returns the StatusChange written.

    A dismiss needs ``dismiss_reason`` (and a note for "other"). Starting an
    unassigned claim assigns it to whoever starts it, and its assignee giving it
    back (in progress -> unstarted) unassigns it, so that it is in the queue's
    Unassigned again (each recorded as an assignment).

    The move is chosen from the claim's row as it is now, locked until the change
    is committed (SELECT ... FOR UPDATE), never from the copy the caller loaded:
    otherwise a request that loaded the claim before an editor's verdict, and
    sends the version that verdict made, would undo it and record a previous
    status the claim no longer had."""
    if to_status not in S.values:
        raise TransitionNotAllowed(f"{to_status!r} is not a status.")
    with transaction.atomic():
        locked = (
            Claim.objects.select_for_update()
            .filter(pk=claim.pk)
            .values("status", "version", "assignee_id")
            .first()
        )
        if locked is None or locked["version"] != expected_version:
            # Someone saved in between: say so first, whatever their change made possible.
            raise _stale(claim, expected_version)
        from_status = claim.status = locked["status"]
        note, reason = _transition_check(claim, from_status, to_status, user, note, dismiss_reason)
        fields = {"status": to_status, "dismiss_reason": reason}
        take = to_status == S.IN_PROGRESS and from_status == S.UNSTARTED
        take = take and locked["assignee_id"] is None
        if take:
            fields["assignee"] = user
        give_back = (from_status, to_status) == (S.IN_PROGRESS, S.UNSTARTED)
        give_back = give_back and locked["assignee_id"] == user.pk
        if give_back:
            fields["assignee"] = None
        # Still conditional on the version: the row is locked, so this cannot miss,
        # but the one write path stays the same for every editorial change.
        _bump(claim, expected_version, user, **fields)
        change = StatusChange.objects.create(
            claim=claim, user=user, from_status=from_status, to_status=to_status, note=note
        )
        if take:
            who = user.get_username()
            _log(claim, user, "assigned", {"assignee": [None, who]}, "Taken on start.")
        if give_back:
            who = user.get_username()
            _log(claim, user, "assigned", {"assignee": [who, None]}, "Given back to the queue.")
        if to_status in VERDICTS:
            notifications.notify_verdict(claim=claim, verdict=to_status, actor=user)
        if from_status in VERDICTS or to_status in VERDICTS:
            _verdict_changed(claim)
        _announce(claim, change)
        return change


def _transition_check(
    claim: Claim, from_status: str, to_status: str, user, note: str, dismiss_reason: str
) -> tuple[str, str]:
    """Refuse a move the rules do not allow this user from ``from_status``; else
    the note (stripped) and the dismiss reason the move writes."""
    if to_status not in S.values:
        raise TransitionNotAllowed(f"{to_status!r} is not a status.")
    rule = TRANSITIONS.get((from_status, to_status))
    if rule is None:
        everyone = [to for (frm, to) in TRANSITIONS if frm == from_status]
        raise TransitionNotAllowed(
            f"A claim that is {S(from_status).label.lower()} cannot become "
            f"{S(to_status).label.lower()}. From here it can become: {_describe(everyone)}."
        )
    # The move in words ("verdict: false" is a label, not a verb).
    doing = rule.label
    if rule.permission == VERDICT and to_status in VERDICTS:
        doing = f"give a verdict ({S(to_status).label.lower()})"
    if not _may(rule, claim, user):
        mine = " (a claim you dismissed yourself you can restore)" if rule.own_permission else ""
        on = " on" if doing != rule.label else ""
        raise NotPermitted(
            f"Your role cannot {doing}{on} a claim{mine}. "
            f"You can move this one to: {_describe(allowed_targets(claim, user))}."
        )
    note = (note or "").strip()
    if rule.note_required and not note:
        raise NoteRequired(f"A note (the rationale) is required to {doing}.")
    return note, dismiss_check(to_status, dismiss_reason, note)


def _verdict_changed(claim: Claim) -> None:
    """What follows a verdict given or withdrawn, in the same transaction: our own
    fact-check in the library, and (with the record prior on) the confidence of
    the source's other claims."""
    # Imported here: claims.services imports this module, so a module-level import
    # of a claims.services submodule would be circular.
    from claims.services.factchecks import factcheck_sync_ours
    from claims.services.sources import source_record_changed

    factcheck_sync_ours(claim=claim)
    source_record_changed(claim=claim)


def _announce(claim: Claim, change: StatusChange) -> None:
    """Tell the webhook endpoints (after the commit; never fails the change)."""
    # At call time, as in _verdict_changed: claims.services imports this module.
    from claims.services.webhooks import webhooks_status_changed

    webhooks_status_changed(claim=claim, change=change)


def _bump(claim: Claim, expected_version: int, user, **fields) -> None:
    """Write ``fields`` only if nobody saved the claim since ``expected_version``:
    one conditional UPDATE, so two racing requests cannot both pass."""
    now = timezone.now()
    updated = Claim.objects.filter(pk=claim.pk, version=expected_version).update(
        version=F("version") + 1, updated_by=user, updated_at=now, **fields
    )
    if not updated:
        raise _stale(claim, expected_version)
    claim.version = expected_version + 1
    claim.updated_by, claim.updated_at = user, now
    for name, value in fields.items():
        setattr(claim, name, value)


def _stale(claim: Claim, expected_version: int) -> StaleVersion:
    current = Claim.objects.select_related("updated_by").get(pk=claim.pk)
    who = current.updated_by.get_username() if current.updated_by else "someone"
    when = timezone.localtime(current.updated_at).strftime("%Y-%m-%d %H:%M:%S")
    return StaleVersion(
        f"This claim was changed by {who} at {when} (version {current.version}, you had "
        f"version {expected_version}). Reload it and try again.",
        version=current.version,
        yours=expected_version,
    )


def _log(claim: Claim, user, action: str, changes: dict, note: str = "") -> ClaimChange:
    return ClaimChange.objects.create(
        claim=claim, user=user, action=action, changes=changes, note=note
    )


def claim_assign(*, claim: Claim, assignee, user, expected_version: int, note: str = ""):
    """Assign a claim (None unassigns). Fact-checkers may take a claim themselves
    or give up their own; editors may assign anyone whose role can work claims."""
    _assign_check(claim, assignee, user)
    before = claim.assignee.get_username() if claim.assignee else None
    after = assignee.get_username() if assignee else None
    with transaction.atomic():
        _bump(claim, expected_version, user, assignee=assignee)
        _log(claim, user, "assigned", {"assignee": [before, after]}, note)
        if after is not None and after != before:
            notifications.notify_assigned(claim=claim, assignee=assignee, actor=user)


def _assign_check(claim: Claim, assignee, user) -> None:
    if not user.has_perm("claims.assign_any"):
        own = assignee is None and claim.assignee_id == user.pk
        if not (user.has_perm(WORK) and (own or getattr(assignee, "pk", None) == user.pk)):
            raise NotPermitted("Your role can only assign claims to yourself.")
    if assignee is not None and not (assignee.is_active and assignee.has_perm(WORK)):
        raise WorkflowError(
            f"{assignee.get_username()} cannot work claims (their role only reads them):"
            " assign a fact-checker or an editor."
        )


def _notes_check(user, notes: str = "") -> None:
    if not user.has_perm(WORK):
        raise NotPermitted("Your role cannot edit notes.")
    if len(notes.strip()) > COMMENT_MAX:  # the notes become a comment (comment_add)
        raise WorkflowError(f"Notes can be at most {COMMENT_MAX} characters.")


def claim_set_notes(*, claim: Claim, notes: str, user, expected_version: int):
    """Deprecated: the discussion (comment_add) replaced the single notes box.
    Kept for the callers of the old notes form: the claim's ``notes`` (which the
    API still reads) are set as before, and the text is added to the discussion
    as a comment, so nothing anyone wrote is overwritten."""
    _notes_check(user, notes)
    with transaction.atomic():
        before = claim.notes
        _bump(claim, expected_version, user, notes=notes)
        _log(claim, user, "notes", {"notes": [before, notes]})
        if notes.strip() and notes != before:
            comment_add(claim=claim, body=notes, user=user)


COMMENT_MAX = 20_000


def comment_add(*, claim: Claim, body: str, user) -> Comment:
    """Add a comment (markdown) to a claim's discussion. ``@username`` of an
    active person links to them, is recorded, and notifies them. Comments do not
    change the claim: no version check, so a comment never conflicts with a
    status change made at the same time."""
    if not user.has_perm(WORK):
        raise NotPermitted("Your role can read the discussion but not comment.")
    body = (body or "").strip()
    if not body:
        raise WorkflowError("A comment cannot be empty.")
    if len(body) > COMMENT_MAX:
        raise WorkflowError(f"A comment can be at most {COMMENT_MAX} characters.")
    from django.contrib.auth import get_user_model

    names = mention_candidates(body)
    mentioned = list(
        get_user_model().objects.filter(username__in=names, is_active=True) if names else []
    )
    # A mention links to the queue of the person's claims.
    links = {u.get_username(): "/?" + urlencode({"assignee": u.get_username()}) for u in mentioned}
    with transaction.atomic():
        comment = Comment.objects.create(
            claim=claim, author=user, body=body, body_html=render_markdown(body, links)
        )
        if mentioned:
            comment.mentioned.set(mentioned)
            notifications.notify_mentioned(comment=comment, mentioned=mentioned)
    return comment


def _plan_value(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _plan_check(user, plan: dict) -> None:
    if not user.has_perm("claims.assign_any"):
        raise NotPermitted("Only editors can set due dates and priorities.")
    unknown = set(plan) - {"due_at", "priority"}
    if unknown:
        raise WorkflowError(f"These fields cannot be planned: {', '.join(sorted(unknown))}.")
    if "priority" in plan and plan["priority"] not in Priority.values:
        raise WorkflowError(f"{plan['priority']!r} is not a priority (1 urgent to 4 low).")


def claim_plan(*, claim: Claim, user, expected_version: int, note: str = "", **plan):
    """An editor sets a claim's due date and/or priority (``due_at``, ``priority``;
    a due date of None clears it). Recorded as a "planned" change."""
    _plan_check(user, plan)
    changes = {
        k: [_plan_value(getattr(claim, k)), _plan_value(v)]
        for k, v in plan.items()
        if getattr(claim, k) != v
    }
    with transaction.atomic():
        _bump(claim, expected_version, user, **plan)
        _log(claim, user, "planned", changes, note)


def _publish_check(user, public_url: str) -> None:
    if not user.has_perm(VERDICT):
        raise NotPermitted("Only editors can set the published fact-check.")
    if public_url:
        try:
            validate_evidence_url(public_url)
        except ValidationError as exc:
            raise WorkflowError(" ".join(exc.messages)) from None


def claim_publish(
    *, claim: Claim, user, expected_version: int, public_url: str, public_summary: str
):
    """An editor records the published fact-check (its URL and public summary):
    what a ClaimReview export shows, apart from the desk's internal notes."""
    public_url, public_summary = (public_url or "").strip(), (public_summary or "").strip()
    _publish_check(user, public_url)
    fields = {"public_url": public_url, "public_summary": public_summary}
    changes = {k: [getattr(claim, k), v] for k, v in fields.items() if getattr(claim, k) != v}
    with transaction.atomic():
        _bump(claim, expected_version, user, **fields)
        _log(claim, user, "published", changes)
        _verdict_changed(claim)  # our own fact-check in the library follows it


def _username(pk) -> str | None:
    from django.contrib.auth import get_user_model

    if pk is None:
        return None
    return get_user_model().objects.filter(pk=pk).values_list("username", flat=True).first()


REVERTIBLE = ("status", "assignee_id", "dismiss_reason", "due_at", "priority")


def claim_snapshot(claim: Claim) -> dict:
    """The fields a bulk action may change, as JSON (for its undo)."""
    snap = {name: _plan_value(getattr(claim, name)) for name in REVERTIBLE}
    snap["version"] = claim.version
    return snap


def claim_revert(*, claim: Claim, to: dict, user, expected_version: int, note: str):
    """Put back the fields of a snapshot (claim_snapshot) as new changes: a status
    change and an "undone" change, each with ``note``. Who may is the caller's
    rule (the bulk action's undo); the version check is this one's."""
    from django.utils.dateparse import parse_datetime

    target = {k: to[k] for k in REVERTIBLE if k in to}
    if target.get("due_at"):
        target["due_at"] = parse_datetime(target["due_at"])
    now = {k: getattr(claim, k) for k in target}
    diff = {k: v for k, v in target.items() if now[k] != v}
    with transaction.atomic():
        _bump(claim, expected_version, user, **diff)
        if "status" in diff:
            change = StatusChange.objects.create(
                claim=claim,
                user=user,
                from_status=now["status"],
                to_status=diff["status"],
                note=note,
                restores=_verdict_restored(claim, diff["status"]),
            )
            if now["status"] in VERDICTS or diff["status"] in VERDICTS:
                _verdict_changed(claim)  # the library and the source's record follow it
            _announce(claim, change)
        rest = {k: [_plan_value(now[k]), _plan_value(v)] for k, v in diff.items() if k != "status"}
        if "assignee_id" in rest:
            rest["assignee"] = [_username(pk) for pk in rest.pop("assignee_id")]
        if rest:
            _log(claim, user, "undone", rest, note)


def _verdict_restored(claim: Claim, status: str) -> StatusChange | None:
    """The change that gave the verdict an undo puts back (``status``), or None.
    The undo is not a new verdict: a verdict given for "killed 12" stays one given
    for that text, though a version changed it to "killed 14" since (the export
    refuses it until the claim is checked again). The claim is unchanged since the
    step undone (the undo checks its version), so the verdict is its latest to
    ``status``; an undone undo points at the same one."""
    if status not in VERDICTS:
        return None
    last = (
        claim.status_changes.filter(to_status=status)
        .select_related("restores")
        .order_by("-created_at", "-id")
        .first()
    )
    return last.given if last is not None else None


def evidence_add(*, claim: Claim, url: str, note: str = "", user) -> Evidence:
    if not user.has_perm("claims.add_evidence"):
        raise NotPermitted("Your role cannot add evidence.")
    try:
        validate_evidence_url(url)
    except ValidationError as exc:
        raise WorkflowError(" ".join(exc.messages)) from None
    # Evidence adds to a claim without changing its fields: no version check, so
    # it never conflicts with someone changing the status at the same time. The
    # same link with the same note is there once: a double click or a client's
    # retry gets the evidence already added (the claim's row, locked, makes two
    # sent at once wait for each other).
    with transaction.atomic():
        Claim.objects.select_for_update().filter(pk=claim.pk).values_list("pk").first()
        same = Evidence.objects.filter(claim=claim, url=url, note=note).first()
        if same is not None:
            return same
        evidence = Evidence.objects.create(claim=claim, url=url, note=note, added_by=user)
        _log(claim, user, "evidence", {"url": [None, url]}, note)
    return evidence


# --- People's corrections of the machine -------------------------------------------

CORRECTABLE = {
    "source_text",
    "source_type",
    "source_role",
    "sourcing_strength",
    "kind",
}


def _correct_check(user, fields: dict) -> None:
    if not user.has_perm(VERDICT):
        raise NotPermitted("Only editors can correct the machine's analysis.")
    unknown = set(fields) - CORRECTABLE
    if unknown:
        raise WorkflowError(f"These fields cannot be corrected: {', '.join(sorted(unknown))}.")


def claim_correct(
    *,
    claim: Claim,
    user,
    expected_version: int,
    start: int | None = None,
    end: int | None = None,
    hedges: list[dict] | None = None,
    note: str = "",
    **fields,
):
    """An editor fixes what the machine got wrong: the claim's span (offsets into
    the article), its source labels, its hedges. The claim is marked as edited by
    people, so re-analysis keeps these values; confidence is recomputed."""
    _correct_check(user, fields)
    changes = {k: [getattr(claim, k), v] for k, v in fields.items() if getattr(claim, k) != v}
    if start is not None or end is not None:
        span = _span_fields(
            claim.article,
            start if start is not None else claim.start,
            end if end is not None else claim.end,
        )
        changes.update(
            {k: [getattr(claim, k), v] for k, v in span.items() if getattr(claim, k) != v}
        )
        fields.update(span)
    with transaction.atomic():
        _bump(claim, expected_version, user, human_edited=True, **fields)
        if hedges is not None:
            before = [h.text for h in claim.hedges.all()]
            _replace_hedges(claim, hedges)
            changes["hedges"] = [before, [h["text"] for h in hedges]]
        _rescore(claim)
        _log(claim, user, "corrected", changes, note)


# --- Several changes at once (the admin's claim form) --------------------------------

PLANNED = ("due_at", "priority")
PUBLIC = ("public_url", "public_summary")
EDITABLE = {*CORRECTABLE, "assignee", "notes", *PLANNED, *PUBLIC}


def claim_edit_check(
    *, claim: Claim, user, expected_version: int, changes: dict, transition: dict | None = None
) -> None:
    """Raise the WorkflowError that claim_edit() would for these ``changes``
    (field -> new value, only those that change) and ``transition`` (``to_status``,
    ``note``, ``dismiss_reason``), writing nothing: a form refuses the whole save
    before any of it is written. The version is checked first, when there is
    anything to write to the claim: evidence alone has no version check, as
    evidence_add has none, so it never conflicts with another editor's save."""
    current = Claim.objects.filter(pk=claim.pk).values("version", "status").first()
    if current is None:
        raise WorkflowError("This claim no longer exists.")
    if (changes or transition) and current["version"] != expected_version:
        raise _stale(claim, expected_version)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise WorkflowError(f"These fields cannot be edited: {', '.join(sorted(unknown))}.")
    corrections = {k: v for k, v in changes.items() if k in CORRECTABLE}
    if corrections:
        _correct_check(user, corrections)
    if "assignee" in changes:
        _assign_check(claim, changes["assignee"], user)
    if "notes" in changes:
        _notes_check(user, changes["notes"] or "")
    plan = {k: changes[k] for k in PLANNED if k in changes}
    if plan:
        _plan_check(user, plan)
    if any(k in changes for k in PUBLIC):
        _publish_check(user, (changes.get("public_url", claim.public_url) or "").strip())
    if transition:
        t = transition
        _transition_check(
            claim,
            current["status"],
            t["to_status"],
            user,
            t.get("note", ""),
            t.get("dismiss_reason", ""),
        )


def claim_edit(
    *, claim: Claim, user, expected_version: int, changes: dict, transition: dict | None = None
) -> None:
    """Make ``changes`` and ``transition`` (as claim_edit_check) in one transaction:
    all of them or none. Each is recorded as its own function records it
    (corrected, assigned, notes, planned, published, then the status change)."""
    with transaction.atomic():
        # Locked until the commit, so nobody saves between the check and the writes.
        Claim.objects.select_for_update().filter(pk=claim.pk).values_list("pk").first()
        claim_edit_check(
            claim=claim,
            user=user,
            expected_version=expected_version,
            changes=changes,
            transition=transition,
        )
        claim.version = expected_version  # the row's, checked above: each step bumps it
        corrections = {k: v for k, v in changes.items() if k in CORRECTABLE}
        if corrections:
            claim_correct(claim=claim, user=user, expected_version=claim.version, **corrections)
        if "assignee" in changes:
            assignee = changes["assignee"]
            claim_assign(claim=claim, assignee=assignee, user=user, expected_version=claim.version)
        if "notes" in changes:
            notes = changes["notes"]
            claim_set_notes(claim=claim, notes=notes, user=user, expected_version=claim.version)
        plan = {k: changes[k] for k in PLANNED if k in changes}
        if plan:
            claim_plan(claim=claim, user=user, expected_version=claim.version, **plan)
        if any(k in changes for k in PUBLIC):
            public = {k: changes.get(k, getattr(claim, k)) for k in PUBLIC}
            claim_publish(claim=claim, user=user, expected_version=claim.version, **public)
        if transition:
            claim_transition(claim=claim, user=user, expected_version=claim.version, **transition)


def claim_add(*, article, start: int, end: int, user, note: str = "", **fields) -> Claim:
    """An editor adds a claim the machine missed, by offsets into the article text."""
    if not user.has_perm(VERDICT):
        raise NotPermitted("Only editors can add claims.")
    unknown = set(fields) - CORRECTABLE
    if unknown:
        raise WorkflowError(f"These fields cannot be set: {', '.join(sorted(unknown))}.")
    span = _span_fields(article, start, end)
    with transaction.atomic():
        last = article.claims.order_by("-position").values_list("position", flat=True).first()
        claim = Claim.objects.create(
            article=article,
            position=(last or 0) + 1,
            fingerprint=fingerprint(span["text"]),
            human_added=True,
            human_edited=True,
            origin="human",
            updated_by=user,
            **span,
            **fields,
        )
        _rescore(claim)
        _log(claim, user, "added", {"text": [None, claim.text]}, note)
    return claim


def _span_fields(article, start: int, end: int) -> dict:
    text = article.raw_text
    if not (0 <= start < end <= len(text)) or not text[start:end].strip():
        raise WorkflowError(f"{start}:{end} is not a span of this article's text.")
    # The sentence around the span: from the previous sentence end to the next.
    s_start = max(text.rfind(". ", 0, start) + 2, text.rfind("\n", 0, start) + 1, 0)
    ends = [i for i in (text.find(". ", end), text.find("\n", end)) if i >= 0]
    s_end = min(ends) + 1 if ends else len(text)
    s_start, s_end = min(s_start, start), max(s_end, end)
    return {
        "text": text[start:end],
        "start": start,
        "end": end,
        "sentence_start": s_start,
        "sentence_end": min(s_end, len(text)),
        # Offsets into the article's current version (see Claim.text_version).
        "text_version": article.version,
    }


def _replace_hedges(claim: Claim, hedges: list[dict]) -> None:
    from claims.models import HedgeCategory, HedgeCue

    text = claim.article.raw_text
    rows = []
    for h in hedges:
        if h.get("category") not in HedgeCategory.values:
            raise WorkflowError(f"{h.get('category')!r} is not a hedge category.")
        start, end = int(h["start"]), int(h["end"])
        if not (0 <= start < end <= len(text)):
            raise WorkflowError(f"Hedge {start}:{end} is outside the article.")
        rows.append(
            HedgeCue(
                claim=claim,
                text=text[start:end][:200],
                category=h["category"],
                start=start,
                end=end,
            )
        )
    claim.hedges.all().delete()
    HedgeCue.objects.bulk_create(rows)


def _rescore(claim: Claim) -> None:
    from django.conf import settings

    from claims.services.sources import sources_resolve

    claim.refresh_from_db()
    conf = claim_confidence(claim, settings.CONFIDENCE_POLICY)
    Claim.objects.filter(pk=claim.pk).update(
        confidence_score=conf.score, confidence_level=conf.level, confidence_reasons=conf.reasons
    )
    # A corrected source name may be another source (and, with the record prior
    # on, scores the claim again with that source's record).
    sources_resolve(claim_ids=[claim.pk])
