"""The claim page's matching forms: confirm or reject a match, take a cluster's
verdict. Each write goes through claims.services.matching; a refusal comes back as
a message on the claim page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_POST

from claims.forms import MatchDecisionForm, VerdictAcceptForm
from claims.models import Claim, ClaimMatch
from claims.selectors import claim_match_of
from claims.services import claim_match_confirm, claim_match_reject, claim_verdict_accept
from claims.workflow import WorkflowError

from ._common import reader, redirect_next

DECISIONS = {"confirm": claim_match_confirm, "reject": claim_match_reject}


def _back(request, pk: int):
    return redirect_next(request, reverse("dashboard:claim", args=[pk]) + "#matches")


@reader
@require_POST
def claim_match_decide_view(request, pk: int, match_id: int, decision: str):
    claim = get_object_or_404(Claim, pk=pk)
    if decision not in DECISIONS:
        raise Http404("No such decision.")
    try:
        match = claim_match_of(claim=claim).get(pk=match_id)
    except ClaimMatch.DoesNotExist:
        raise Http404("No such match of this claim.") from None
    form = MatchDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not saved: the note is too long.")
        return _back(request, pk)
    try:
        DECISIONS[decision](match=match, user=request.user, note=form.cleaned_data["note"])
    except WorkflowError as exc:
        messages.error(request, f"Not saved. {exc.message}")
    else:
        done = "confirmed: the claims are now one cluster" if decision == "confirm" else "rejected"
        messages.success(request, f"Match {done}.")
    return _back(request, pk)


@reader
@require_POST
def claim_verdict_accept_view(request, pk: int):
    claim = get_object_or_404(Claim.objects.select_related("article"), pk=pk)
    form = VerdictAcceptForm(request.POST)
    source = None
    if form.is_valid():
        source = Claim.objects.filter(pk=form.cleaned_data["source"]).first()
    if source is None:
        messages.error(request, "Not saved: there is no such claim to take a verdict from.")
        return _back(request, pk)
    try:
        claim_verdict_accept(
            claim=claim,
            source=source,
            user=request.user,
            expected_version=form.cleaned_data["version"],
        )
    except WorkflowError as exc:
        messages.error(request, f"Not saved. {exc.message}")
    else:
        messages.success(request, f"The claim is now {claim.get_status_display().lower()}.")
    return _back(request, pk)
