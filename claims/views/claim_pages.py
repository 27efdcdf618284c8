"""The claim page, its side-panel version on the article page, and its forms.

Every write goes through claims.workflow; a refusal (WorkflowError) comes back
as the page again with the message, the user's input kept, and the status code
the API would use (403 not permitted, 409 changed meanwhile, 400 otherwise). A
button pressed without htmx on a stale page, with nothing typed (the queue's
one-click actions), is redirected to the claim page with the message instead.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms.widgets import CheckboxInput, Input, Textarea
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from claims.claimreview import (
    ClaimReviewIncomplete,
    ClaimReviewTextChanged,
    claim_review_document,
    dumps,
    text_changed_since_verdict,
)
from claims.forms import (
    AssignForm,
    CommentForm,
    DismissForm,
    EvidenceForm,
    NotesForm,
    PlanForm,
    PublishForm,
    TransitionForm,
)
from claims.models import Claim, ClaimStatus
from claims.selectors import (
    claim_detail,
    claim_history,
    claim_history_size,
    keyset_first_after,
    keyset_order,
)
from claims.workflow import (
    TRANSITIONS,
    VERDICTS,
    StaleVersion,
    WorkflowError,
    allowed_targets,
    claim_assign,
    claim_plan,
    claim_publish,
    claim_set_notes,
    claim_transition,
    comment_add,
    evidence_add,
)

from ._common import history_fresh, is_htmx, reader, redirect_next, status_for, wants_panel
from .queue import QUEUE_PARAMS, view_claims, view_params

# The claim page's swappable part: its forms post with htmx and get it back, so
# a save keeps the reader's place (a full reload jumped to the top).
MAIN_ID = "claim-main"


def _detail(pk: int) -> Claim:
    try:
        return claim_detail(pk=pk, history=False)  # claim_context() reads the latest
    except Claim.DoesNotExist:
        raise Http404("No such claim.") from None


GIVE_BACK = (ClaimStatus.IN_PROGRESS, ClaimStatus.UNSTARTED)
# Labels that say what happens (the rule's short name is for messages).
WORK_LABELS = {
    GIVE_BACK: "Give back to the queue",
    (ClaimStatus.DISMISSED, ClaimStatus.UNSTARTED): "Restore to the queue (undo the dismiss)",
}


def _buttons(claim: Claim, user) -> dict[str, list[dict]]:
    """The status buttons this user may press now: work steps, verdicts, and
    the dismiss (a form of its own, apart from the constructive buttons)."""
    groups: dict[str, list[dict]] = {"work": [], "verdict": [], "dismiss": []}
    for to in allowed_targets(claim, user):
        rule = TRANSITIONS[(claim.status, to)]
        if to in VERDICTS:
            group, label = "verdict", ClaimStatus(to).label
        elif to == ClaimStatus.DISMISSED:
            group, label = "dismiss", "Dismiss this claim"
        elif to == ClaimStatus.IN_PROGRESS and claim.status == ClaimStatus.UNSTARTED:
            group = "work"
            label = "Start (and take it)" if claim.assignee_id is None else "Start"
        elif (claim.status, to) == GIVE_BACK and claim.assignee_id not in (None, user.pk):
            # Only its assignee gives a claim back to the queue; anyone else's move
            # leaves it with them (claim_transition).
            group, label = "work", f"Back to unstarted (stays with {claim.assignee})"
        else:
            group = "work"
            label = WORK_LABELS.get((claim.status, to), rule.label.capitalize())
        groups[group].append({"to": to, "label": label, "note_required": rule.note_required})
    return groups


def claim_review_json(request, claim: Claim) -> str | None:
    """The claim's ClaimReview JSON-LD, pretty-printed and script-safe, if it has a
    verdict and its published fact-check (else None; ClaimReviewIncomplete says why)."""
    if claim.status not in VERDICTS:
        return None
    try:
        document = claim_review_document(claim, build_url=request.build_absolute_uri)
    except ClaimReviewIncomplete:
        return None
    return dumps(document, indent=2)


def claim_review_refusal(claim: Claim) -> str:
    """Why a claim with a verdict and its published fact-check has no ClaimReview
    (its text changed since the verdict), or ""."""
    if claim.status in VERDICTS and text_changed_since_verdict(claim):
        return str(ClaimReviewTextChanged([claim]))
    return ""


def next_claim(request, claim: Claim) -> int | None:
    """The id of the claim after ``claim`` in the queue's view that the page's
    query string carries (the default queue without one): one query, a keyset
    step from the claim's own sort key."""
    params = view_params(request.GET)
    _form, claims, keys = view_claims(params, request.user)
    position = [getattr(claim, k.name) for k in keys]
    ordered = keyset_order(claims.select_related(None).prefetch_related(None), keys)
    return keyset_first_after(ordered.values_list("pk", flat=True), keys, position)


# The claim's page and panel show its latest changes; "Show all" the rest.
HISTORY_SHOWN = 100


