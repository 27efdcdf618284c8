"""OpenAPI documentation helpers: every endpoint lists the errors it can return,
all in the one error shape."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from claims.api.serializers import ErrorSerializer
from claims.filters import SEARCH_MAX

WHY = {
    400: "Invalid input: malformed JSON, wrong types, unknown or invalid query "
    "parameters, or a change the workflow does not allow from the claim's status.",
    401: "No credentials, or an invalid or expired token.",
    403: "Your role may not do this.",
    404: "No such object (or no such endpoint).",
    409: "Stale version: someone changed the claim since you read it (details.version: "
    "its version now, details.your_version: the one you sent).",
    413: "The request body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE (a JSON body or a "
    "form's fields) or, whatever its kind, than REQUEST_BODY_MAX_BYTES.",
    415: "The body is not JSON (send Content-Type: application/json).",
    422: "A ClaimReview of a verdict without its published fact-check (public URL and "
    "public summary): an editor sets them first. details.claims: the claims' ids.",
    429: "Too many requests: wait the seconds given in Retry-After.",
    503: "A service the request needs (the task queue) is unreachable: try again later.",
}
CODES = {
    400: ("invalid", 'to: "done" is not a valid choice.'),
    401: ("not_authenticated", "Authentication credentials were not provided."),
    403: ("permission_denied", "Your role cannot give a verdict (verified) on a claim. ..."),
    404: ("not_found", "There is no claim with id 12345."),
    409: ("stale_version", "This claim was changed by editor at 2026-01-05 10:12:00 ..."),
    413: ("payload_too_large", "The request body is larger than the server accepts."),
    415: (
        "unsupported_media_type",
        'Unsupported media type "text/plain" in request: send the body with Content-Type: '
        "application/json.",
    ),
    422: (
        "claimreview_incomplete",
        "No ClaimReview without the published fact-check: claim #12 ...",
    ),
    429: ("throttled", "Request was throttled. Expected available in 12 seconds."),
    503: ("queue_unavailable", "The export queue is unreachable; try again later."),
}


def _example(status: int) -> OpenApiExample:
    code, message = CODES[status]
    details = (
        {"to": ['"done" is not a valid choice.']}
        if status == 400
        else {"wait": 12}
        if status == 429
        else {"claims": [12]}
        if status == 422
        else {"version": 4, "your_version": 3}
        if status == 409
        else {}
    )
    value = {"error": {"code": code, "message": message, "details": details}}
    return OpenApiExample(code, value=value, response_only=True, status_codes=[status])


# Every endpoint behind authentication; 400 too, for a query parameter it does not
# take (or an unknown ?format=).
READ = (400, 401, 403, 429)
WRITE = (400, 401, 403, 413, 415, 429)  # every endpoint that takes a JSON body


def errors(*codes: int) -> dict:
    """``responses`` entries for these status codes, in the error shape."""
    return {
        code: OpenApiResponse(ErrorSerializer, description=WHY[code], examples=[_example(code)])
        for code in sorted(set(codes))
    }


def search_parameter(description: str) -> OpenApiParameter:
    """``q`` with the length every search keeps to (more is a 400): as a plain
    string, a generated client's own checks let a longer one through."""
    schema = {"type": "string", "maxLength": SEARCH_MAX}
    return OpenApiParameter("q", schema, description=description)
