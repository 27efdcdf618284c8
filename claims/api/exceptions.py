"""One error shape for the whole API, from one place.

Every error under /api/ is ``{"error": {"code", "message", "details"}}``: DRF's
exceptions, the services' and the workflow's refusals, Django's own 404/400/500
pages (handler404/handler400/handler500 in tracker/urls.py) and URLs that match
no endpoint. Never an HTML page, never a stack trace.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from claims.claimreview import ClaimReviewIncomplete
from claims.ingest import IngestError
from claims.workflow import NotPermitted, StaleVersion, WorkflowError

API_PREFIX = "/api/"
log = logging.getLogger("django.request")


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is larger than the server accepts."
    default_code = "payload_too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The resource was changed in the meantime."
    default_code = "conflict"


class Unprocessable(exceptions.APIException):
    """The request is understood but the resource cannot give it yet (a
    ClaimReview of a verdict without its published fact-check)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "The resource is not ready for this request."
    default_code = "unprocessable"


def _as_api_exception(exc: Exception) -> Exception:
    """Django's and our own exceptions as the DRF exception with the right status."""
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(exc, TooManyFieldsSent):  # read lazily, in the view: not a 500
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return exceptions.ParseError(
            f"Too many query or form fields: at most {limit}.", code="too_many_fields"
        )
    if isinstance(exc, SuspiciousOperation):  # Django answers these 400 everywhere else
        return exceptions.ParseError("Bad request.", code="bad_request")
    if isinstance(exc, NotPermitted):
        return exceptions.PermissionDenied(exc.message, code=exc.code)
    if isinstance(exc, StaleVersion):
        error = Conflict(exc.message, code=exc.code)
        if exc.version is not None:  # for scripts: what changed under them
            error.details = {"version": exc.version, "your_version": exc.yours}
        return error
    if isinstance(exc, WorkflowError):  # not possible from here, note missing, bad field
        return exceptions.ValidationError({"non_field_errors": [exc.message]}, code=exc.code)
    if isinstance(exc, IngestError):
        return exceptions.ValidationError({"non_field_errors": [str(exc)]}, code="invalid_article")
    if isinstance(exc, ClaimReviewIncomplete):
        error = Unprocessable(str(exc), code="claimreview_incomplete")
        error.details = {"claims": exc.claim_ids}  # which claims to complete, for scripts
        return error
    return exc


def exception_handler(exc: Exception, context: dict) -> Response:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every exception raised in an API view."""
    exc = _as_api_exception(exc)
    if isinstance(exc, exceptions.UnsupportedMediaType):
        exc = _unsupported_media_type(context)
    response = drf_exception_handler(exc, context)
    if response is None:
        return _server_error(exc, context)
    response.data = _body(exc, response.data)
    return response


def _unsupported_media_type(context: dict) -> exceptions.UnsupportedMediaType:
    """A 415 that says what to send: DRF's 'Unsupported media type "" in request.'
    left a script that forgot the header (curl -d, a str body) to guess."""
    request, view = context.get("request"), context.get("view")
    given = (getattr(request, "content_type", "") or "").split(";")[0].strip()[:100]
    parsers = view.get_parsers() if view is not None else []
    takes = " or ".join(dict.fromkeys(p.media_type for p in parsers)) or "application/json"
    said = f'Unsupported media type "{given}" in request' if given else "No Content-Type given"
    return exceptions.UnsupportedMediaType(
        given, detail=f"{said}: send the body with Content-Type: {takes}."
    )


def _body(exc: exceptions.APIException, data) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        details = data if isinstance(data, dict) else {"non_field_errors": data}
        code = _workflow_code(exc) or "invalid"
        message = _first_message(details) or "The request is not valid."
        return error_body(code, message, details)
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else exc.default_code
    if isinstance(exc, exceptions.Throttled):
        details = {"wait": exc.wait}
    else:
        details = getattr(exc, "details", None) or {}
    return error_body(code, str(exc.detail), details)


def _workflow_code(exc: exceptions.ValidationError) -> str | None:
    """The workflow's own code ("note_required", "transition_not_allowed") if it is one."""
    codes = exc.get_codes()
    if isinstance(codes, dict) and list(codes) == ["non_field_errors"]:
        first = codes["non_field_errors"]
        if len(first) == 1 and first[0] not in {"invalid", "required"}:
            return first[0]
    return None


def _first_message(details, field: str | None = None) -> str | None:
    """The first error message, prefixed with its field, for people who read only
    ``message``: {"to": ['"x" is not a valid choice.']} -> 'to: "x" is not ...'."""
    if isinstance(details, str):
        return f"{field}: {details}" if field and field != "non_field_errors" else details
    if isinstance(details, dict) and details:
        key, value = next(iter(details.items()))
        return _first_message(value, field or str(key))
    if isinstance(details, list) and details:
        return _first_message(details[0], field)
    return None


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _server_error(exc: Exception, context: dict) -> Response:
    """An unexpected exception in an API view: logged with its traceback (as Django
    logs a 500, so error mails still arrive), answered with the error shape even
    when DEBUG is on."""
    request = context.get("request")
    django_request = getattr(request, "_request", request)
    path = getattr(django_request, "path", "?")
    log.error(
        "Internal Server Error: %s",
        path,
        exc_info=(type(exc), exc, exc.__traceback__),
        extra={"status_code": 500, "request": django_request},
    )
    response = Response(
        error_body("server_error", "Internal server error."),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
    response._has_been_logged = True  # Django's log_response: logged above, with the traceback
    return response


# --- Django's error views, for paths DRF never sees ------------------------------------


def _is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def handler404(request, exception=None):
    if _is_api(request):
        return JsonResponse(
            error_body("not_found", "There is no API endpoint at this URL."), status=404
        )
    return defaults.page_not_found(request, exception)


def handler400(request, exception=None):
    if _is_api(request):
        if isinstance(exception, RequestDataTooBig):
            return JsonResponse(
                error_body("payload_too_large", PayloadTooLarge.default_detail), status=413
            )
        return JsonResponse(error_body("bad_request", "Bad request."), status=400)
    return defaults.bad_request(request, exception)


def handler500(request):
    if _is_api(request):
        return JsonResponse(error_body("server_error", "Internal server error."), status=500)
    return defaults.server_error(request)


@csrf_exempt
def api_not_found(request, path: str = ""):
    """The last API route: an unknown /api/ URL gets the error shape even with DEBUG
    on (when Django would show its HTML debug 404 instead of handler404)."""
    message = "There is no API endpoint at this URL."
    if not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            message += f" Did you mean {request.path}/ (with the trailing slash)?"
    return JsonResponse(error_body("not_found", message), status=404)
