"""The queue: claims grouped by confidence level, very low first, filtered with
the shared ClaimFilter, and the editors' bulk actions."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from claims.domain import as_pk
from claims.filters import OPEN_STATUSES, QUICK_VIEWS, ClaimFilter
from claims.forms import (
    PAGE_SIZES,
    QUEUE_FIELDS,
    SORTS,
    BulkForm,
    QueueForm,
    SavedViewForm,
)
from claims.models import VERDICTS, Claim, ClaimStatus, ConfidenceLevel, DismissReason
from claims.selectors import (
    LEVEL_ORDER,
    Key,
    article_suggestions,
    bulk_action_latest,
    claim_cluster_heads,
    claim_counts,
    claim_in_sentence,
    claim_list,
    claim_queue_rows,
    claim_sentences,
    keyset_order,
    saved_view_list,
    user_suggestions,
)
from claims.services import saved_view_create, saved_view_delete
from claims.services.csvexport import claims_csv_response, count_up_to, sync_max_rows
from claims.services.saved_views import saved_view_query
from claims.workflow import PermissionMemo, allowed_targets

from ._common import history_fresh, keyset_page, reader, redirect_next
from .bulk import bulk_kept
from .form_renderer import QUEUE_RENDERER
from .queue_rows import QueueRows, RowLinks

# Each sort, after the level (Claim.level_rank: very low first, unscored last) and
# before the id that breaks the last ties. "worth", the default, is the column
# list of the claim_queue_order index: the first page and every next one is a
# range scan of it, whatever the page's depth (OFFSET paging read every row
# before the page: /?page=2000 took 8.4 s at 1M claims).
_ARTICLE_ORDER = [Key("article_id", kind=int), Key("position", kind=int)]
SORT_KEYS = {
    "worth": [Key("checkworthiness", True), *_ARTICLE_ORDER],
    "score": [Key("score_key"), *_ARTICLE_ORDER],
    # The desk's planning orders come without the level first (a to-do list by
    # date or urgency): the claim_due_order and claim_priority_order indexes.
    "due": [Key("due_key", kind=datetime), Key("priority", kind=int)],
    "priority": [Key("priority", kind=int), Key("due_key", kind=datetime)],
    "newest": [Key("created_at", True, datetime), Key("position", kind=int)],
    "oldest": [Key("created_at", False, datetime), Key("position", kind=int)],
    "article": _ARTICLE_ORDER,
}
UNLEVELLED_SORTS = {"due", "priority"}
UNSCORED = "Not scored yet"
QUEUE_DEFAULTS = {"sort": "worth", "per_page": str(PAGE_SIZES[1])}
DEFAULT_VIEW = "open"
# The quick views, in the order of their tabs.
TABS = ["open", "mine", "unassigned", "due", "done", "all"]


def queue_keys(sort: str) -> list[Key]:
    """The keyset of a sort: the level first (but for the planning orders), the id last."""
    lead = [] if sort in UNLEVELLED_SORTS else [Key("level_rank", kind=int)]
    return [*lead, *SORT_KEYS[sort], Key("id", kind=int)]


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
                    "label": f"{_level_label(level)} confidence",
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


def view_params(query: QueryDict) -> QueryDict:
    """The queue's view (its quick view, filters and sort) in ``query``, without page
    cursors: what a claim opened from the queue carries, for "Next claim in this view".
    Nor ``page``, the page number of the queue before it paged by cursor: an old
    bookmark opens its view's first page."""
    params = _given(query)
    for name in ("after", "before", "page"):
        params.pop(name, None)
    return params


# What a queue address may hold: the form's fields, the filter's (kind and
# repeats_min come from links), and the page cursors.
QUEUE_PARAMS = frozenset([*QUEUE_FIELDS, *ClaimFilter.base_filters, "after", "before"])


def view_claims(
    params: QueryDict, user, *, strict: bool = False
) -> tuple[QueueForm, object, list[Key]]:
    """The queue's form, claims and sort keys for the view ``params``. ``strict``
    (the queue and its CSV): a parameter that is none of the queue's is a form
    error and lists no claims, as an invalid value is: a misspelt filter
    ("confidence" for confidence_level) must not list every claim."""
    filters = params.copy()
    filters["view"] = params.get("view") or DEFAULT_VIEW  # open work unless asked
    data = filters.copy()
    for name, value in QUEUE_DEFAULTS.items():
        data.setdefault(name, value)
    form = QueueForm(data, renderer=QUEUE_RENDERER)  # its widgets in Python
    form.is_valid()  # errors are shown; ClaimFilter then returns no rows
    unknown = sorted(set(params) - QUEUE_PARAMS) if strict else []
    for name in unknown:
        form.add_error(None, f"“{name}” is not a filter of the queue (a misspelt link?).")
    claims = claim_list(filters=filters, user=user)
    if unknown:
        claims = claims.none()
    keys = queue_keys(form.sort_name())
    if form.grouped():
        claims = claim_cluster_heads(claims, keys)
    return form, claims, keys


