"""What every dashboard page's header shows: the inbox's unread count."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from claims.notifications import unread_count


def inbox(request) -> dict:
    """``unread_notifications``, counted only when a template reads it (one
    indexed COUNT; the API and the admin never pay for it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user=user))}
