"""Saved views: a user's named filter sets for the queue.

A view stores the queue's query string, cleaned: only the queue's own fields
are kept (a page cursor or a stray parameter is not part of a view), so opening
a view is opening the queue with that query string.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import QueryDict

from claims.models import SavedView

NAME_MAX = SavedView._meta.get_field("name").max_length
QUERY_MAX = SavedView._meta.get_field("query").max_length
# A user's views are listed on every queue page: keep the list short.
VIEWS_MAX = 50


def saved_view_query(*, query: str, fields) -> str:
    """``query`` with only the parameters named in ``fields`` and no empty values,
    in a stable order."""
    parsed = QueryDict(query)
    kept = QueryDict(mutable=True)
    for name in fields:
        values = [v for v in parsed.getlist(name) if v.strip()]
        if values:
            kept.setlist(name, values)
    return kept.urlencode()


def saved_view_create(*, user, name: str, query: str, fields) -> SavedView:
    """Save ``query`` (the queue's query string) as ``user``'s view ``name``.
    ValidationError (with a message for the user) on a bad name, a query too
    long, or a name the user already has."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("Give the view a name.")
    if len(name) > NAME_MAX:
        raise ValidationError(f"A view's name has at most {NAME_MAX} characters.")
    query = saved_view_query(query=query or "", fields=fields)
    if len(query) > QUERY_MAX:
        raise ValidationError("These filters are too long to save as a view.")
    if SavedView.objects.filter(user=user).count() >= VIEWS_MAX:
        raise ValidationError(f"You have {VIEWS_MAX} saved views: delete one first.")
    try:
        with transaction.atomic():
            return SavedView.objects.create(user=user, name=name, query=query)
    except IntegrityError:
        raise ValidationError(
            f"You already have a view named “{name}”: choose another name or delete it first."
        ) from None


def saved_view_delete(*, user, pk: int) -> bool:
    """Delete ``user``'s view ``pk``; False if they have no such view (another
    user's view is not theirs to delete, and is not told apart from a missing one)."""
    deleted, _ = SavedView.objects.filter(user=user, pk=pk).delete()
    return bool(deleted)
