"""Logs a production 500 can be traced through: one JSON object per line on
stdout, each with the id of the request it belongs to.

The id comes from the ``X-Request-ID`` header when a proxy sent a sane one (so the
proxy's log and ours match), or is made here; the response carries it back.
``tracker.settings.LOGGING`` wires the filter and the formatter to every logger.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

HEADER = "X-Request-ID"
# Letters, digits and - _ . : only, and not too long: anything else (a newline,
# a megabyte) is replaced, never copied into a log line or a response header.
SANE_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
NO_REQUEST = "-"
# A whole API key sent where a token_key belongs (DELETE /api/v1/tokens/<key>/):
# the request is refused, and the access line (django.server) does not keep it.
WHOLE_KEY_IN_PATH = re.compile(r"(/api/v1/tokens/)[^/\s]{16,}")

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default=NO_REQUEST)


class RequestIdMiddleware:
    """First in MIDDLEWARE: every log line of the request, down to Django's own
    500 report, carries the id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER, "")
        rid = given if SANE_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        request.request_id = rid
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[HEADER] = rid
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


# Characters json.dumps(ensure_ascii=False) writes raw that break or disguise a line:
# Unicode's line breaks (NEL, LINE and PARAGRAPH SEPARATOR), which str.splitlines and
# other readers end a line at, and the bidi controls, which make a line read
# otherwise on a terminal. Written as JSON's \u escapes: the same value, on one line.
# They occur only inside JSON strings, where an escape is always valid.
_LINE_SAFE = str.maketrans(
    {
        ch: f"\\u{ord(ch):04x}"
        for ch in "\x85\u2028\u2029\u061c\u200e\u200f"
        "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    }
)


class JSONFormatter(logging.Formatter):
    """One line per event: time, level, logger, request id, message, and the
    traceback (``exc``) when there is one, as a JSON string (no raw newlines)."""

    def format(self, record: logging.LogRecord) -> str:
        event = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", NO_REQUEST),
            "message": WHOLE_KEY_IN_PATH.sub(r"\1[redacted]", record.getMessage()),
        }
        status = getattr(record, "status_code", None)
        if isinstance(status, int):
            event["status"] = status
        if record.exc_info:
            event["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            event["stack"] = self.formatStack(record.stack_info)
        return json.dumps(event, ensure_ascii=False, default=str).translate(_LINE_SAFE)
