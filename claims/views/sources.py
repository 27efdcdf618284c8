"""Sources: the list (with search) and a source's page with its record (verdicts
of its claims, hedging per month), its claims, and the editors' merge and split."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from claims.filters import SEARCH_MAX
from claims.forms import SourceMergeForm, SourceSplitForm
from claims.models import ClaimStatus, Source
from claims.selectors import (
    RECORD_STATUSES,
    Key,
    source_changes,
    source_claims,
    source_detail,
    source_hedging,
    source_list,
    source_record,
)
from claims.services.sources import SourceError, source_merge, source_split

from . import chart_html, charts
from ._common import keyset_page, reader

SOURCES_PER_PAGE = 50
# Most claims first, ties by id (n_claims is annotated by source_list).
SOURCE_KEYS = [Key("n_claims", True, int), Key("id", False, int)]
MANAGE = "claims.manage_source"


def sources_reader(view):
    return reader(permission_required("claims.view_source", raise_exception=True)(view))


def _source(pk: int) -> Source:
    try:
        return source_detail(pk=pk)
    except Source.DoesNotExist:
        raise Http404("No such source.") from None


@sources_reader
def source_list_page(request):
    q = request.GET.get("q", "").strip()[:SEARCH_MAX]
    if "\x00" in q:  # PostgreSQL refuses it in a query; no name holds one
        raise BadRequest("A search cannot contain a null character.")
    page = keyset_page(request, source_list(q=q), SOURCE_KEYS, SOURCES_PER_PAGE)
    return render(request, "claims/source_list.html", {"page": page, "q": q})


@sources_reader
def source_page(request, pk: int):
    source = _source(pk)
    if source.merged_into_id:
        messages.info(request, f"{source.name} was merged into {source.merged_into.name}.")
        return redirect("dashboard:source", pk=source.merged_into_id)
    return render(request, "claims/source_detail.html", _context(request, source))


def _context(request, source: Source, merge_form=None, split_form=None) -> dict:
    record = source_record(source=source)
    bars = [(s.value, ClaimStatus(s).label, record[s.value]) for s in RECORD_STATUSES]
    names = [a.name for a in source.aliases.all()]
    months = source_hedging(source=source)
    for month in months:
        month["percent"] = round(100 * month["share"])
    return {
        "source": source,
        "record": record,
        "record_bars": bars,
        "record_svg": chart_html.hbars(
            charts.hbars(bars), "record", "Claims of this source per outcome"
        ),
        "months": months,
        "claims": source_claims(source=source),
        "names": names,
        "other_names": [n for n in names if n != source.name],
        "changes": source_changes(source=source),
        "can_manage": request.user.has_perm(MANAGE),
        "merge_form": merge_form or SourceMergeForm(),
        "split_form": split_form or SourceSplitForm(names=names),
    }


def _manager(request) -> None:
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied("Only editors can merge and split sources.")


@sources_reader
@require_POST
def source_merge_view(request, pk: int):
    _manager(request)
    source = _source(pk)
    form = SourceMergeForm(request.POST)
    error = None
    if form.is_valid():
        into = Source.objects.filter(pk=form.cleaned_data["into"]).first()
        if into is None:
            error = f"There is no source number {form.cleaned_data['into']}."
        else:
            try:
                source_merge(source=source, into=into, user=request.user)
            except SourceError as exc:
                error = exc.message
            else:
                messages.success(request, f"{source.name} was merged into {into.name}.")
                return redirect("dashboard:source", pk=into.pk)
    if error:
        form.add_error("into", error)
    context = _context(request, source, merge_form=form)
    return render(request, "claims/source_detail.html", context, status=400)


@sources_reader
@require_POST
def source_split_view(request, pk: int):
    _manager(request)
    source = _source(pk)
    form = SourceSplitForm(request.POST, names=[a.name for a in source.aliases.all()])
    if form.is_valid():
        try:
            new = source_split(
                source=source, aliases=form.cleaned_data["aliases"], user=request.user
            )
        except SourceError as exc:
            form.add_error("aliases", exc.message)
        else:
            messages.success(request, f"{new.name} is now a source of its own.")
            return redirect("dashboard:source", pk=source.pk)
    context = _context(request, source, split_form=form)
    return render(request, "claims/source_detail.html", context, status=400)