def _history(request, claim: Claim, view_query: str) -> dict:
    everything = request.GET.get("history") == "all"
    history = claim_history(claim=claim, latest=None if everything else HISTORY_SHOWN)
    total = len(history)
    if not everything and total == HISTORY_SHOWN:
        total = claim_history_size(claim=claim)
    page = reverse("dashboard:claim", args=[claim.pk])
    return {
        "history": history,
        "history_total": total,
        "history_all_url": f"{page}{view_query}{'&' if view_query else '?'}history=all",
    }


def claim_context(
    request, claim: Claim, *, forms=None, error=None, kept=False, in_panel=False
) -> dict:
    forms = forms or {}
    version = {"version": claim.version}
    view = view_params(request.GET)
    asked = f"?{view.urlencode()}" if view else ""  # where this page's forms come back to
    # The queue's view only: not this page's ?history=all ("Show all"), nor the
    # article page's ?claim= and ?shown= (its panel's links are made here too).
    # Carried to the queue, they were refused as misspelt filters: no claims.
    for name in set(view) - QUEUE_PARAMS:
        del view[name]
    view_query = f"?{view.urlencode()}" if view else ""
    if in_panel:
        next_url = reverse("dashboard:article", args=[claim.article_id]) + f"?claim={claim.pk}"
        next_pk = None
    else:
        next_url = reverse("dashboard:claim", args=[claim.pk]) + asked
        next_pk = next_claim(request, claim)
    return {
        "claim": claim,
        "article": claim.article,
        **_history(request, claim, view_query),
        "buttons": _buttons(claim, request.user),
        "transition_form": forms.get("transition") or TransitionForm(initial=version),
        "assign_form": forms.get("assign")
        or AssignForm(initial={**version, "assignee": claim.assignee_id}),
        "notes_form": forms.get("notes") or NotesForm(initial={**version, "notes": claim.notes}),
        "comment_form": forms.get("comment") or CommentForm(),
        "evidence_form": forms.get("evidence") or EvidenceForm(),
        "dismiss_form": forms.get("dismiss") or DismissForm(initial=version),
        "plan_form": forms.get("plan")
        or PlanForm(initial={**version, "due_at": claim.due_at, "priority": claim.priority}),
        "publish_form": forms.get("publish")
        or PublishForm(
            initial={
                **version,
                "public_url": claim.public_url,
                "public_summary": claim.public_summary,
            }
        ),
        "has_verdict": claim.status in VERDICTS,
        "error": error,
        "kept": kept,  # the refused form brings back text the user typed
        "review_json": claim_review_json(request, claim),
        "review_refusal": claim_review_refusal(claim),
        "in_panel": in_panel,
        "next_url": next_url,
        "view_query": view_query,
        "next_pk": next_pk,
        # Where the forms' htmx answer goes: the panel, or the page's main part.
        "swap_target": "claim-panel" if in_panel else MAIN_ID,
        "hs": 3 if in_panel else 2,  # section heading level
    }


@history_fresh
@reader
def claim_page(request, pk: int):
    claim = _detail(pk)
    return render(request, "claims/claim_detail.html", claim_context(request, claim))


def _gone(request):
    """A claim asked for in place (htmx) that is not there any more: a short note
    in the panel or the page's main part. The 404 page swapped in put the site's
    header and navigation inside the panel."""
    context = {"in_panel": wants_panel(request)}
    return render(request, "claims/_claim_gone.html", context, status=404)


@reader
def claim_panel(request, pk: int):
    """The claim beside the article's text (htmx); the same as its page."""
    try:
        claim = _detail(pk)
    except Http404:
        if is_htmx(request):
            return _gone(request)
        raise
    return render(request, "claims/_claim_panel.html", claim_context(request, claim, in_panel=True))


def _show(request, claim: Claim, *, status: int = 200, **kwargs):
    """The claim after a form: the panel (with the article's list item, out of
    band), the page's main part (an htmx save on the claim page), or the page."""
    in_panel = wants_panel(request)
    context = claim_context(request, claim, in_panel=in_panel, **kwargs)
    if in_panel:
        template = "claims/_claim_panel.html"
        context["oob_item"] = True
    elif is_htmx(request) and request.headers.get("HX-Target") == MAIN_ID:
        template = "claims/_claim_main.html"
    else:
        template = "claims/claim_detail.html"
    return render(request, template, context, status=status)


def _typed(form_class, data) -> bool:
    """Whether the user typed anything into the form, not only pressed a button
    whose hidden fields came with the page."""
    return any(
        data.get(name, "").strip()
        for name, field in form_class.base_fields.items()
        if isinstance(field.widget, (Input, Textarea))
        and not isinstance(field.widget, CheckboxInput)
        and not field.widget.is_hidden
    )


