"""The queue: claims grouped by confidence level, very low first, filtered with
the shared ClaimFilter, and the editors' bulk actions."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from claims.forms import BULK_TARGETS, PAGE_SIZES, BulkForm, QueueForm
from claims.models import Claim, ClaimStatus, ConfidenceLevel
from claims.selectors import LEVEL_ORDER, claim_counts, claim_list
from claims.workflow import claims_bulk_assign, claims_bulk_transition

from ._common import reader, redirect_next

# Very low first; claims not scored yet (analysis unfinished) last.
LEVEL_RANK = Case(
    *[When(confidence_level=level, then=Value(i)) for i, level in enumerate(LEVEL_ORDER)],
    default=Value(len(LEVEL_ORDER)),
    output_field=IntegerField(),
)
UNSCORED = "Not scored yet"
QUEUE_DEFAULTS = {"sort": "worth", "per_page": str(PAGE_SIZES[1])}


def _level_label(level: str) -> str:
    return ConfidenceLevel(level).label if level else UNSCORED


def _groups(rows, level_counts: dict) -> list[dict]:
    """The page's rows in runs of one level (they arrive ordered by level)."""
    groups: list[dict] = []
    for claim in rows:
        level = claim.confidence_level
        if not groups or groups[-1]["level"] != level:
            groups.append(
                {
                    "level": level or "none",
                    "label": _level_label(level),
                    "total": level_counts.get(level, 0),
                    "rows": [],
                }
            )
        groups[-1]["rows"].append(claim)
    return groups


def _summary(counts: dict) -> dict:
    levels = [(level, level.label, counts["level"].get(level, 0)) for level in LEVEL_ORDER]
    if counts["level"].get(""):
        levels.append(("none", UNSCORED, counts["level"][""]))
    statuses = [(s, s.label, counts["status"].get(s, 0)) for s in ClaimStatus]
    return {"levels": levels, "statuses": statuses, "total": sum(counts["status"].values())}


def _given(query: QueryDict) -> QueryDict:
    """The query without its empty fields: the filter form sends every field,
    and to ClaimFilter an empty choice is an invalid one, not "any"."""
    given = QueryDict(mutable=True)
    for key in query:
        values = [v for v in query.getlist(key) if v.strip()]
        if values:
            given.setlist(key, values)
    return given


@reader
def queue(request):
    params = _given(request.GET)
    form = QueueForm({**QUEUE_DEFAULTS, **params.dict()})
    form.is_valid()  # errors are shown; ClaimFilter then returns no rows
    claims = claim_list(filters=params, user=request.user)
    counts = claim_counts(qs=claims.prefetch_related(None))
    ordered = claims.annotate(level_rank=LEVEL_RANK).order_by("level_rank", *form.order_by())
    page = Paginator(ordered, form.page_size()).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "groups": _groups(page.object_list, counts["level"]),
        "summary": _summary(counts),
        "filtered": any(name in params for name in form.fields if name not in QUEUE_DEFAULTS),
    }
    if request.user.has_perm("claims.assign_any"):
        context["bulk_form"] = BulkForm()
    return render(request, "claims/queue.html", context)


@reader
@require_POST
def bulk(request):
    """Bulk start, dismiss, assign or verdict. One service call per claim, each
    checked like a single change; refusals are listed, the rest is done."""
    back = redirect_next(request, reverse("dashboard:queue"))
    form = BulkForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return back
    data = form.cleaned_data
    claims = list(Claim.objects.select_related("assignee").filter(pk__in=data["claims"]))
    if data["action"] == "assign":
        result = claims_bulk_assign(
            claims=claims, assignee=data["assignee"], user=request.user, note=data["note"]
        )
    else:
        result = claims_bulk_transition(
            claims=claims,
            to_status=BULK_TARGETS[data["action"]],
            user=request.user,
            note=data["note"],
        )
    if result.done:
        messages.success(request, f"Done for {len(result.done)} claim(s).")
    by_reason = defaultdict(list)
    for pk, reason in sorted(result.refused.items()):
        by_reason[reason].append(f"#{pk}")
    for reason, ids in by_reason.items():
        messages.error(request, f"Refused for {len(ids)} claim(s) ({', '.join(ids)}): {reason}")
    return back
