"""Request plumbing the settings point at: the client's address behind proxies,
what error reports may show, and the Content-Security-Policy header."""

import re

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.debug import SafeExceptionReporterFilter


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or with NUM_PROXIES trusted proxies in
    front, the X-Forwarded-For entry the outermost of them added (as DRF's
    throttles read it). Entries further left are the client's own and can be forged."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.NUM_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if not forwarded:
        return remote
    return forwarded[-min(proxies, len(forwarded))]


# scheme://user:password@host or scheme://token@host
_CREDENTIALS_IN_URL = re.compile(r"^[a-z][a-z0-9+.-]*://[^/?#\s]*@", re.IGNORECASE)


class ExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter hides settings and environment variables by name (KEY, PASS,
    TOKEN...). Service URLs carry their passwords in the value instead: hide them by
    name (..._URL, brokers, backends, cache locations) and any value that has
    credentials in a URL, whatever its name."""

    hidden_settings = re.compile(
        SafeExceptionReporterFilter.hidden_settings.pattern
        + "|DATABASE_URL|BROKER|RESULT_BACKEND|CACHE_URL|LOCATION|DSN|REDIS",
        flags=re.IGNORECASE,
    )

    def cleanse_setting(self, key, value):
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, str) and _CREDENTIALS_IN_URL.match(str(cleansed)):
            return self.cleansed_substitute
        return cleansed


class RequestBodyLimitMiddleware:
    """A 413 for a request whose declared body (Content-Length) is over
    REQUEST_BODY_MAX_BYTES, before the body is read: Django streams uploaded files
    to disk whatever their size, and the CSRF check reads every POST's form, files
    included, before any login check. (A body sent without Content-Length, chunked,
    is read as empty by Django.) On /api/ paths the answer has the API's error
    shape (payload_too_large)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.REQUEST_BODY_MAX_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # Django reads a malformed length as 0 too
        if limit is not None and declared > limit:
            message = f"The request body is larger than the limit of {limit:,} bytes."
            if request.path_info.startswith("/api/"):
                body = {"error": {"code": "payload_too_large", "message": message, "details": {}}}
                response = JsonResponse(body, status=413)
            else:
                response = _too_large_page(request, declared, limit)
            response["Content-Length"] = str(len(response.content))
            return response
        return self.get_response(request)


def _too_large_page(request, declared: int, limit: int) -> HttpResponse:
    """The 413 a person sees (a dashboard form's file, as a rule): what they sent
    and what fits, in MB, that nothing was kept, and the way back to the form,
    where the browser's Back keeps what they typed. htmx swaps a 4xx answer into
    the page (base.html's htmx-config): it gets the message alone."""
    context = {
        "sent": f"{declared / 1024**2:,.1f} MB",
        "fits": f"{limit / 1024**2:,.1f} MB",
        "limit": f"{limit:,}",
        "back": _back(request.path),
    }
    fragment = request.headers.get("HX-Request") == "true"
    html = render_to_string("413_fragment.html" if fragment else "413.html", context)
    return HttpResponse(html, status=413, content_type="text/html; charset=utf-8")


def _back(path: str) -> str:
    """The form's URL to go back to, if it is a path of this site: a form posted
    (from another site's page) to //other.example/ must not lead there."""
    return path if url_has_allowed_host_and_scheme(path, allowed_hosts=None) else "/"


class ContentSecurityPolicyMiddleware:
    """Sets CONTENT_SECURITY_POLICY on every response, or the policy of the longest
    CONTENT_SECURITY_POLICY_PATHS prefix that matches the path. (Django 5.2 has no
    CSP of its own; 6.0 adds one, and this can go then.) A response that set its
    own header keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.default = settings.CONTENT_SECURITY_POLICY
        self.by_path = sorted(
            settings.CONTENT_SECURITY_POLICY_PATHS.items(), key=lambda item: -len(item[0])
        )

    def policy_for(self, path: str) -> str:
        for prefix, policy in self.by_path:
            if path.startswith(prefix):
                return policy
        return self.default

    def __call__(self, request):
        response = self.get_response(request)
        policy = self.policy_for(request.path_info)
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
