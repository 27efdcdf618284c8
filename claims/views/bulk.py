"""The queue's bulk actions (editors): choose, confirm, apply, undo.

Nothing is written before the confirmation page has said how many claims, which
action and what will change ("Dismiss 21 claims: status Unstarted -> Dismissed");
the confirmation posts the same fields again with ``confirm``, and each claim's
version as the page showed it: a claim changed since is refused, named in the
result with the reason. Each applied bulk
action is recorded (claims.services.bulk) and the queue offers its undo for
BULK_UNDO_MINUTES.
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from claims.forms import BULK_ACTIONS, BULK_TARGETS, BulkForm
from claims.models import BulkAction, Claim
from claims.services import (
    bulk_action_undo,
    bulk_describe,
    bulk_head,
    bulk_summary,
    bulk_versions,
    claims_bulk_assign,
    claims_bulk_plan,
    claims_bulk_transition,
)
from claims.workflow import WorkflowError

from ._common import reader, redirect_next, safe_next

VERBS = {"start": "Start", "dismiss": "Dismiss", "assign": "Assign", "plan": "Plan"}


KEPT = "bulk-refused"  # the session's copy of a refused bulk form, for the queue
NOT_KEPT = {"csrfmiddlewaretoken", "confirm", "next"}


def bulk_kept(request) -> QueryDict | None:
    """The fields of the bulk form the queue refused last (once), or None."""
    kept = request.session.pop(KEPT, None)
    if not isinstance(kept, dict):
        return None
    data = QueryDict(mutable=True)
    for name, values in kept.items():
        data.setlist(name, [str(v) for v in values])
    return data


def _verb(action: str) -> str:
    return VERBS.get(action) or dict(BULK_ACTIONS)[action].rstrip(" .")


def _changes(form: BulkForm, claims: list[Claim]) -> list[str]:
    data, action = form.cleaned_data, form.cleaned_data["action"]
    if action in BULK_TARGETS:
        return bulk_describe(claims=claims, to_status=BULK_TARGETS[action])
    if action == "assign":
        return bulk_describe(claims=claims, assignee=form.assignee_user())
    return bulk_describe(claims=claims, due_at=data["due_at"], priority=data["priority"])


def _apply(form: BulkForm, claims: list[Claim], user, summary: str):
    data = form.cleaned_data
    action = data["action"]
    common = {"claims": claims, "user": user, "note": data["note"], "summary": summary}
    # The versions the confirmation page showed: a claim changed since is refused.
    common["versions"] = bulk_versions(form.data.getlist("versions"))
    if action == "assign":
        return claims_bulk_assign(assignee=form.assignee_user(), **common)
    if action == "plan":
        plan = {k: data[k] for k in ("due_at", "priority") if data[k] is not None}
        return claims_bulk_plan(**common, **plan)
    return claims_bulk_transition(
        to_status=BULK_TARGETS[action],
        dismiss_reason=data["dismiss_reason"] if action == "dismiss" else "",
        **common,
    )


def _report(request, result, done_text: str) -> None:
    if result.done:
        messages.success(request, done_text)
    by_reason = defaultdict(list)
    for pk, reason in sorted(result.refused.items()):
        by_reason[reason].append(f"#{pk}")
    for reason, ids in by_reason.items():
        messages.error(request, f"Refused for {len(ids)} claim(s) ({', '.join(ids)}): {reason}")


@reader
@permission_required("claims.assign_any", raise_exception=True)
@require_POST
def bulk(request):
    """First post: the confirmation page. Posted again with ``confirm``: applied."""
    back_url = safe_next(request, reverse("dashboard:queue"))
    form = BulkForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        # Back on the queue with the same rows ticked and the same choices: the
        # refusal asks for one more field, not for the selection made again.
        request.session[KEPT] = {
            name: request.POST.getlist(name) for name in request.POST if name not in NOT_KEPT
        }
        return redirect_next(request, back_url)
    claims = list(
        Claim.objects.select_related("assignee", "article")
        .defer("article__raw_text", "article__analysis_data")
        .filter(pk__in=form.cleaned_data["claims"])
        .order_by("pk")
    )
    lines = _changes(form, claims)
    summary = bulk_summary(_verb(form.cleaned_data["action"]), claims, lines)
    if request.POST.get("confirm") != "yes":
        context = {
            "form": form,
            "claims": claims,
            "lines": lines,
            "summary": summary,
            "head": bulk_head(_verb(form.cleaned_data["action"]), claims, lines),
            "back_url": back_url,
            "danger": form.cleaned_data["action"] == "dismiss",
            "undo_minutes": settings.BULK_UNDO_MINUTES,
        }
        return render(request, "claims/bulk_confirm.html", context)
    result = _apply(form, claims, request.user, summary)
    n = len(result.done)
    _report(
        request, result, f"Done: {summary}" if not result.refused else f"Done for {n} claim(s)."
    )
    return redirect_next(request, back_url)


@reader
@permission_required("claims.assign_any", raise_exception=True)
@require_POST
def bulk_undo(request, pk: int):
    bulk_action = get_object_or_404(BulkAction, pk=pk)
    try:
        result = bulk_action_undo(bulk_action=bulk_action, user=request.user)
    except WorkflowError as exc:
        messages.error(request, exc.message)
        return redirect_next(request, reverse("dashboard:queue"))
    n = len(result.done)
    _report(request, result, f"Undone for {n} claim{'s' if n != 1 else ''}: {bulk_action.summary}")
    return redirect_next(request, reverse("dashboard:queue"))
