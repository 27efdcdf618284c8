"""Request plumbing the settings point at: the client's address behind proxies,
what error reports may show, and the Content-Security-Policy header."""

import re

from django.conf import settings
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
