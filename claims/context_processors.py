"""What every dashboard page's header shows: the inbox's unread count."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from claims.notifications import unread_count

BADGE_MAX = 99  # templates/base.html shows "99+" past it


def inbox(request) -> dict:
    """``unread_notifications``, counted only when a template reads it (one
    indexed COUNT of at most BADGE_MAX + 1 rows; the API and the admin never pay
    for it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Counted up to BADGE_MAX + 1 only: the badge says "99+" past BADGE_MAX.
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: unread_count(user=user, limit=BADGE_MAX + 1)
        )
    }
