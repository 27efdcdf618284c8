"""Feeds against a real HTTP server on 127.0.0.1 serving real RSS 2.0 and Atom
files (tests/fixtures/feeds/): new items become articles with the feed's dates,
an unchanged feed is a 304, a broken feed goes into an error state with backoff
and recovers, and an item seen twice is one article. The article pages are
fetched and analysed for real (the tasks run in-process, as in embedded mode)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import DataError
from django.utils import timezone

from claims import tasks
from claims.models import AnalysisState, Article, Feed, FeedItem
from claims.services import FeedError, feed_poll, feed_subscribe, feed_update, feeds_poll_due
from claims.services.feeds import LEASE, feed_backoff, feed_poll_if_due
from tests.factories import editor
from tests.feed_server import FIXTURES, feed_server  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

MODIFIED = datetime(2026, 12, 1, 23, 5, tzinfo=UTC)
GAZETTE = "/feeds/gazette.rss"
WIRE = "/feeds/wire.atom"
PAGES = {
    "/news/2026/12/01/bridge-repairs/": (
        "Council approves bridge repairs\n\n"
        "RIVERTON - The council voted 7-2 on Tuesday to fund the repairs, the mayor, "
        "Ana Ruiz, said. Engineers said the work could take as many as nine months.\n"
    ),
    "/news/2026/12/01/dam-inspection/": (
        "Dam inspection disputed\n\n"
        "RIVERTON - The county engineer, Sam Ortiz, said on Monday that the dam had "
        "passed its last inspection. Residents said as many as 40 homes had flooded.\n"
    ),
    "/wire/2026/12/01/drought-figures": (
        "Water board revises drought figures\n\n"
        "The water board said on Tuesday that as many as 12,000 wells were at risk, "
        "up from 8,000 in its October report.\n"
    ),
    "/wire/2026/12/01/hospital-waits": (
        "Hospital wait times fall\n\n"
        "Average emergency waits fell by 14 minutes this year, according to the "
        "health ministry, which did not publish the underlying data.\n"
    ),
}


@pytest.fixture
def server(feed_server, settings):  # noqa: F811
    settings.INGEST_ALLOW_PRIVATE_URLS = True  # the test server is on 127.0.0.1
    feed_server.serve_fixture(GAZETTE, "riverton-gazette.rss", MODIFIED)
    feed_server.serve_fixture(WIRE, "valley-wire.atom", MODIFIED)
    for path, text in PAGES.items():
        feed_server.serve_text(path, text)
    return feed_server


@pytest.fixture
def poll(django_capture_on_commit_callbacks):
    """feed_poll with the real publisher and the on-commit work run (the pages
    are fetched and analysed in-process)."""

    def run(feed: Feed):
        with django_capture_on_commit_callbacks(execute=True):
            result = feed_poll(feed=feed, publish_fetch=tasks.start_fetch)
        feed.refresh_from_db()
        return result

    return run


def subscribe(server, path, **kwargs) -> Feed:
    return feed_subscribe(url=server.url(path), user=editor(), **kwargs)


def test_new_rss_items_become_articles_with_the_feeds_dates(server, poll):
    feed = subscribe(server, GAZETTE, poll_interval_minutes=30)
    before = timezone.now()
    result = poll(feed)
    assert result.outcome == "new" and result.created == 2 and result.failed == 0
    items = {i.link.removeprefix(server.base): i for i in FeedItem.objects.filter(feed=feed)}
    assert set(items) == {"/news/2026/12/01/bridge-repairs/", "/news/2026/12/01/dam-inspection/"}
    bridge = items["/news/2026/12/01/bridge-repairs/"]
    # pubDate "Tue, 01 Dec 2026 17:40:00 -0500", kept as the feed gave it (in UTC).
    assert bridge.feed_published_at == datetime(2026, 12, 1, 22, 40, tzinfo=UTC)
    assert bridge.guid == f"{server.base}/?p=48211"
    assert bridge.title == "Council approves & funds bridge repairs"
    article = bridge.article
    assert article.state == AnalysisState.ANALYZED and article.claims.exists()
    assert article.source_url == bridge.link
    assert article.raw_text == PAGES["/news/2026/12/01/bridge-repairs/"]
    # The page has no date line: the article keeps the feed's date; its title is the page's.
    assert article.published_at == datetime(2026, 12, 1, 22, 40, tzinfo=UTC)
    assert article.title == "Council approves bridge repairs"
    assert article.created_by == feed.created_by
    # The feed's state: read, its own title taken, validators kept for the next poll.
    assert feed.title == "Riverton Gazette – Local news"
    assert feed.etag.startswith('"') and feed.last_modified == "Tue, 01 Dec 2026 23:05:00 GMT"
    assert feed.last_success_at >= before and feed.error == "" and feed.consecutive_errors == 0
    assert feed.next_poll_at - feed.last_polled_at == timedelta(minutes=30)


def test_atom_entries_keep_published_and_updated(server, poll):
    feed = subscribe(server, WIRE)
    result = poll(feed)
    assert result.created == 2
    drought = FeedItem.objects.get(feed=feed, guid__endswith="c101")
    # <published>2026-12-01T14:02:00+01:00</published>, <updated>...21:45:00Z</updated>
    assert drought.feed_published_at == datetime(2026, 12, 1, 13, 2, tzinfo=UTC)
    assert drought.feed_updated_at == datetime(2026, 12, 1, 21, 45, tzinfo=UTC)
    assert drought.title == "Water board revises drought figures"  # type="html", tags dropped
    assert drought.article.published_at == drought.feed_published_at
    # An entry with only <updated>: the article's date is that one.
    waits = FeedItem.objects.get(feed=feed, guid__endswith="f202")
    assert waits.feed_published_at is None
    assert waits.article.published_at == datetime(2026, 12, 1, 20, 10, tzinfo=UTC)
    assert waits.article.state == AnalysisState.ANALYZED


def test_an_unchanged_feed_is_a_304_and_creates_nothing(server, poll):
    feed = subscribe(server, GAZETTE)
    poll(feed)
    etag, articles, first_poll = feed.etag, Article.objects.count(), feed.last_polled_at
    result = poll(feed)
    assert result.outcome == "not_modified"
    second = server.seen(GAZETTE)[-1]
    # The server was asked conditionally, with what it answered the first time.
    assert second.if_none_match == etag
    assert second.if_modified_since == "Tue, 01 Dec 2026 23:05:00 GMT"
    assert second.status == 304
    assert Article.objects.count() == articles and FeedItem.objects.count() == 2
    assert feed.last_polled_at > first_poll and feed.etag == etag
    # Last-Modified alone (a server without ETags) is enough as well.
    Feed.objects.filter(pk=feed.pk).update(etag="")
    feed.refresh_from_db()
    assert poll(feed).outcome == "not_modified"
    assert server.seen(GAZETTE)[-1].if_none_match is None
    assert server.seen(GAZETTE)[-1].status == 304


def test_a_broken_feed_backs_off_then_recovers(server, poll):
    feed = subscribe(server, GAZETTE, poll_interval_minutes=10)
    server.broken[GAZETTE] = "500"
    result = poll(feed)
    assert result.outcome == "error" and feed.error == "The URL returned HTTP 500."
    assert feed.consecutive_errors == 1 and feed.last_success_at is None
    assert feed.next_poll_at - feed.last_polled_at == timedelta(minutes=20)  # 10 x 2^1
    since = feed.error_since
    server.broken[GAZETTE] = "garbage"
    poll(feed)
    assert feed.consecutive_errors == 2 and feed.error_since == since  # since the first
    assert feed.error == (
        "The document is not an RSS or Atom feed: not well-formed (invalid token) at line 2."
    )
    assert feed.next_poll_at - feed.last_polled_at == timedelta(minutes=40)  # 10 x 2^2
    assert not FeedItem.objects.exists() and not Article.objects.exists()
    # An HTML page where the feed was is no feed either.
    del server.broken[GAZETTE]
    page = "<html><body><p>We moved our feed.</p></body></html>"
    server.serve_text(GAZETTE, page, "text/html")
    poll(feed)
    assert feed.error == (
        "The document is not an RSS or Atom feed: text/html; charset=utf-8 is not an XML "
        "media type."
    )
    assert feed.consecutive_errors == 3
    # An RSS document cut off before its first item.
    whole = (FIXTURES / "riverton-gazette.rss").read_bytes()
    server.documents[GAZETTE] = (whole[: whole.index(b"<item>")], "application/rss+xml", None)
    poll(feed)
    assert feed.error.startswith("The feed cannot be read: ") and feed.consecutive_errors == 4
    # Fixed: the next poll clears the error state and takes the items.
    server.serve_fixture(GAZETTE, "riverton-gazette.rss", MODIFIED)
    result = poll(feed)
    assert result.outcome == "new" and result.created == 2
    assert feed.consecutive_errors == 0 and feed.error == "" and feed.error_since is None
    assert feed.next_poll_at - feed.last_polled_at == timedelta(minutes=10)


def attribute_bomb_feed(count: int) -> str:
    """A valid RSS document whose channel title carries ``count`` attributes:
    feedparser's strict parser takes time growing with their number squared
    (30,000: about 25 s; the 5 MB a fetch allows: far past the task's time limit,
    whose kill records no error, so the feed was polled again at each interval)."""
    attributes = " ".join(f'a{i}="1"' for i in range(count))
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title {attributes}>Bomb</title><link>https://example.org/</link>"
        "<description>d</description><item><title>One</title>"
        "<link>https://example.org/one</link></item></channel></rss>"
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_feed_with_a_tag_of_thousands_of_attributes_fails_at_once_and_backs_off(
    server, poll, encoding
):
    path = "/feeds/bomb.rss"
    body = attribute_bomb_feed(30_000)
    body = body.replace('encoding="utf-8"', f'encoding="{encoding}"').encode(encoding)
    server.documents[path] = (body, "application/rss+xml", None)
    feed = subscribe(server, path, poll_interval_minutes=10)
    started = timezone.now()
    result = poll(feed)
    assert timezone.now() - started < timedelta(seconds=5)
    assert result.outcome == "error", result
    assert "more than 200 attributes" in feed.error
    assert feed.next_poll_at - feed.last_polled_at == timedelta(minutes=20)  # backs off
    assert not FeedItem.objects.exists() and not Article.objects.exists()


@pytest.mark.parametrize("element", ["title", "script", "textarea", "iframe"])
def test_a_feed_bomb_inside_an_element_html_reads_as_text_fails_too(server, poll, element):
    """HTML's raw-text elements (<title>, <script>, <textarea>...) hold no tags, and
    the HTML check skipped their contents; in a feed (XML) they are elements like
    any other, and RSS has a <title> on every channel and item: a tag of thousands
    of attributes inside one passed the check and took feedparser minutes."""
    attributes = " ".join(f'a{i}="1"' for i in range(30_000))
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<{element}><x {attributes}/></{element}><link>https://example.org/</link>"
        "<description>d</description><item><title>One</title>"
        "<link>https://example.org/one</link></item></channel></rss>"
    ).encode()
    path = f"/feeds/bomb-in-{element}.rss"
    server.documents[path] = (body, "application/rss+xml", None)
    feed = subscribe(server, path, poll_interval_minutes=10)
    started = timezone.now()
    result = poll(feed)
    assert timezone.now() - started < timedelta(seconds=5)
    assert result.outcome == "error", result
    assert "more than 200 attributes" in feed.error


def test_the_backoff_doubles_up_to_a_day():
    assert feed_backoff(interval=15, errors=1) == timedelta(minutes=30)
    assert feed_backoff(interval=15, errors=3) == timedelta(minutes=120)
    assert feed_backoff(interval=15, errors=40) == timedelta(
        minutes=django_settings.FEEDS_BACKOFF_MAX_MINUTES
    )


def test_a_duplicate_item_is_one_article(server, poll):
    feed = subscribe(server, GAZETTE)
    # The document lists ?p=48190 twice: one item, one article, one fetch of its page.
    poll(feed)
    assert FeedItem.objects.filter(feed=feed, guid__endswith="?p=48190").count() == 1
    assert Article.objects.filter(source_url__endswith="/dam-inspection/").count() == 1
    # The next document has a new story on top and the old ones still below (a new
    # ETag and date): only the new story is taken.
    extra = f"""<item><title>Schools to reopen Monday</title>
      <link>{server.base}/news/2026/12/02/schools/</link>
      <pubDate>Wed, 02 Dec 2026 07:00:00 -0500</pubDate>
      <guid isPermaLink="false">{server.base}/?p=48230</guid></item>"""
    server.serve_fixture(GAZETTE, "riverton-gazette.rss", MODIFIED + timedelta(hours=9), extra)
    server.serve_text(
        "/news/2026/12/02/schools/",
        "Schools to reopen Monday\n\nThe district said on Wednesday that all schools would "
        "reopen on Monday after the repairs.\n",
    )
    result = poll(feed)
    assert result.outcome == "new" and result.created == 1
    assert Article.objects.count() == 3 and FeedItem.objects.filter(feed=feed).count() == 3
    assert len(server.seen("/news/2026/12/01/dam-inspection/")) == 1


def test_a_link_already_in_the_tracker_is_linked_not_fetched_again(server, poll):
    first = subscribe(server, GAZETTE)
    poll(first)
    # Another feed (another guid, the same story's link) points at the same article.
    other = feed_subscribe(url=server.url("/feeds/mirror.rss"), user=None)
    mirror = (server.documents[GAZETTE][0]).replace(b"?p=48211", b"?mirror=1")
    server.documents["/feeds/mirror.rss"] = (mirror, "application/rss+xml", MODIFIED)
    result = poll(other)
    assert result.created == 0 and result.linked == 2
    bridge = FeedItem.objects.get(feed=other, guid__endswith="?mirror=1")
    assert bridge.article == FeedItem.objects.get(feed=first, guid__endswith="?p=48211").article
    assert len(server.seen("/news/2026/12/01/bridge-repairs/")) == 1


def test_an_item_whose_link_cannot_be_ingested_is_recorded_with_the_reason(server, poll):
    feed = subscribe(server, GAZETTE)
    extra = """<item><title>Listen: the council meeting</title>
      <link>ftp://files.example/council.mp3</link><guid isPermaLink="false">ep-12</guid></item>
      <item><title>A note without a link</title><guid isPermaLink="false">note-3</guid></item>"""
    server.serve_fixture(GAZETTE, "riverton-gazette.rss", MODIFIED, extra)
    result = poll(feed)
    assert result.created == 2 and result.failed == 2
    assert FeedItem.objects.get(guid="ep-12").error == (
        "Only http:// and https:// URLs can be fetched."
    )
    assert FeedItem.objects.get(guid="note-3").error == "The item has no link."
    assert feed.error == ""  # the feed itself is fine


def test_a_link_too_long_to_keep_is_recorded_with_the_reason(server, poll):
    # An article's source_url holds 2,000 characters: on PostgreSQL a longer link
    # was a DataError, "could not be stored; the next poll tries again", at every
    # poll, so the feed stayed in its error state for good.
    feed = subscribe(server, GAZETTE)
    link = server.url("/news/2026/12/01/bridge-repairs/?ref=" + "x" * 2000)
    extra = f"""<item><title>Tracked</title><link>{link}</link>
      <guid isPermaLink="false">long-1</guid></item>"""
    server.serve_fixture(GAZETTE, "riverton-gazette.rss", MODIFIED, extra)
    result = poll(feed)
    assert result.outcome == "new" and result.created == 2 and result.failed == 1
    item = FeedItem.objects.get(feed=feed, guid="long-1")
    assert item.error == "The URL is longer than 2000 characters." and item.article is None
    assert feed.error == "" and feed.consecutive_errors == 0


def with_item_between(server, path: str, item: str) -> None:
    """The document at ``path`` with ``item`` (XML) after its first item."""
    body, kind, modified = server.documents[path]
    head, _, tail = body.partition(b"</item>")
    server.documents[path] = (head + b"</item>" + item.encode() + tail, kind, modified)


def test_an_item_with_a_nul_is_stored_without_it_and_so_are_the_next(server, poll):
    # feedparser gives "&#0;" back as a NUL, which PostgreSQL's text refuses: the
    # poll ended in a DataError, the items after it never stored.
    feed = subscribe(server, GAZETTE)
    bad = """<item><title>Bad&#0;story</title>
      <guid isPermaLink="false">bad-&#0;1</guid></item>"""
    with_item_between(server, GAZETTE, bad)
    result = poll(feed)
    assert result.outcome == "new" and result.created == 2 and result.failed == 1
    item = FeedItem.objects.get(feed=feed, guid="bad-1")
    assert item.title == "Badstory" and item.error == "The item has no link."
    assert FeedItem.objects.filter(feed=feed).count() == 3
    assert feed.error == "" and feed.consecutive_errors == 0 and feed.last_polled_at


