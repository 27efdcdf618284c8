"""The inbox: a person's notifications, newest first, and marking them read
(by hand, or by following a notification's link)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from claims.domain import as_pk
from claims.models import Notification
from claims.notifications import INBOX_PAGE, notifications_mark_read
from claims.notifications import inbox as inbox_items

from ._common import reader, redirect_next


@reader
def inbox(request):
    """The latest INBOX_PAGE notifications: one query whatever their number (the
    claim and the actor come with each row)."""
    rows = list(inbox_items(user=request.user)[: INBOX_PAGE + 1])
    context = {"rows": rows[:INBOX_PAGE], "more": len(rows) > INBOX_PAGE, "page_size": INBOX_PAGE}
    # "Mark all read" marks up to the newest shown, not one that arrives meanwhile.
    context["newest"] = max((n.pk for n in rows), default=0)
    return render(request, "claims/inbox.html", context)


@reader
@require_POST
def inbox_read(request):
    """Mark the notifications ``ids`` read, or with ``upto`` ("Mark all read": the
    newest the inbox showed) all up to it, so one that arrived after the page was
    shown stays unread; neither: all. Then back to the inbox (or to ``next``)."""
    raw = request.POST.getlist("ids")
    ids = [pk for pk in map(as_pk, raw) if pk is not None]
    raw_upto = request.POST.get("upto")
    upto = as_pk(raw_upto) if raw_upto is not None else None
    if (raw and not ids) or (raw_upto is not None and upto is None):
        messages.error(request, "No such notification.")
    else:
        n = notifications_mark_read(user=request.user, ids=ids or None, upto=upto)
        messages.success(request, f"Marked {n} notification{'s' if n != 1 else ''} read.")
    return redirect_next(request, reverse("dashboard:inbox"))


@reader
def notification_open(request, pk: int):
    """A notification's link: marks it read (it has been seen now), then opens its
    claim. Someone else's notification is a 404."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notifications_mark_read(user=request.user, ids=[notification.pk])
    return redirect("dashboard:claim", notification.claim_id)
