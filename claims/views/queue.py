"""The queue: claims grouped by confidence level, very low first, filtered with
the shared ClaimFilter, and the editors' bulk actions."""

from __future__ import annotations

from datetime import datetime

from django.http import QueryDict
from django.shortcuts import render

from claims.forms import PAGE_SIZES, BulkForm, QueueForm
from claims.models import ClaimStatus, ConfidenceLevel
from claims.selectors import (
    LEVEL_ORDER,
    Key,
    article_suggestions,
    bulk_action_latest,
    claim_counts,
    claim_list,
    user_suggestions,
)

from ._common import keyset_page, reader

# Each sort, after the level (Claim.level_rank: very low first, unscored last) and
# before the id that breaks the last ties. "worth", the default, is the column
# list of the claim_queue_order index: the first page and every next one is a
# range scan of it, whatever the page's depth (OFFSET paging read every row
# before the page: /?page=2000 took 8.4 s at 1M claims).
_ARTICLE_ORDER = [Key("article_id", kind=int), Key("position", kind=int)]
SORT_KEYS = {
    "worth": [Key("checkworthiness", True), *_ARTICLE_ORDER],
    "score": [Key("score_key"), *_ARTICLE_ORDER],
    "newest": [Key("created_at", True, datetime), Key("position", kind=int)],
    "oldest": [Key("created_at", False, datetime), Key("position", kind=int)],
    "article": _ARTICLE_ORDER,
}
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
    for name in ("after", "before"):
        params.pop(name, None)
    claims = claim_list(filters=params, user=request.user)
    counts = claim_counts(qs=claims)
    keys = [Key("level_rank", kind=int), *SORT_KEYS[form.sort_name()], Key("id", kind=int)]
    page = keyset_page(request, claims, keys, form.page_size())
    summary = _summary(counts)
    chosen = form.cleaned_data.get("article") if form.is_valid() else None
    context = {
        "form": form,
        "chosen_article": chosen,
        "page": page,
        "total": summary["total"],
        "estimated": counts["estimated"],
        "groups": _groups(page.rows, counts["level"]),
        "summary": summary,
        "filtered": any(name in params for name in form.fields if name not in QUEUE_DEFAULTS),
    }
    if request.user.has_perm("claims.assign_any"):
        context["bulk_form"] = BulkForm()
        context["undo"] = bulk_action_latest(user=request.user)
    return render(request, "claims/queue.html", context)


@reader
def article_suggest(request):
    """The queue's article filter as you type: up to 20 matching articles as
    radio buttons (htmx swaps them in under the search field)."""
    query = request.GET.get("article_q", "")
    context = {"articles": article_suggestions(query=query), "query": query}
    chosen = request.GET.get("article", "")  # the one checked: it stays offered
    if chosen.isascii() and chosen.isdigit() and int(chosen) < 2**63:
        context["chosen_article"] = article_suggestions(query=chosen, limit=1, by_id=True)
    return render(request, "claims/_article_options.html", context)


@reader
def user_suggest(request):
    """Usernames for the assignee filter's datalist, as you type."""
    names = user_suggestions(query=request.GET.get("assignee", ""))
    return render(request, "claims/_user_options.html", {"names": names})
