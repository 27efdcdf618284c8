"""The inbox: a person's notifications, newest first, and marking them read."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from claims.domain import as_pk
from claims.notifications import INBOX_PAGE, notifications_mark_read
from claims.notifications import inbox as inbox_items

from ._common import reader, redirect_next


@reader
def inbox(request):
    """The latest INBOX_PAGE notifications: one query whatever their number (the
    claim and the actor come with each row)."""
    rows = list(inbox_items(user=request.user)[: INBOX_PAGE + 1])
    context = {"rows": rows[:INBOX_PAGE], "more": len(rows) > INBOX_PAGE, "page_size": INBOX_PAGE}
    return render(request, "claims/inbox.html", context)


@reader
@require_POST
def inbox_read(request):
    """Mark the notifications ``ids`` read (all of them without ``ids``), then go
    back to the inbox (or to ``next``, a page of this site)."""
    raw = request.POST.getlist("ids")
    ids = [pk for pk in map(as_pk, raw) if pk is not None]
    if raw and not ids:
        messages.error(request, "No such notification.")
    else:
        n = notifications_mark_read(user=request.user, ids=ids or None)
        messages.success(request, f"Marked {n} notification{'s' if n != 1 else ''} read.")
    return redirect_next(request, reverse("dashboard:inbox"))