def test_an_item_the_database_refuses_is_the_feeds_error_not_the_runs(
    server, django_capture_on_commit_callbacks, monkeypatch
):
    gazette, wire = subscribe(server, GAZETTE), subscribe(server, WIRE)
    bad = '<item><title>Refused</title><guid isPermaLink="false">bad-1</guid></item>'
    with_item_between(server, GAZETTE, bad)
    save = FeedItem.save

    def refuse(item, *args, **kwargs):
        if item.guid == "bad-1":
            raise DataError("a value the database refuses")
        return save(item, *args, **kwargs)

    monkeypatch.setattr(FeedItem, "save", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        results = feeds_poll_due(publish_fetch=tasks.start_fetch)
    assert [(r.outcome, r.created) for r in results] == [("error", 2), ("new", 2)]
    gazette.refresh_from_db()
    assert gazette.error == "1 new item(s) could not be stored; the next poll tries again."
    assert gazette.consecutive_errors == 1 and gazette.last_polled_at and gazette.etag == ""
    assert FeedItem.objects.filter(feed=gazette).count() == 2
    assert FeedItem.objects.filter(feed=wire).count() == 2

    monkeypatch.setattr(FeedItem, "save", save)
    Feed.objects.filter(pk=gazette.pk).update(next_poll_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        [again] = feeds_poll_due(publish_fetch=tasks.start_fetch)
    assert again.outcome == "new" and again.created == 0 and again.failed == 1
    gazette.refresh_from_db()
    assert gazette.error == "" and gazette.consecutive_errors == 0
    assert FeedItem.objects.filter(feed=gazette).count() == 3


def test_a_guid_is_a_link_only_when_it_is_a_whole_permalink_url(server, poll):
    """feedparser offers a permalink guid as the link, resolved against the feed's
    address: "wire-3" would become http://host/wire-3, an article that 404s."""
    feed = subscribe(server, GAZETTE)
    extra = f"""<item><title>Wire brief</title><guid>wire-3</guid></item>
      <item><title>Not a permalink</title>
        <guid isPermaLink="false">{server.base}/news/2026/12/01/bridge-repairs/?id=9</guid></item>
      <item><title>Permalink</title><guid>{server.base}/news/2026/12/02/permalink/</guid></item>
      <item><title>Relative link</title><guid>wire-4</guid><link>/news/2026/12/02/relative/</link>
      </item>"""
    server.serve_fixture(GAZETTE, "riverton-gazette.rss", MODIFIED, extra)
    server.serve_text("/news/2026/12/02/permalink/", PAGES["/wire/2026/12/01/drought-figures"])
    server.serve_text("/news/2026/12/02/relative/", PAGES["/wire/2026/12/01/hospital-waits"])
    result = poll(feed)
    assert result.created == 4 and result.failed == 2
    for guid in ("wire-3", f"{server.base}/news/2026/12/01/bridge-repairs/?id=9"):
        item = FeedItem.objects.get(guid=guid)
        assert (item.link, item.article, item.error) == ("", None, "The item has no link.")
    assert FeedItem.objects.get(guid="wire-4").link == f"{server.base}/news/2026/12/02/relative/"
    assert not Article.objects.filter(source_url__endswith="wire-3").exists()
    assert not server.seen("/wire-3")
    assert not Article.objects.filter(state=AnalysisState.FAILED).exists()


def test_new_items_over_the_limit_wait_for_the_next_poll(server, poll, settings):
    settings.FEEDS_MAX_NEW_ITEMS = 1
    feed = subscribe(server, GAZETTE)
    assert poll(feed).created == 1
    assert feed.etag == "" and feed.last_modified == ""  # the whole document next time
    assert poll(feed).created == 1
    assert FeedItem.objects.filter(feed=feed).count() == 2
    assert feed.etag and feed.last_modified  # nothing left: validators kept
    assert poll(feed).outcome == "not_modified"


def test_the_feed_address_is_checked_as_url_ingest_checks_it(settings):
    settings.INGEST_ALLOW_PRIVATE_URLS = False
    user = editor()
    with pytest.raises(FeedError, match="private or local address"):
        feed_subscribe(url="http://169.254.169.254/latest/feed", user=user)
    with pytest.raises(FeedError, match="Only http"):
        feed_subscribe(url="file:///etc/passwd", user=user)
    with pytest.raises(FeedError, match="5 to 1440 minutes"):
        feed_subscribe(url="https://news.example/feed", user=user, poll_interval_minutes=1)
    feed = feed_subscribe(url="https://news.example/feed", user=user)
    with pytest.raises(FeedError, match=f"already subscribed \\(feed {feed.pk}\\)"):
        feed_subscribe(url="https://news.example/feed", user=user)
    with pytest.raises(FeedError, match="private or local address"):
        feed_update(feed=feed, url="http://[::1]/feed")
    with pytest.raises(FeedError, match="private or local address"):
        feed_update(feed=feed, url="http://[64:ff9b::7f00:1]:8302/feed")
    assert not Feed.objects.filter(url__contains="::1").exists()


def test_a_private_address_behind_a_name_is_refused_at_poll_time(settings, poll, monkeypatch):
    import socket

    settings.INGEST_ALLOW_PRIVATE_URLS = False
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, *a, **k: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))
        ],
    )
    feed = feed_subscribe(url="http://intranet.test/feed.rss", user=None)
    poll(feed)
    assert feed.error == "The URL points to a private or local address, which is not allowed."
    assert feed.consecutive_errors == 1