def _hours(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours < 1:
        return f"{max(int(delta.total_seconds() // 60), 1)} min"
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} days"


def _due(claim: Claim, now: datetime) -> dict | None:
    """How a row shows its due date: in words, and whether open work is overdue."""
    if claim.due_at is None:
        return None
    overdue = claim.status in OPEN_STATUSES and claim.due_at < now
    if overdue:
        text = f"Overdue {_hours(now - claim.due_at)}"
    elif claim.status in OPEN_STATUSES:
        text = f"Due in {_hours(claim.due_at - now)}"
    else:
        text = "Was due"
    return {"at": claim.due_at, "text": text, "overdue": overdue}


# The moves a row's buttons make: start, dismiss and the verdicts.
ROW_MOVES = frozenset({ClaimStatus.IN_PROGRESS, ClaimStatus.DISMISSED, *VERDICTS})


def _actions(claim: Claim, user, can_work: bool) -> dict:
    """What this user may do to the row's claim from the queue (its buttons and keys)."""
    targets = allowed_targets(claim, user, among=ROW_MOVES)
    return {
        "start": ClaimStatus.IN_PROGRESS in targets and claim.status == ClaimStatus.UNSTARTED,
        "dismiss": ClaimStatus.DISMISSED in targets,
        "verdict": any(t in VERDICTS for t in targets),
        "take": can_work and claim.assignee_id != user.pk,
    }


def _render_rows(request, rows: list[Claim], *, csrf_token: str, **page) -> SafeString:
    """Each row's HTML in ``claim.row_html`` (queue_rows.QueueRows, with ``page``'s
    view_query, bulk and can_work), and the hidden forms of all the rows'
    one-click buttons, returned."""
    now, links, user = timezone.now(), RowLinks(), PermissionMemo(request.user)
    html = QueueRows(
        user=request.user, next_path=request.get_full_path(), csrf_token=csrf_token, **page
    )
    forms = []
    for claim in rows:
        claim.in_sentence = claim_in_sentence(claim)
        claim.due = _due(claim, now)
        claim.actions = _actions(claim, user, page["can_work"])
        claim.links = links.of(claim)
        claim.row_html = html.row(claim)
        forms.append(html.forms(claim))
    return mark_safe("\n".join(forms))  # noqa: S308  # nosec  # format_html's, in queue_rows


def _tabs(view: str, params: QueryDict) -> list[dict]:
    keep = {k: params[k] for k in ("sort", "per_page") if k in params}
    tabs = []
    for key in TABS:
        query = QueryDict(mutable=True)
        query.update({"view": key, **keep} if key != DEFAULT_VIEW else keep)
        tabs.append({"key": key, "label": QUICK_VIEWS[key], "query": query.urlencode()})
    return [{**t, "current": t["key"] == view} for t in tabs]


def _view_query(params: QueryDict) -> str:
    """The query string of this view as a saved view keeps it."""
    query = params.copy()
    if query.get("view") == DEFAULT_VIEW:
        del query["view"]
    return query.urlencode()


def _same_view(query: str) -> list[tuple[str, str]]:
    """A queue query in one spelling, to tell whether two name the same view: the
    filter form sends every field (empty ones, the defaults, view=open) in its
    own order; a chip's link or a saved view only what differs."""
    params = view_params(QueryDict(query))
    for name, default in {**QUEUE_DEFAULTS, "view": DEFAULT_VIEW}.items():
        if params.getlist(name) == [default]:
            del params[name]
    if "article" in params:
        params.pop("article_q", None)  # the chosen article's title, in the search box
    return sorted((name, value) for name in params for value in params.getlist(name))


