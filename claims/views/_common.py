"""What the dashboard's views share: who may read, htmx detection, safe redirects."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from claims.workflow import NotPermitted, StaleVersion, WorkflowError

PANEL_ID = "claim-panel"


def reader(view):
    """Logged in (else to the login page) and allowed to read claims (else 403):
    every dashboard page. Each view says so itself rather than a middleware, so
    /api/ (token auth) and /admin/ (its own login) are left alone."""
    return login_required(permission_required("claims.view_claim", raise_exception=True)(view))


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def wants_panel(request: HttpRequest) -> bool:
    """An htmx request from the article page's side panel."""
    return is_htmx(request) and request.headers.get("HX-Target") == PANEL_ID


def status_for(exc: WorkflowError) -> int:
    """HTTP status of a refused change: the same codes as the API."""
    if isinstance(exc, NotPermitted):
        return 403
    if isinstance(exc, StaleVersion):
        return 409
    return 400


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` field if it points into this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def redirect_next(request: HttpRequest, default: str):
    return redirect(safe_next(request, default))


def only_once(view):
    """No caching of pages that show a secret once (a new API key)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

    return wrapped
