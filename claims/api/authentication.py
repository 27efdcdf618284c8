"""Token authentication (knox) that counts failures by client address: past
API_THROTTLE_AUTH_FAILURES bad tokens in a window the address gets 429, for a bad
token and (claims.api.throttling) for every other request, until the window ends."""

from __future__ import annotations

import binascii
from hmac import compare_digest

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework.exceptions import AuthenticationFailed, Throttled

from claims.api.throttling import FailedAuthThrottle
from claims.tokens import token_lookup


class ThrottledTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            throttle = FailedAuthThrottle()
            if throttle.record(request):
                raise Throttled(wait=throttle.wait()) from None
            raise

    def authenticate_credentials(self, token: bytes):
        """Knox's check, on claims.tokens.token_lookup: the token, its user and
        their permissions from one statement. A key that is not UTF-8 is refused
        (knox's decode raised a 500), and so is one with a NUL, which PostgreSQL
        refuses in the look-up's query (a 500 too); no key holds one."""
        msg = _("Invalid token.")
        try:
            key = token.decode("utf-8")
        except UnicodeDecodeError:
            raise AuthenticationFailed(msg) from None
        if "\x00" in key:
            raise AuthenticationFailed(msg)
        for auth_token in token_lookup(key[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(key)
            except (TypeError, binascii.Error):
                raise AuthenticationFailed(msg) from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise AuthenticationFailed(msg)

    def _cleanup_token(self, auth_token) -> bool:
        """knox's check of the token's own expiry (an expired token is deleted and
        refused, with knox's signal), without its look at every other token of the
        user on each request: a second query on every API call. Those others are
        refused when they come themselves, and claims.tokens.token_create deletes
        the user's expired ones."""
        if auth_token.expiry is None or auth_token.expiry >= timezone.now():
            return False
        username = auth_token.user.get_username()
        auth_token.delete()
        token_expired.send(sender=self.__class__, username=username, source="auth_token")
        return True


class ThrottledTokenScheme(KnoxTokenScheme):
    """The schema's security scheme: the same as knox's (drf-spectacular matches
    the exact class, not subclasses)."""

    target_class = ThrottledTokenAuthentication
