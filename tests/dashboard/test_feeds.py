"""/feeds/: editors subscribe, see each feed's state in words, poll one now, edit
and unsubscribe (with a confirmation); fact-checkers are refused, anonymous
visitors sent to the login page. Polls run against a real HTTP server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims.models import Article, Feed
from claims.services import feed_subscribe
from tests.factories import editor
from tests.feed_server import feed_server  # noqa: F401 (a fixture)
from tracker.celery import app as celery_app

pytestmark = pytest.mark.django_db

MODIFIED = datetime(2026, 12, 1, 23, 5, tzinfo=UTC)
LIST = "/feeds/"


@pytest.fixture
def server(feed_server, settings):  # noqa: F811 (the fixture)
    settings.INGEST_ALLOW_PRIVATE_URLS = True  # the test server is on 127.0.0.1
    feed_server.serve_fixture("/wire.atom", "valley-wire.atom", MODIFIED)
    for path in ("/wire/2026/12/01/drought-figures", "/wire/2026/12/01/hospital-waits"):
        feed_server.serve_text(path, "Wells at risk\n\nThe board said 12,000 wells were at risk.\n")
    return feed_server


@pytest.fixture
def feed(db):
    return feed_subscribe(url="https://news.example/feed.rss", user=editor(), title="Gazette")


def test_anonymous_is_sent_to_the_login_page(feed):
    client = Client()
    for url in (LIST, f"/feeds/{feed.pk}/", f"/feeds/{feed.pk}/delete/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.post(f"/feeds/{feed.pk}/delete/")
    assert Feed.objects.filter(pk=feed.pk).exists()


def test_checkers_are_refused_and_see_no_link(client_as, feed):
    client = client_as("checker")
    assert b'href="/feeds/"' not in client.get("/").content
    assert client.get(LIST).status_code == 403
    assert client.post(LIST, {"url": "https://other.example/feed"}).status_code == 403
    assert client.get(f"/feeds/{feed.pk}/").status_code == 403
    assert client.post(f"/feeds/{feed.pk}/poll/").status_code == 403
    assert client.post(f"/feeds/{feed.pk}/delete/").status_code == 403
    assert list(Feed.objects.values_list("url", flat=True)) == [feed.url]


def test_an_editor_subscribes_from_the_page(client_as):
    client = client_as("editor")
    page = client.get("/")
    assert b'href="/feeds/"' in page.content  # in the nav
    response = client.post(
        LIST,
        {"url": "https://wire.example/top.atom", "title": "", "poll_interval_minutes": 20,
         "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == LIST
    feed = Feed.objects.get()
    assert feed.url == "https://wire.example/top.atom" and feed.poll_interval_minutes == 20
    assert feed.created_by == client.user
    listing = client.get(LIST).content.decode()
    assert "https://wire.example/top.atom" in listing
    # The embedded mode (the tests' mode) runs no Celery beat: no poll is promised.
    assert "use Poll now to read it" in listing and "polled within a minute" not in listing
    assert "Not polled yet: Poll now to read it." in listing
    assert "Nothing polls on a schedule in the embedded mode" in listing
    assert "Celery beat must run" not in listing


def test_with_celery_beat_the_page_says_when_feeds_are_polled(client_as, settings):
    celery_app.conf.task_always_eager = False  # a broker, workers and beat
    client = client_as("editor")
    form = {"url": "https://wire.example/top.atom", "poll_interval_minutes": 20, "active": "on"}
    assert client.post(LIST, form).status_code == 302
    listing = client.get(LIST).content.decode()
    assert "it is polled within a minute" in listing and "Not polled yet; due now." in listing
    assert "Celery beat polls each feed on its own interval" in listing
    assert "embedded mode" not in listing


def test_a_refused_address_is_shown_on_the_form(client_as, settings):
    settings.INGEST_ALLOW_PRIVATE_URLS = False
    client = client_as("editor")
    response = client.post(LIST, {"url": "http://192.168.1.10/feed", "poll_interval_minutes": 15})
    assert response.status_code == 400
    assert "private or local address" in response.content.decode()
    assert not Feed.objects.exists()


def test_the_state_is_said_in_words_and_escaped(client_as, feed, settings):
    celery_app.conf.task_always_eager = False  # beat polls and retries
    now = timezone.now()
    Feed.objects.filter(pk=feed.pk).update(
        last_polled_at=now - timedelta(minutes=3),
        last_success_at=now - timedelta(minutes=3),
        next_poll_at=now + timedelta(minutes=12),
    )
    broken = feed_subscribe(url="https://broken.example/feed", user=None, title="<b>Wire</b>")
    Feed.objects.filter(pk=broken.pk).update(
        last_polled_at=now,
        next_poll_at=now + timedelta(minutes=30),
        consecutive_errors=2,
        error_since=datetime(2026, 12, 2, 5, 10, tzinfo=UTC),
        error="The URL returned HTTP 500. <script>alert(1)</script>",
    )
    page = client_as("editor").get(LIST).content.decode()
    assert "OK, polled 3\xa0minutes ago; next in 11\xa0minutes" in page
    assert "<strong>Error</strong> since <time" in page and "2 Dec 05:10" in page
    assert "The URL returned HTTP 500. &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Retrying at" in page and "(2 failed polls in a row)" in page
    assert "<b>Wire</b>" not in page and "&lt;b&gt;Wire&lt;/b&gt;" in page
    # Embedded, nothing retries by itself: the page says what to do instead.
    celery_app.conf.task_always_eager = True
    page = client_as("editor").get(LIST).content.decode()
    assert "Retrying at" not in page and "Poll now to try again" in page
    assert "OK, polled 3\xa0minutes ago." in page and "next in" not in page


def test_poll_now_then_the_feed_page_shows_its_items(
    client_as, server, django_capture_on_commit_callbacks
):
    client = client_as("editor")
    feed = feed_subscribe(url=server.url("/wire.atom"), user=client.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/feeds/{feed.pk}/poll/")
    assert response.status_code == 302 and response["Location"] == LIST
    listing = client.get(LIST).content.decode()
    assert "OK, polled just now." in listing and "Valley Wire: top stories" in listing

    page = client.get(f"/feeds/{feed.pk}/").content.decode()
    article = Article.objects.get(source_url=server.url("/wire/2026/12/01/drought-figures"))
    assert reverse("dashboard:article", args=[article.pk]) in page
    assert "Water board revises drought figures" in page  # the item's title, tags dropped
    assert '<time datetime="2026-12-01T13:02:00+00:00">2026-12-01 13:02</time>' in page


@pytest.mark.django_db(transaction=True)  # commits, as a request does: the poll runs in it
def test_poll_now_in_the_embedded_mode_says_the_result(client_as, server):
    client = client_as("editor")
    feed = feed_subscribe(url=server.url("/wire.atom"), user=client.user)
    client.post(f"/feeds/{feed.pk}/poll/")
    listing = client.get(LIST).content.decode()
    assert "Polled Valley Wire: top stories: 2 new items." in listing
    assert "refresh in a moment" not in listing
    server.documents["/wire.atom"] = (b"<html>gone</html>", "text/html", MODIFIED)
    Feed.objects.filter(pk=feed.pk).update(etag="", last_modified="")
    client.post(f"/feeds/{feed.pk}/poll/")
    listing = client.get(LIST).content.decode()
    assert "Polled Valley Wire: top stories: The document is not an RSS or Atom feed" in listing


def test_poll_now_with_workers_says_to_refresh(client_as, feed, settings):
    celery_app.conf.task_always_eager = False  # the poll goes to the broker (memory://)
    client = client_as("editor")
    client.post(f"/feeds/{feed.pk}/poll/")
    listing = client.get(LIST).content.decode()
    assert "Polling Gazette: refresh in a moment to see the result." in listing


@pytest.mark.django_db(transaction=True)  # commits, as a request does: the poll runs in it
def test_poll_now_on_a_paused_feed_says_it_is_paused(client_as, server):
    # A paused feed is never polled (the task claims active feeds only): the page
    # said "Polled ...: 0 new items." (embedded) or "refresh in a moment" (workers)
    # all the same, and nothing was fetched.
    client = client_as("editor")
    feed = feed_subscribe(url=server.url("/wire.atom"), user=client.user, active=False)
    response = client.post(f"/feeds/{feed.pk}/poll/")
    assert response.status_code == 302
    listing = client.get(LIST).content.decode()
    assert "is paused: switch it on to poll it." in listing
    assert "new items" not in listing and "refresh in a moment" not in listing
    assert server.requests == []


def test_an_editor_edits_a_feed(client_as, feed):
    client = client_as("editor")
    response = client.post(
        f"/feeds/{feed.pk}/",
        {"url": feed.url, "title": "Riverton Gazette", "poll_interval_minutes": 60},
    )
    assert response.status_code == 302
    feed.refresh_from_db()
    assert feed.title == "Riverton Gazette" and feed.poll_interval_minutes == 60
    assert not feed.active  # the box was left unticked: paused
    assert "Paused: not polled." in client.get(LIST).content.decode()


def test_unsubscribing_asks_first_and_keeps_the_articles(client_as, feed):
    article = Article.objects.create(raw_text="x", content_hash="h1", source_url="https://a/1")
    feed.items.create(guid="1", link="https://a/1", article=article)
    client = client_as("editor")
    confirm = client.get(f"/feeds/{feed.pk}/delete/")
    assert confirm.status_code == 200 and b"Yes, unsubscribe" in confirm.content
    assert Feed.objects.filter(pk=feed.pk).exists()  # asking changed nothing
    response = client.post(f"/feeds/{feed.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == LIST
    assert not Feed.objects.exists() and Article.objects.filter(pk=article.pk).exists()
