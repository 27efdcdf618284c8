"""CSV of a claim list: streamed when it is small, written by a job when it is not.

Spreadsheet programs run a cell that starts with = + - @ (or a tab or carriage
return) as a formula: a claim quoting "=HYPERLINK(...)" must not become one.
Such text cells get a leading apostrophe (OWASP's "CSV injection" advice).

The rows are read as plain tuples (``values_list``) with the two article fields
they show: a model instance would load the article's ``analysis_data`` blob
(megabytes of JSON, decoded once per claim row: 69 of the 70 s of a 1M-row export).
Hedges come per chunk of rows, in one query. A streamed response cannot report an
error once its 200 is sent, so only lists up to ``CSV_EXPORT_SYNC_MAX_ROWS`` are
streamed (seconds of work at most); a longer one is a background job
(claims.api.exportjobs) whose state says when it failed.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterable, Iterator
from itertools import islice

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from claims.models import Claim, HedgeCue

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _assignee_field() -> str:
    return f"assignee__{get_user_model().USERNAME_FIELD}"


def _iso(value) -> str:
    return value.isoformat() if value else ""


# (column, field read, cell from the value); "hedges" is filled per chunk.
COLUMNS = [
    ("id", "pk", None),
    ("article_id", "article_id", None),
    ("article_title", "article__title", None),
    ("text", "text", None),
    ("kind", "kind", None),
    ("source", "source_text", None),
    ("source_type", "source_type", None),
    ("source_role", "source_role", None),
    ("sourcing_strength", "sourcing_strength", None),
    ("hedges", None, None),
    ("confidence_score", "confidence_score", None),
    ("confidence_level", "confidence_level", None),
    ("confidence_reasons", "confidence_reasons", lambda v: "; ".join(map(str, v or []))),
    ("checkworthiness", "checkworthiness", None),
    ("status", "status", None),
    ("assignee", "assignee", lambda v: v or ""),
    ("created_at", "created_at", _iso),
    ("updated_at", "updated_at", _iso),
]
HEADER = [name for name, _, _ in COLUMNS]
CHUNK = 2000  # rows fetched (and their hedges) per round trip


def safe_cell(value):
    """The value as a cell that no spreadsheet evaluates."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def export_rows(qs: QuerySet[Claim]) -> QuerySet:
    """``qs`` (filtered and ordered) as tuples of the columns' fields: no model
    instances, no joins beyond the article's title and the assignee's name."""
    fields = [_assignee_field() if f == "assignee" else f for _, f, _ in COLUMNS if f]
    return qs.select_related(None).prefetch_related(None).values_list(*fields)


def count_up_to(qs: QuerySet[Claim], limit: int) -> int:
    """How many rows ``qs`` has, counting no further than ``limit``: a
    ``COUNT(*)`` over a ``LIMIT``, which stops early on a big list."""
    ids = qs.select_related(None).prefetch_related(None).order_by().values("pk")
    return ids[:limit].count()


def _hedges_of(ids: list[int]) -> dict[int, str]:
    found: dict[int, list[str]] = {}
    hedges = HedgeCue.objects.filter(claim_id__in=ids).order_by("claim_id", "start", "pk")
    for claim_id, text, category in hedges.values_list("claim_id", "text", "category"):
        found.setdefault(claim_id, []).append(f"{text} ({category})")
    return {claim_id: "; ".join(cues) for claim_id, cues in found.items()}


def csv_records(qs: QuerySet[Claim]) -> Iterator[list]:
    """The cells of each row of ``qs``, spreadsheet-safe, in chunks of ``CHUNK``.

    Read in one transaction: the server-side cursor of ``iterator()`` then lives in
    it, and every FETCH goes to the same connection. In autocommit it would be a
    WITH HOLD cursor fetched by separate transactions, which pgbouncer in
    transaction mode (the README's advice past max_connections) sends to any server
    connection: "cursor ... does not exist". The rows are one snapshot, too.
    Not on SQLite (the embedded mode): it has no server-side cursor, and its
    transactions begin IMMEDIATE (settings), so one would hold the database's write
    lock while a slow client downloads, and every save elsewhere would wait for it."""
    getters = [(f is not None, cell) for _, f, cell in COLUMNS]
    one_transaction = connection.vendor == "postgresql"
    with transaction.atomic() if one_transaction else contextlib.nullcontext():
        rows = export_rows(qs).iterator(chunk_size=CHUNK)
        while chunk := list(islice(rows, CHUNK)):
            hedges = _hedges_of([row[0] for row in chunk])
            for row in chunk:
                values = iter(row)
                cells = []
                for from_row, cell in getters:
                    value = next(values) if from_row else hedges.get(row[0], "")
                    cells.append(safe_cell(cell(value) if cell else value))
                yield cells


class _Echo:
    """csv.writer writes into this and gets the line back, to stream it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(records: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    for record in records:
        yield writer.writerow(record)


def sync_max_rows() -> int:
    return settings.CSV_EXPORT_SYNC_MAX_ROWS


def claims_csv_response(qs: QuerySet[Claim]) -> StreamingHttpResponse:
    """Stream ``qs`` (already filtered and ordered) as a CSV download."""
    response = StreamingHttpResponse(
        csv_lines(csv_records(qs)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{csv_filename()}"'
    return response


def csv_filename() -> str:
    return f"claims-{timezone.now().strftime('%Y%m%d-%H%M%S')}.csv"
