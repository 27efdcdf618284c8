"""CSV of a claim list, streamed row by row.

Spreadsheet programs run a cell that starts with = + - @ (or a tab or carriage
return) as a formula: a claim quoting "=HYPERLINK(...)" must not become one.
Such text cells get a leading apostrophe (OWASP's "CSV injection" advice).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from claims.models import Claim

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = [
    ("id", lambda c: c.pk),
    ("article_id", lambda c: c.article_id),
    ("article_title", lambda c: c.article.title),
    ("text", lambda c: c.text),
    ("kind", lambda c: c.kind),
    ("source", lambda c: c.source_text),
    ("source_type", lambda c: c.source_type),
    ("source_role", lambda c: c.source_role),
    ("sourcing_strength", lambda c: c.sourcing_strength),
    ("hedges", lambda c: "; ".join(f"{h.text} ({h.category})" for h in c.hedges.all())),
    ("confidence_score", lambda c: c.confidence_score),
    ("confidence_level", lambda c: c.confidence_level),
    ("confidence_reasons", lambda c: "; ".join(map(str, c.confidence_reasons or []))),
    ("checkworthiness", lambda c: c.checkworthiness),
    ("status", lambda c: c.status),
    ("assignee", lambda c: c.assignee.get_username() if c.assignee else ""),
    ("created_at", lambda c: c.created_at.isoformat()),
    ("updated_at", lambda c: c.updated_at.isoformat()),
]
CHUNK = 500  # rows fetched (and hedges prefetched) per round trip


def safe_cell(value):
    """The value as a cell that no spreadsheet evaluates."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class _Echo:
    """csv.writer writes into this and gets the line back, to stream it."""

    def write(self, value: str) -> str:
        return value


def csv_rows(claims: Iterable[Claim]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([name for name, _ in COLUMNS])
    for claim in claims:
        yield writer.writerow([safe_cell(get(claim)) for _, get in COLUMNS])


def claims_csv_response(qs: QuerySet[Claim]) -> StreamingHttpResponse:
    """Stream ``qs`` (already filtered and ordered) as a CSV download."""
    rows = csv_rows(qs.iterator(chunk_size=CHUNK))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="claims-{stamp}.csv"'
    return response
