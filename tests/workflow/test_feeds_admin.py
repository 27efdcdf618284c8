"""Feeds in the admin: editors subscribe (the address checked as URL ingest checks
it), see the error state and last poll, poll now and unsubscribe through the same
service as the dashboard; fact-checkers have no admin. The poll runs against a
real HTTP server on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from claims.models import Article, Feed
from claims.services import feed_subscribe
from tests.factories import checker, editor
from tests.feed_server import feed_server  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/claims/feed/"
ADD = "/admin/claims/feed/add/"


@pytest.fixture
def as_editor(client):
    client.force_login(editor())
    return client


@pytest.fixture
def server(feed_server, settings):  # noqa: F811 (the fixture)
    settings.INGEST_ALLOW_PRIVATE_URLS = True  # the test server is on 127.0.0.1
    modified = datetime(2026, 12, 1, 23, 5, tzinfo=UTC)
    feed_server.serve_fixture("/gazette.rss", "riverton-gazette.rss", modified)
    for path in ("/news/2026/12/01/bridge-repairs/", "/news/2026/12/01/dam-inspection/"):
        feed_server.serve_text(
            path, "Bridge repairs approved\n\nThe mayor said the work starts soon.\n"
        )
    return feed_server


def test_fact_checkers_have_no_feeds_admin(client):
    client.force_login(checker())
    response = client.post(ADD, {"url": "https://news.example/feed", "poll_interval_minutes": 15})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Feed.objects.exists()


def test_an_editor_subscribes_in_the_admin(as_editor, settings):
    response = as_editor.post(
        ADD, {"url": "https://news.example/feed", "title": "", "poll_interval_minutes": 15,
              "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    feed = Feed.objects.get()
    assert feed.url == "https://news.example/feed" and feed.created_by.username == "editor"
    # Refused as URL ingest refuses it, shown on the form; and an interval out of bounds.
    settings.INGEST_ALLOW_PRIVATE_URLS = False
    refused = as_editor.post(ADD, {"url": "http://127.0.0.1:8000/feed", "poll_interval_minutes": 2})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "private or local address" in page and "Poll every 5 to 1440 minutes." in page
    assert Feed.objects.count() == 1


def test_the_changelist_shows_the_error_state_and_last_poll(as_editor):
    feed = feed_subscribe(url="https://news.example/feed", user=None)
    Feed.objects.filter(pk=feed.pk).update(
        consecutive_errors=3,
        error_since=datetime(2026, 12, 2, 5, 10, tzinfo=UTC),
        last_polled_at=datetime(2026, 12, 2, 6, 0, tzinfo=UTC),
        next_poll_at=datetime(2026, 12, 2, 8, 0, tzinfo=UTC),
        error="The URL returned HTTP 503.",
    )
    page = as_editor.get(CHANGELIST).content.decode()
    assert (
        "Error since 2026-12-02 05:10: The URL returned HTTP 503. Retrying at 2026-12-02 08:00 "
        "(3 failed in a row)." in page
    )


def test_poll_now_and_unsubscribe(as_editor, server, django_capture_on_commit_callbacks):
    feed = feed_subscribe(url=server.url("/gazette.rss"), user=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_editor.post(
            CHANGELIST, {"action": "poll_now", ACTION_CHECKBOX_NAME: [feed.pk]}
        )
    assert response.status_code == 302
    feed.refresh_from_db()
    assert feed.state == "ok" and feed.items.count() == 2
    assert "OK, last polled" in as_editor.get(CHANGELIST).content.decode()
    items = as_editor.get("/admin/claims/feeditem/")
    assert (
        items.status_code == 200 and b"Council approves &amp; funds bridge repairs" in items.content
    )
    response = as_editor.post(
        CHANGELIST, {"action": "delete_selected", ACTION_CHECKBOX_NAME: [feed.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not Feed.objects.exists() and Article.objects.count() == 2  # the articles stay


def test_poll_now_says_which_feeds_are_paused(
    as_editor, server, django_capture_on_commit_callbacks
):
    # A paused feed is never polled: the action said "Poll queued" for it too.
    paused = feed_subscribe(url=server.url("/gazette.rss"), user=None, active=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_editor.post(
            CHANGELIST, {"action": "poll_now", ACTION_CHECKBOX_NAME: [paused.pk]}, follow=True
        )
    page = response.content.decode()
    assert f"Paused, not polled: {paused.url}." in page and "Poll queued" not in page
    assert server.requests == []
