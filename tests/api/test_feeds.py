"""/api/v1/feeds/: editors subscribe, edit, poll and unsubscribe; fact-checkers and
viewers are refused (403), anonymous callers get 401. The poll runs against a real
HTTP server on 127.0.0.1 serving a real RSS file."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from claims.models import Article, Feed, FeedItem
from claims.services import feed_subscribe
from tests.api.conftest import error_of
from tests.factories import editor
from tests.feed_server import feed_server  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

FEEDS = "/api/v1/feeds/"
MODIFIED = datetime(2026, 12, 1, 23, 5, tzinfo=UTC)


@pytest.fixture
def feed(db):
    return feed_subscribe(url="https://news.example/feed.rss", user=editor(), title="Gazette")


def test_anonymous_gets_401(anon, feed):
    for response in (
        anon.get(FEEDS),
        anon.get(f"{FEEDS}{feed.pk}/items/"),
        anon.post(FEEDS, {"url": "https://other.example/feed"}, format="json"),
    ):
        assert response.status_code == 401
        assert error_of(response)["code"] == "not_authenticated"


@pytest.mark.parametrize("role", ["checker", "viewer"])
def test_checkers_and_viewers_are_refused(api_as, feed, role):
    client = api_as(role)
    assert client.get(FEEDS).status_code == 403
    assert client.get(f"{FEEDS}{feed.pk}/").status_code == 403
    assert client.get(f"{FEEDS}{feed.pk}/items/").status_code == 403
    response = client.post(FEEDS, {"url": "https://other.example/feed"}, format="json")
    assert response.status_code == 403 and error_of(response)["code"] == "permission_denied"
    assert client.patch(f"{FEEDS}{feed.pk}/", {"active": False}, format="json").status_code == 403
    assert client.post(f"{FEEDS}{feed.pk}/poll/").status_code == 403
    assert client.delete(f"{FEEDS}{feed.pk}/").status_code == 403
    feed.refresh_from_db()
    assert feed.active and Feed.objects.count() == 1


def test_an_editor_subscribes_edits_and_unsubscribes(api_as):
    client = api_as("editor")
    created = client.post(
        FEEDS,
        {"url": "https://wire.example/top.atom", "poll_interval_minutes": 30},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "new" and body["items"] == 0 and body["created_by"] == "editor"
    assert body["poll_interval_minutes"] == 30 and body["error"] == ""
    pk = body["id"]
    listed = client.get(FEEDS).json()["results"]
    assert [f["id"] for f in listed] == [pk]
    changed = client.patch(f"{FEEDS}{pk}/", {"title": "Wire", "active": False}, format="json")
    assert changed.status_code == 200 and changed.json()["state"] == "paused"
    assert changed.json()["title"] == "Wire"
    assert client.delete(f"{FEEDS}{pk}/").status_code == 204
    assert client.get(f"{FEEDS}{pk}/").status_code == 404


def test_bad_subscriptions_are_400s(api_as, feed, settings):
    settings.INGEST_ALLOW_PRIVATE_URLS = False
    client = api_as("editor")
    private = client.post(FEEDS, {"url": "http://10.0.0.8/feed"}, format="json")
    assert private.status_code == 400
    assert "private or local address" in error_of(private)["details"]["url"][0]
    twice = client.post(FEEDS, {"url": feed.url}, format="json")
    assert twice.status_code == 400
    assert f"already subscribed (feed {feed.pk})" in error_of(twice)["details"]["url"][0]
    ftp = client.post(FEEDS, {"url": "ftp://files.example/feed"}, format="json")
    assert ftp.status_code == 400
    fast = client.patch(f"{FEEDS}{feed.pk}/", {"poll_interval_minutes": 1}, format="json")
    assert fast.status_code == 400 and "poll_interval_minutes" in error_of(fast)["details"]
    assert Feed.objects.count() == 1


def test_a_bad_address_in_a_patch_is_a_url_error_as_in_a_post(api_as, feed, settings):
    settings.INGEST_ALLOW_PRIVATE_URLS = False
    client = api_as("editor")
    other = feed_subscribe(url="https://other.example/feed", user=editor(username="e2"))
    for url, said in (
        ("http://10.0.0.8/feed", "private or local address"),
        (other.url, f"already subscribed (feed {other.pk})"),
    ):
        patched = client.patch(f"{FEEDS}{feed.pk}/", {"url": url}, format="json")
        posted = client.post(FEEDS, {"url": url}, format="json")
        assert patched.status_code == posted.status_code == 400
        details = error_of(patched)["details"]
        assert list(details) == ["url"] and said in details["url"][0], details
        assert error_of(patched) == error_of(posted)
    feed.refresh_from_db()
    assert feed.url == "https://news.example/feed.rss"


@pytest.fixture
def server(feed_server, settings):  # noqa: F811 (the fixture)
    settings.INGEST_ALLOW_PRIVATE_URLS = True  # the test server is on 127.0.0.1
    feed_server.serve_fixture("/gazette.rss", "riverton-gazette.rss", MODIFIED)
    for path in ("/news/2026/12/01/bridge-repairs/", "/news/2026/12/01/dam-inspection/"):
        feed_server.serve_text(
            path, "Bridge repairs approved\n\nThe mayor said the work starts soon.\n"
        )
    return feed_server


def test_poll_now_fetches_the_feed_and_lists_its_items(api_as, server, commit_immediately):
    client = api_as("editor")
    pk = client.post(FEEDS, {"url": server.url("/gazette.rss")}, format="json").json()["id"]
    assert server.requests == []  # subscribing fetches nothing: beat or "poll now" does
    response = client.post(f"{FEEDS}{pk}/poll/")
    assert response.status_code == 202 and response.json()["enqueued"] is True
    feed = client.get(f"{FEEDS}{pk}/").json()
    assert feed["state"] == "ok" and feed["items"] == 2 and feed["last_success_at"]
    items = client.get(f"{FEEDS}{pk}/items/").json()["results"]
    assert len(items) == 2
    bridge = next(i for i in items if i["link"].endswith("/bridge-repairs/"))
    assert bridge["feed_published_at"] == "2026-12-01T22:40:00Z"
    assert bridge["article"] == Article.objects.get(source_url=bridge["link"]).pk
    assert bridge["title"] == "Council approves & funds bridge repairs"


def test_poll_now_on_a_paused_feed_is_a_409(api_as, server, commit_immediately):
    # It answered 202 "The poll is queued." and the task, which polls active feeds
    # only, did nothing: the caller waited for a poll that never came.
    client = api_as("editor")
    url = server.url("/gazette.rss")
    pk = client.post(FEEDS, {"url": url, "active": False}, format="json").json()["id"]
    response = client.post(f"{FEEDS}{pk}/poll/")
    assert response.status_code == 409, response.content
    error = error_of(response)
    assert error["code"] == "feed_paused" and "switch it on" in error["message"]
    assert server.requests == [] and client.get(f"{FEEDS}{pk}/").json()["state"] == "paused"


def test_the_feed_list_costs_the_same_whatever_its_length(api_as, django_assert_max_num_queries):
    user = editor()
    for n in range(5):
        feed = feed_subscribe(url=f"https://news{n}.example/feed", user=user)
        FeedItem.objects.create(feed=feed, guid=f"g{n}", link=f"https://news{n}.example/a")
    client = api_as(user)
    with django_assert_max_num_queries(6):
        response = client.get(FEEDS)
    assert len(response.json()["results"]) == 5
    assert {f["items"] for f in response.json()["results"]} == {1}