def _write(request, pk: int, form_class, key: str, action):
    """Validate ``form_class``, call ``action(claim, cleaned_data)`` (a workflow
    function that returns the success message), and answer."""
    claim = Claim.objects.select_related("assignee", "article").filter(pk=pk).first()
    if claim is None:
        if is_htmx(request):
            return _gone(request)
        raise Http404("No such claim.")
    form = form_class(request.POST)
    if not form.is_valid():
        return _show(request, _detail(pk), forms={key: form}, status=400)
    try:
        message = action(claim, form.cleaned_data)
    except WorkflowError as exc:
        typed = _typed(form_class, request.POST)
        if not typed and not is_htmx(request) and isinstance(exc, StaleVersion):
            # A button pressed on a page older than the claim, with nothing typed
            # (the queue's one-click actions): to the claim page as saved now, so
            # a reload does not send the stale form again.
            messages.error(request, f"Not saved. {exc.message}")
            return redirect(reverse("dashboard:claim", args=[pk]))
        fresh = _detail(pk)
        data = request.POST.copy()
        if isinstance(exc, StaleVersion) and "version" in form.fields:
            # Show what is saved now and keep what the user typed; sending it
            # again is a deliberate choice made with the current state in view.
            data["version"] = str(fresh.version)
        forms = {key: form_class(data)}
        if key == "notes":
            # The notes box is gone from the page (the discussion replaced it):
            # what the user typed is kept in the comment box instead.
            forms["comment"] = CommentForm(initial={"body": data.get("notes", "")})
        return _show(
            request, fresh, forms=forms, error=exc.message, kept=typed, status=status_for(exc)
        )
    messages.success(request, message)
    if is_htmx(request):
        return _show(request, _detail(pk))
    return redirect_next(request, reverse("dashboard:claim", args=[pk]))


@reader
@require_POST
def claim_transition_view(request, pk: int):
    def act(claim, data):
        claim_transition(
            claim=claim,
            to_status=data["to_status"],
            user=request.user,
            note=data["note"],
            expected_version=data["version"],
            dismiss_reason=data["dismiss_reason"],
        )
        status = ClaimStatus(data["to_status"]).label.lower()
        if claim.assignee_id is None and data["to_status"] == ClaimStatus.UNSTARTED:
            return f"The claim is now {status} and back in the queue, assigned to nobody."
        return f"The claim is now {status}."

    if request.POST.get("to_status") == ClaimStatus.DISMISSED:
        return _write(request, pk, DismissForm, "dismiss", act)
    return _write(request, pk, TransitionForm, "transition", act)


@reader
@require_POST
def claim_plan_view(request, pk: int):
    def act(claim, data):
        claim_plan(
            claim=claim,
            user=request.user,
            expected_version=data["version"],
            due_at=data["due_at"],
            priority=data["priority"],
        )
        return "Due date and priority saved."

    return _write(request, pk, PlanForm, "plan", act)


@reader
@require_POST
def claim_publish_view(request, pk: int):
    def act(claim, data):
        claim_publish(
            claim=claim,
            user=request.user,
            expected_version=data["version"],
            public_url=data["public_url"],
            public_summary=data["public_summary"],
        )
        return "Published fact-check saved."

    return _write(request, pk, PublishForm, "publish", act)


@reader
@require_POST
def claim_assign_view(request, pk: int):
    # Before the form: the form offers only people who can work claims, and a
    # reader's forged request must be told it may not assign, not that its choice
    # is not on the list.
    if not (
        request.user.has_perm("claims.work_claim") or request.user.has_perm("claims.assign_any")
    ):
        raise PermissionDenied("Your role cannot assign claims.")

    def act(claim, data):
        who = data["assignee"]
        claim_assign(claim=claim, assignee=who, user=request.user, expected_version=data["version"])
        if who is None:
            return "The claim is unassigned."
        return "You took the claim." if who == request.user else f"Assigned to {who}."

    return _write(request, pk, AssignForm, "assign", act)


@reader
@require_POST
def claim_notes_view(request, pk: int):
    def act(claim, data):
        claim_set_notes(
            claim=claim, notes=data["notes"], user=request.user, expected_version=data["version"]
        )
        return "Notes saved."

    return _write(request, pk, NotesForm, "notes", act)


@reader
@require_POST
def claim_comment_view(request, pk: int):
    def act(claim, data):
        comment_add(claim=claim, body=data["body"], user=request.user)
        return "Comment added."

    return _write(request, pk, CommentForm, "comment", act)


@reader
@require_POST
def claim_evidence_view(request, pk: int):
    def act(claim, data):
        evidence_add(claim=claim, url=data["url"], note=data["note"], user=request.user)
        return "Evidence added."

    return _write(request, pk, EvidenceForm, "evidence", act)


@reader
def claim_review_download(request, pk: int):
    """The ClaimReview JSON-LD as a file (the API serves the same document)."""
    claim = _detail(pk)
    if claim.status not in VERDICTS:
        raise Http404("This claim has no verdict yet.")
    try:
        document = claim_review_document(claim)
    except ClaimReviewIncomplete as exc:
        messages.error(request, str(exc))
        context = claim_context(request, claim)
        return render(request, "claims/claim_detail.html", context, status=422)
    body = dumps(document, indent=2)
    response = HttpResponse(body, content_type="application/ld+json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="claimreview-{pk}.json"'
    return response
