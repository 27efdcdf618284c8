"""Articles: the list, ingest, the article page with its claims highlighted in
place, and the live analysis state (htmx polls a small partial while the
pipeline runs, then reloads the text region, never the whole page)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from claims.analysis.versions import text_diff
from claims.domain import as_pk
from claims.forms import IngestForm
from claims.models import AnalysisState, Article, ArticleVersion, Claim
from claims.selectors import (
    LEVEL_ORDER,
    Key,
    article_claims,
    article_claims_elsewhere,
    article_level_counts,
    article_list,
    article_version_pair,
    article_versions,
    claim_detail,
)
from claims.selectors import article_page as article_for_page
from claims.services import IngestError, article_ingest, article_reanalyze

from ._common import history_fresh, is_htmx, keyset_page, reader
from .claim_pages import claim_context

ARTICLES_PER_PAGE = 50
# Newest first, on the article_created index (ties by id).
ARTICLE_KEYS = [Key("created_at", True, datetime), Key("id", True, int)]
UNFINISHED = (AnalysisState.FETCHING, AnalysisState.QUEUED, AnalysisState.RUNNING)
# ?shown=N renders at most this many pages of claims at once (N is the reader's own
# count of claims loaded, from the address: a bound on what a URL can ask for).
SHOWN_MAX_PAGES = 50
# The event htmx fires (from the HX-Trigger header) when a polled analysis ends.
FINISHED_EVENT = "analysis-finished"


def _article(pk: int) -> Article:
    try:
        return article_for_page(pk=pk)
    except Article.DoesNotExist:
        raise Http404("No such article.") from None


def _chunk(
    article: Article, after: tuple[int, int] | None, lo: int | None, size: int | None = None
) -> dict:
    """The next ``size`` (settings.ARTICLE_CLAIMS_PAGE) claims after ``after``
    (position, id) and the part of the text they are in, from ``lo`` up to the
    sentence of the first claim left for later (to the end when none is). A page of
    a long article costs the same as a short one; the rest loads on demand ("Show
    more")."""
    size = size or settings.ARTICLE_CLAIMS_PAGE
    claims = article_claims(article=article, after=after, limit=size + 1)
    more = claims[size] if len(claims) > size else None
    claims = claims[:size]
    lo = article.body_offset if lo is None else max(lo, article.body_offset)
    hi = max(lo, more.sentence_start) if more is not None else None
    return {
        "claims": claims,
        "text_lo": lo,
        "text_hi": hi,
        "more_after": f"{claims[-1].position}-{claims[-1].pk}" if more is not None else None,
    }


def _body_context(article: Article, shown: int = 0) -> dict:
    counts = article_level_counts(article=article)
    versions = article_versions(article=article)
    # ``shown``: the claims the reader had loaded with "Show the rest" (the page's
    # script keeps it in the address, ?shown=N): Back and reload render that much
    # again, so the browser puts the reader back where they were in the text.
    page = settings.ARTICLE_CLAIMS_PAGE
    size = min(max(page, shown), page * SHOWN_MAX_PAGES)
    return {
        "article": article,
        **_chunk(article, None, None, size),
        "total": sum(counts.values()),
        "level_counts": [(level, level.label, counts.get(level, 0)) for level in LEVEL_ORDER],
        "unfinished": article.state in UNFINISHED,
        # The Versions section: its counts and "Claims not in the current
        # version" change when a new version's analysis ends.
        "versions": versions,
        "elsewhere": article_claims_elsewhere(article=article),
        # The current version's analysis has carried the claims over: a claim
        # still pointing into an earlier text is not waiting for it.
        "version_analysed": bool(versions and versions[-1].changes),
    }


@reader
def article_list_page(request):
    page = keyset_page(request, article_list(), ARTICLE_KEYS, ARTICLES_PER_PAGE)
    return render(request, "claims/article_list.html", {"page": page})


@history_fresh
@reader
def article_page(request, pk: int):
    article = _article(pk)
    shown = request.GET.get("shown", "")
    shown = int(shown) if shown.isascii() and shown.isdigit() and len(shown) < 7 else 0
    context = _body_context(article, shown)
    selected = request.GET.get("claim", "")
    claim = _claim_of(article, selected)
    if claim is not None:
        panel = claim_context(request, claim, in_panel=True)
        panel.pop("article")  # the same article, already in the context
        context.update(panel, panel=True)
    return render(request, "claims/article_detail.html", context)


def _claim_of(article: Article, selected: str):
    """The claim ``?claim=`` names if it is one of this article's (it may be on a
    later page of claims than the first), else None."""
    if as_pk(selected) is None:
        return None
    try:
        claim = claim_detail(pk=int(selected), history=False)
    except Claim.DoesNotExist:
        return None
    return claim if claim.article_id == article.pk else None


@reader
def article_version_diff(request, pk: int, number: int):
    """Version ``number`` of an article against the one before, word by word in
    the lines that changed (claims.analysis.versions.text_diff: fast on a 1 MB
    text), cut at VERSION_DIFF_MAX_CHARS."""
    article = _article(pk)
    try:
        old, new = article_version_pair(article=article, number=number)
    except ArticleVersion.DoesNotExist:
        raise Http404("No such version.") from None
    diff = text_diff(old.raw_text, new.raw_text, limit=settings.VERSION_DIFF_MAX_CHARS)
    context = {"article": article, "old": old, "new": new, "diff": diff}
    return render(request, "claims/article_version_diff.html", context)


@reader
def article_more(request, pk: int):
    """The next page of an article's claims, for htmx ("Show more"): the next part
    of the text with its highlights, and (out of band) the next items of the list."""
    article = _article(pk)
    numbers = [*request.GET.get("after", "").split("-", 1), request.GET.get("from", "")]
    if len(numbers) != 3 or not all(n.isascii() and n.isdigit() and len(n) < 18 for n in numbers):
        return HttpResponse("after (position-id) and from must be whole numbers.", status=400)
    position, pk, lo = (int(n) for n in numbers)
    context = {"article": article, **_chunk(article, (position, pk), lo)}
    # The link is a real one: opened as a page (no JavaScript, a new tab) it is
    # this part of the text in the dashboard's page, not a bare fragment.
    template = "claims/_article_more.html" if is_htmx(request) else "claims/article_more_page.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@reader
def article_state(request, pk: int):
    """The analysis state partial. ``shown`` is the state the page shows: if it
    has not changed there is nothing to swap (204); once the analysis ends, the
    HX-Trigger header tells the text region to load the claims."""
    article = get_object_or_404(Article.objects.only("pk", "state", "error", "finished_at"), pk=pk)
    shown = request.GET.get("shown", "")
    if is_htmx(request) and shown == article.state:
        return HttpResponse(status=204)
    response = render(request, "claims/_article_state.html", {"article": article})
    if is_htmx(request) and shown in UNFINISHED and article.state not in UNFINISHED:
        response["HX-Trigger"] = FINISHED_EVENT
    return response


@reader
def article_body(request, pk: int):
    """The text region and (out of band) the claims list, for htmx."""
    return render(request, "claims/_article_refresh.html", _body_context(_article(pk)))


@reader
@require_POST
def article_reanalyze_view(request, pk: int):
    if not request.user.has_perm("claims.reanalyze_article"):
        raise PermissionDenied("Only editors can start a new analysis.")
    article = get_object_or_404(Article, pk=pk)
    outcome = article_reanalyze(article=article)
    if outcome is False:
        messages.warning(request, "The analysis queue is unreachable; it will start later.")
    else:
        messages.success(request, "A new analysis has started; claims people worked on are kept.")
    return redirect("dashboard:article", pk=pk)


@reader
@permission_required("claims.add_article", raise_exception=True)
def ingest(request):
    form = IngestForm(request.POST or None, request.FILES or None)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = article_ingest(
                text=data["text"] or None,
                upload=data["upload"],
                url=data["url"] or None,
                user=request.user,
            )
        except IngestError as exc:
            error = str(exc)
        else:
            messages.info(request, result.message)
            return redirect("dashboard:article", pk=result.article.pk)
    status = 400 if request.method == "POST" else 200
    # A browser cannot be given a file back: say so rather than lose it silently.
    context = {"form": form, "error": error, "file_dropped": bool(request.FILES)}
    return render(request, "claims/ingest.html", context, status=status)
