"""The CSV export moved to claims.services.csvexport, so the dashboard's queue
can export its view too (faces do not import each other); the API's names stay
importable from here."""

from claims.services.csvexport import (  # noqa: F401
    CHUNK,
    COLUMNS,
    FORMULA_START,
    HEADER,
    claims_csv_response,
    count_up_to,
    csv_filename,
    csv_lines,
    csv_records,
    export_rows,
    safe_cell,
    sync_max_rows,
)