@history_fresh
@reader
def queue(request):
    params = view_params(request.GET)
    view = params.get("view") or DEFAULT_VIEW
    form, claims, keys = view_claims(params, request.user, strict=True)
    counts = claim_counts(qs=claims)
    sort = form.sort_name()
    page = keyset_page(request, claim_queue_rows(claims, keys), keys, form.page_size())
    claim_sentences(page.rows)
    summary = _summary(counts)
    chosen = form.cleaned_data.get("article") if form.is_valid() else None
    if sort in UNLEVELLED_SORTS:
        groups = [{"level": "all", "label": SORTS[sort][0], "total": None, "rows": page.rows}]
        groups = groups if page.rows else []
    else:
        groups = _groups(page.rows, counts["level"])
    current_query = _view_query(params)
    user = request.user
    saved_views = list(saved_view_list(user=user))
    here = _same_view(current_query)
    for saved in saved_views:
        saved.current = _same_view(saved.query) == here
    context = {
        "form": form,
        "view": view,
        "tabs": _tabs(view, params),
        "chosen_article": chosen,
        "page": page,
        "total": summary["total"],
        "estimated": counts["estimated"],
        "groups": groups,
        "summary": summary,
        # Any parameter but the view and the sort: a misspelt one (no claims) too;
        # not a title typed and not chosen (the list is not filtered by it).
        "filtered": any(name not in {*QUEUE_DEFAULTS, "view", "article_q"} for name in params),
        "current_query": current_query,
        "saved_views": saved_views,
        "saved_view_form": SavedViewForm(initial={"query": current_query}, renderer=QUEUE_RENDERER),
        "dismiss_reasons": DismissReason.choices,
        "verdicts": [(v, ClaimStatus(v).label) for v in VERDICTS],
        "can_work": user.has_perm("claims.work_claim"),
        "can_verdict": user.has_perm("claims.give_verdict"),
        # Carried to each claim's page: its "Next claim" follows this view.
        "view_query": f"?{params.urlencode()}" if params else "",
        # One token for the page's forms and the rows' (each get_token() masks anew).
        "csrf_token": get_token(request),
    }
    selected: set[int | None] = set()
    typed = _refuse_nul(params.get("article_q", ""))
    if typed and not chosen and "article" not in form.errors:
        # A title typed and sent (Enter) without picking a match: the list is not
        # filtered by article, which the page says, offering the matches again.
        matches = article_suggestions(query=typed)
        context.update(article_unchosen=typed, articles=matches, query=typed)
    if user.has_perm("claims.assign_any"):
        kept = bulk_kept(request)  # a refused bulk form, its rows ticked again
        context["bulk_form"] = BulkForm(kept, renderer=QUEUE_RENDERER)
        context["undo"] = bulk_action_latest(user=user)
        selected = {as_pk(v) for v in kept.getlist("claims")} if kept else set()
    context["row_forms"] = _render_rows(
        request,
        page.rows,
        csrf_token=context["csrf_token"],
        view_query=context["view_query"],
        bulk="bulk_form" in context,
        selected=selected,
        can_work=context["can_work"],
    )
    return render(request, "claims/queue.html", context)


@reader
def queue_csv(request):
    """The queue's current view (its filters and sort, every page) as CSV: the
    API's export, streamed. Past the size a download streams, the page says so
    and the API's export job is the way (it writes the file off the request)."""
    params = view_params(request.GET)
    form, claims, keys = view_claims(params, request.user, strict=True)
    back = reverse("dashboard:queue") + (f"?{params.urlencode()}" if params else "")
    if not form.is_valid():
        messages.error(request, "Fix the filters before exporting.")
        return redirect(back)
    qs = keyset_order(claims, keys)
    limit = sync_max_rows()
    if count_up_to(qs, limit + 1) > limit:
        messages.error(
            request,
            f"This view has more than {limit:,} claims, more than a download from the page "
            "holds. Narrow the filters, or start an export job with the API "
            "(GET /api/v1/claims/export.csv).",
        )
        return redirect(back)
    return claims_csv_response(qs)


@reader
@require_POST
def saved_view_create_view(request):
    form = SavedViewForm(request.POST)
    query = request.POST.get("query", "")
    # Back to the filters the user was looking at (only the queue's own fields).
    kept = saved_view_query(query=query, fields=QUEUE_FIELDS)
    back = reverse("dashboard:queue") + (f"?{kept}" if kept else "")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"The view was not saved: {error}")
        return redirect(back)
    try:
        saved = saved_view_create(
            user=request.user, name=form.cleaned_data["name"], query=query, fields=QUEUE_FIELDS
        )
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, f"The view was not saved: {error}")
        return redirect(back)
    messages.success(request, f"View “{saved.name}” saved.")
    return redirect(reverse("dashboard:queue") + (f"?{saved.query}" if saved.query else ""))


@reader
@require_POST
def saved_view_delete_view(request, pk: int):
    if not saved_view_delete(user=request.user, pk=pk):
        raise Http404("You have no such saved view.")
    messages.success(request, "The saved view is deleted.")
    return redirect_next(request, reverse("dashboard:queue"))


@reader
def article_suggest(request):
    """The queue's article filter as you type: up to 20 matching articles as
    radio buttons (htmx swaps them in under the search field)."""
    query = _search(request, "article_q")
    context = {"articles": article_suggestions(query=query), "query": query}
    chosen = request.GET.get("article", "")  # the one checked: it stays offered
    if as_pk(chosen) is not None:
        context["chosen_article"] = article_suggestions(query=chosen, limit=1, by_id=True)
    return render(request, "claims/_article_options.html", context)


@reader
def user_suggest(request):
    """Usernames for the assignee filter's datalist, as you type."""
    names = user_suggestions(query=_search(request, "assignee"))
    return render(request, "claims/_user_options.html", {"names": names})


def _search(request, name: str) -> str:
    return _refuse_nul(request.GET.get(name, ""))


def _refuse_nul(query: str) -> str:
    if "\x00" in query:  # PostgreSQL refuses it in a query; no title or username holds one
        raise BadRequest("A search cannot contain a null character.")
    return query
