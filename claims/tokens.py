"""API tokens (django-rest-knox): created, listed and revoked by their owner.

Knox stores a SHA-512 digest of each token, never the token itself, so the key is
shown once, when it is made. A token is named by its ``token_key``: the first 15
characters of the key, which knox keeps in clear to find the digest to compare.
The API, the dashboard's account page and ``manage.py create_api_token`` all call
these functions.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings


class TokenError(ValueError):
    """A token that cannot be made; the message is for the user."""


def token_list(*, user) -> QuerySet[AuthToken]:
    """The user's tokens that have not expired, newest first."""
    live = Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())
    return AuthToken.objects.filter(live, user=user).order_by("-created")


def token_create(*, user, expiry: timedelta | None = None) -> tuple[AuthToken, str]:
    """A new token for ``user``, valid for ``expiry`` (default REST_KNOX's TOKEN_TTL).
    Returns the stored token and its key; the key cannot be recovered later."""
    if not user.is_active:
        raise TokenError("This account is inactive.")
    limit = settings.API_TOKEN_LIMIT_PER_USER
    if token_list(user=user).count() >= limit:
        raise TokenError(f"An account can hold at most {limit} tokens: revoke one first.")
    expiry = expiry if expiry is not None else knox_settings.TOKEN_TTL
    if expiry <= timedelta(0):
        raise TokenError("A token's lifetime must be positive.")
    return AuthToken.objects.create(user=user, expiry=expiry)


def token_revoke(*, user, token_key_prefix: str) -> int:
    """Delete the user's token whose key starts with ``token_key_prefix`` (its
    ``token_key``, or the whole key). Returns how many were deleted (0 or 1); other
    people's tokens are never touched."""
    token_key = (token_key_prefix or "")[: CONSTANTS.TOKEN_KEY_LENGTH]
    if len(token_key) < CONSTANTS.TOKEN_KEY_LENGTH:
        return 0
    deleted, _ = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    return deleted
