"""Feeds: editors subscribe to RSS and Atom feeds, see each one's state in words
("OK, polled 3 minutes ago", "Error since ...: ..., retrying at ..."), poll one now,
edit and unsubscribe. Editors only (claims.view_feed and the add, change and
delete permissions); everybody sees the articles the feeds bring."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from claims.forms import FeedForm
from claims.models import Feed, FeedItem
from claims.selectors import feed_detail, feed_items, feed_list
from claims.services import (
    FeedError,
    feed_poll_soon,
    feed_subscribe,
    feed_unsubscribe,
    feed_update,
)
from claims.tasks import start_feed_poll

from ._common import embedded_mode, reader, redirect_next

ITEMS_SHOWN = 30


def feeds_reader(view):
    return reader(permission_required("claims.view_feed", raise_exception=True)(view))


def _require(request, codename: str) -> None:
    if not request.user.has_perm(f"claims.{codename}"):
        raise PermissionDenied("Only editors manage feeds.")


def _feed(pk: int) -> Feed:
    try:
        return feed_detail(pk=pk)
    except Feed.DoesNotExist:
        raise Http404("No such feed.") from None


@feeds_reader
def feed_list_page(request):
    form = FeedForm(request.POST or None)
    if request.method == "POST":
        _require(request, "add_feed")
        if form.is_valid():
            try:
                feed = feed_subscribe(**form.cleaned_data, user=request.user)
            except FeedError as exc:
                form.add_error("url", str(exc))
            else:
                when = (
                    "nothing polls on a schedule in the embedded mode: use Poll now to read it"
                    if embedded_mode()
                    else "it is polled within a minute (or now: Poll now)"
                )
                messages.success(request, f"Subscribed to {feed}: {when}.")
                return redirect("dashboard:feeds")
    context = {
        "feeds": feed_list(),
        "form": form,
        "now": timezone.now(),
        "embedded": embedded_mode(),
    }
    return render(request, "claims/feed_list.html", context, status=400 if form.errors else 200)


@feeds_reader
def feed_page(request, pk: int):
    feed = _feed(pk)
    initial = {
        "url": feed.url,
        "title": feed.title,
        "poll_interval_minutes": feed.poll_interval_minutes,
        "active": feed.active,
    }
    form = FeedForm(request.POST or None, initial=initial)
    if request.method == "POST":
        _require(request, "change_feed")
        if form.is_valid():
            try:
                feed_update(feed=feed, **form.cleaned_data)
            except FeedError as exc:
                form.add_error("url", str(exc))
            else:
                messages.success(request, f"Saved: {feed}.")
                return redirect("dashboard:feed", pk=feed.pk)
    context = {
        "feed": feed,
        "form": form,
        "items": feed_items(feed=feed)[:ITEMS_SHOWN],
        "now": timezone.now(),
        "embedded": embedded_mode(),
    }
    return render(request, "claims/feed_detail.html", context, status=400 if form.errors else 200)


@feeds_reader
@require_POST
def feed_poll_view(request, pk: int):
    _require(request, "change_feed")
    feed = _feed(pk)
    items_before = FeedItem.objects.filter(feed=feed).count()
    try:
        enqueued = feed_poll_soon(feed=feed, publish=start_feed_poll)
    except FeedError as exc:  # paused: no task would poll it
        messages.warning(request, str(exc))
        return redirect_next(request, reverse("dashboard:feeds"))
    if enqueued is False:
        messages.warning(
            request, "The task queue is unreachable: the feed is polled when it is back."
        )
    elif embedded_mode():  # the poll ran in-process: its result is here already
        _polled_message(request, pk, items_before)
    else:
        messages.success(request, f"Polling {feed}: refresh in a moment to see the result.")
    return redirect_next(request, reverse("dashboard:feeds"))


def _polled_message(request, pk: int, items_before: int) -> None:
    feed = Feed.objects.filter(pk=pk).first()
    if feed is None:
        return
    if feed.error:
        messages.warning(request, f"Polled {feed}: {feed.error}")
        return
    new = FeedItem.objects.filter(feed=feed).count() - items_before
    messages.success(request, f"Polled {feed}: {new} new item{'' if new == 1 else 's'}.")


@feeds_reader
def feed_delete_view(request, pk: int):
    _require(request, "delete_feed")
    feed = _feed(pk)
    if request.method == "POST":
        feed_unsubscribe(feed=feed)
        messages.success(request, f"Unsubscribed from {feed}. The articles it brought stay.")
        return redirect("dashboard:feeds")
    return render(request, "claims/feed_delete.html", {"feed": feed})
