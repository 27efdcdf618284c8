"""Token authentication (knox) that counts failures by client address: after
API_THROTTLE_AUTH_FAILURES bad tokens the address gets 429, before any token it
sends is even looked up, until the window ends."""

from __future__ import annotations

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed, Throttled

from claims.api.throttling import FailedAuthThrottle


class ThrottledTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        throttle = FailedAuthThrottle()
        if throttle.exceeded(request):
            raise Throttled(wait=throttle.wait())
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            throttle.record(request)
            raise


class ThrottledTokenScheme(KnoxTokenScheme):
    """The schema's security scheme: the same as knox's (drf-spectacular matches
    the exact class, not subclasses)."""

    target_class = ThrottledTokenAuthentication