def test_due_feeds_are_polled_once_each_on_their_own_interval(
    server, django_capture_on_commit_callbacks
):
    due = subscribe(server, GAZETTE)
    later = subscribe(server, WIRE)
    off = feed_subscribe(url=server.url("/feeds/off.rss"), user=None, active=False)
    Feed.objects.filter(pk=later.pk).update(next_poll_at=timezone.now() + timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        results = feeds_poll_due(publish_fetch=tasks.start_fetch)
    assert [r.feed_id for r in results] == [due.pk]
    assert server.seen(WIRE) == [] and server.seen("/feeds/off.rss") == []
    # Polled: not due again before its interval.
    with django_capture_on_commit_callbacks(execute=True):
        assert feeds_poll_due(publish_fetch=tasks.start_fetch) == []
    assert len(server.seen(GAZETTE)) == 1
    off.refresh_from_db()
    assert off.last_polled_at is None


def test_a_feed_being_polled_is_not_polled_again(server):
    feed = subscribe(server, GAZETTE)
    # Another worker claimed it (the lease moved next_poll_at ahead).
    Feed.objects.filter(pk=feed.pk).update(next_poll_at=timezone.now() + LEASE)
    assert feed_poll_if_due(feed_id=feed.pk, publish_fetch=tasks.start_fetch) is None
    assert feeds_poll_due(publish_fetch=tasks.start_fetch) == []
    assert server.requests == []


def test_the_beat_task_polls_due_feeds(server, django_capture_on_commit_callbacks):
    schedule = django_settings.CELERY_BEAT_SCHEDULE["poll-feeds"]
    assert schedule["task"] == "claims.tasks.poll_feeds_task"
    assert schedule["schedule"] == 60.0 and schedule["options"] == {"queue": "default"}
    feed = subscribe(server, WIRE)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.poll_feeds_task.delay()
    feed.refresh_from_db()
    assert feed.last_success_at is not None and feed.items.count() == 2


def test_the_command_polls_due_feeds_for_the_embedded_mode(
    server, django_capture_on_commit_callbacks
):
    feed = subscribe(server, GAZETTE)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("poll_feeds", stdout=out)
    assert out.getvalue() == (
        f"feed {feed.pk}: 2 new article(s), 0 already here, 0 not added\npolled 1 feed(s)\n"
    )
    assert Article.objects.filter(state=AnalysisState.ANALYZED).count() == 2


@pytest.mark.parametrize(
    "error", [RecursionError("maximum recursion depth exceeded"), DataError("refused")]
)
def test_a_poll_that_breaks_unexpectedly_does_not_stop_the_others(
    server, django_capture_on_commit_callbacks, monkeypatch, error
):
    """A parser failure on one document, or a value the database refuses, is that
    feed's error; the next feed is polled."""
    import feedparser

    broken, fine = subscribe(server, GAZETTE), subscribe(server, WIRE)
    real = feedparser.parse

    def parse(stream, **kwargs):
        if b"<rss" in stream.getvalue():  # the gazette (the wire is Atom)
            raise error
        return real(stream, **kwargs)

    monkeypatch.setattr(feedparser, "parse", parse)
    with django_capture_on_commit_callbacks(execute=True):
        results = feeds_poll_due(publish_fetch=tasks.start_fetch)
    assert [r.outcome for r in results] == ["error", "new"]
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert broken.error == f"The poll failed unexpectedly ({type(error).__name__})."
    assert broken.consecutive_errors == 1 and fine.state == "ok"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # two threads, two connections, real commits
def test_poll_now_during_a_poll_never_polls_the_feed_twice_at_once(server):
    """README: overlapping beat runs, several workers and "Poll now" never poll one
    feed twice at once. "Poll now" used to reset the running poll's lease (due now),
    and its task polled the feed beside it. Now it marks the feed due: the running
    poll finishes alone, and the feed is polled again after it."""
    import threading

    from django.db import connection

    from claims.services import feed_poll_soon

    feed = subscribe(server, GAZETTE)
    gate = server.hold(GAZETTE)  # the first poll's fetch waits here
    results = []

    def first_poll():
        try:
            results.append(feed_poll_if_due(feed_id=feed.pk, publish_fetch=tasks.start_fetch))
        finally:
            connection.close()

    worker = threading.Thread(target=first_poll, daemon=True)
    worker.start()
    try:
        assert server.arrived.wait(30), "the first poll never fetched the feed"
        # "Poll now" (the API's and the dashboard's call): its task runs in-process.
        assert feed_poll_soon(feed=feed, publish=tasks.start_feed_poll) is True
    finally:
        gate.set()
        worker.join(60)
    assert server.most_in_flight[GAZETTE] == 1
    assert len(server.seen(GAZETTE)) == 1
    [result] = results
    assert result is not None and result.outcome == "new"
    feed.refresh_from_db()
    assert feed.next_poll_at <= timezone.now()  # asked for: due once the poll ended
    assert [r.feed_id for r in feeds_poll_due(publish_fetch=tasks.start_fetch)] == [feed.pk]
    assert len(server.seen(GAZETTE)) == 2


def test_an_edit_during_a_poll_does_not_free_the_feed_for_another(server):
    """Switching a feed off and on, or changing its address or interval, while a
    poll holds it made it due at once: another poll could take it."""
    from claims.services.feeds import _claim

    feed = subscribe(server, GAZETTE)
    assert _claim(feed.pk) is not None  # a poll holds it
    feed_update(feed=feed, active=False)
    feed_update(feed=feed, active=True)
    feed_update(feed=feed, url=server.url(WIRE))
    assert feed_poll_if_due(feed_id=feed.pk, publish_fetch=tasks.start_fetch) is None
    assert feeds_poll_due(publish_fetch=tasks.start_fetch) == []
    assert server.requests == []


def test_a_poll_ends_its_lease_and_schedules_the_next_by_its_interval(
    server, django_capture_on_commit_callbacks
):
    feed = subscribe(server, GAZETTE, poll_interval_minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        [result] = feeds_poll_due(publish_fetch=tasks.start_fetch)
    feed.refresh_from_db()
    assert result.outcome == "new" and feed.polling_until is None
    assert feed.next_poll_at == feed.last_polled_at + timedelta(minutes=30)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_feeds_polled_at_once_with_the_same_links_make_one_article_a_link(server):
    """Two feeds of one site (its front page and a section) list the same stories:
    polled at the same moment, each read the links already in the tracker before
    the other stored its articles, and each made its own article of every story,
    its fetch failing later ("The page's text is already in the tracker"). A poll
    now looks for the link's article under the URL's lock, as URL ingest does."""
    from tests.at_once import at_once

    document = server.documents[GAZETTE][0]
    feeds = [subscribe(server, GAZETTE)]
    for n in range(1, 4):
        path = f"/feeds/section-{n}.rss"
        server.documents[path] = (
            document.replace(b"?p=", f"?section={n}&p=".encode()),
            "application/rss+xml",
            MODIFIED,
        )
        feeds.append(feed_subscribe(url=server.url(path), user=None))
    results = at_once(lambda: feed_poll(feed=feeds.pop(), publish_fetch=tasks.start_fetch), 4)
    links = set(FeedItem.objects.exclude(article=None).values_list("link", flat=True))
    items = FeedItem.objects.exclude(article=None).count()
    assert len(links) >= 2 and items == 4 * len(links)
    assert sum(r.created for r in results) == len(links)
    assert sum(r.linked for r in results) == items - len(links)
    for link in links:
        assert Article.objects.filter(source_url=link).count() == 1, link
