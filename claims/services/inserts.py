"""The analysis's bulk inserts (its new claims and hedge cues): the columns given,
the others left to their database defaults, each object's id (and generated
columns) set as bulk_create sets them.

On PostgreSQL a batch goes as one JSON document (INSERT ... SELECT FROM
jsonb_to_recordset): json.dumps writes it in C, where bulk_create prepares every
value through its field (~500 calls an article) and psycopg then writes each
array of its UNNEST form in Python, element by element (~2 ms an article of the
analysis's ~15 claims, 3% of the engine's time). The values are the fields'
get_prep_value, as Django's own insert sends them; a batch whose values JSON
cannot hold exactly (a NaN score, a type json does not know) goes the ORM's way,
as does every batch on other databases.
"""

from __future__ import annotations

import json

from django.db import connections, models, router
from django.db.models.sql import InsertQuery

BATCH = 500  # rows per statement


def rows_insert(model: type[models.Model], objs: list, fields: list[models.Field]) -> None:
    """Insert ``objs`` (new instances of ``model``) with the columns of ``fields``;
    sets each one's pk and generated columns."""
    if not objs:
        return
    db = router.db_for_write(model)
    connection = connections[db]
    opts = model._meta
    returning = [opts.pk, *(f for f in opts.concrete_fields if f.generated)]
    size = min(BATCH, max(connection.ops.bulk_batch_size(fields, objs), 1))
    for first in range(0, len(objs), size):
        batch = objs[first : first + size]
        rows = None
        if connection.vendor == "postgresql":
            rows = _json_insert(connection, model, batch, fields, returning)
        if rows is None:
            query = InsertQuery(model)
            query.insert_values(fields, batch)
            rows = query.get_compiler(using=db).execute_sql(returning)
        for obj, row in zip(batch, rows, strict=True):
            for field, value in zip(returning, row, strict=True):
                setattr(obj, field.attname, value)
            obj._state.adding, obj._state.db = False, db


def _json_insert(connection, model, batch: list, fields: list, returning: list) -> list | None:
    """The batch as one JSON document, or None if JSON cannot carry its values."""
    times = [f for f in fields if isinstance(f, models.DateField)]
    document = []
    for obj in batch:
        for field in times:
            field.pre_save(obj, add=True)  # auto_now(_add), as the ORM's insert does
        row = {f.column: f.get_prep_value(getattr(obj, f.attname)) for f in fields}
        for field in times:
            if row[field.column] is not None:
                row[field.column] = row[field.column].isoformat()
        document.append(row)
    try:
        text = json.dumps(document, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return None
    with connection.cursor() as cursor:
        cursor.execute(_json_sql(connection, model, tuple(fields), tuple(returning)), [text])
        return cursor.fetchall()


_SQL: dict = {}


def _json_sql(connection, model, fields: tuple, returning: tuple) -> str:
    key = (connection.alias, model, fields, returning)
    if key not in _SQL:
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in fields)
        record = ", ".join(f"{qn(f.column)} {f.db_type(connection)}" for f in fields)
        back = ", ".join(qn(f.column) for f in returning)
        # Rows come back in the document's order (the scan's), as with Django's
        # UNNEST form, which bulk_create relies on the same way.
        _SQL[key] = (
            f"INSERT INTO {qn(model._meta.db_table)} ({columns}) "  # noqa: S608 (our own names)
            f"SELECT {columns} FROM jsonb_to_recordset(%s::jsonb) AS r({record}) "
            f"RETURNING {back}"
        )
    return _SQL[key]
