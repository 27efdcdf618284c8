"""Feeds: editors' RSS and Atom subscriptions, and their polling.

Celery beat runs ``feeds_poll_due`` every minute (claims.tasks.poll_feeds_task);
a feed is polled when its own ``next_poll_at`` has come. A poll

* fetches the feed through the hardened URL fetch of claims.ingest (public
  addresses only, one deadline, a size limit) as a conditional GET: the ETag and
  Last-Modified of the last answer go back as If-None-Match and If-Modified-Since,
  and a 304 only moves the poll times;
* parses it with feedparser (RSS 0.9x to 2.0, RSS 1.0, Atom; their many date
  formats; broken XML read leniently);
* records each entry it has not seen (a FeedItem, unique per feed by the entry's
  id, or its link when it has none) and makes its link a URL article, fetched and
  analysed like a pasted URL, with the feed's title and date where the page has
  none. A link that is already an article is linked to it, not fetched again.

A failure (network, an HTTP error, a document that is no feed, an item the
database refuses) puts the feed in an error state with the reason, and backs
off: the next poll comes after interval x 2^errors, at most
FEEDS_BACKOFF_MAX_MINUTES. The first good poll clears it.

claims.tasks imports this module, so nothing here imports the tasks (nor the
articles service, which does): the publishers are passed in, as in
claims.services.pipeline.
"""

from __future__ import annotations

import hashlib
import html
import io
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin, urlsplit

import feedparser
from django.conf import settings
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    transaction,
)
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Least, Left
from django.utils import timezone
from django.utils.html import strip_tags

from claims import ingest
from claims.models import SOURCE_URL_KEY, Article, Feed, FeedItem
from claims.services import pipeline, versions

MIN_INTERVAL, MAX_INTERVAL = 5, 24 * 60  # minutes between polls an editor may choose
# How long a poll holds its feed (against a second poll of it at the same time):
# longer than any poll takes; a worker that died mid-poll frees it after this.
LEASE = timedelta(minutes=5)
# Entries of one document looked at (feeds list the newest first).
MAX_ENTRIES = 1000
GUID_MAX = 500
log = logging.getLogger(__name__)


class FeedError(ValueError):
    """A subscription that cannot be made or changed; the message is for the user."""


@dataclass
class PollResult:
    feed_id: int
    outcome: str  # "new" (the feed was read), "not_modified" (304) or "error"
    created: int = 0  # new articles
    linked: int = 0  # new items whose link was already an article
    failed: int = 0  # new items whose link could not be ingested
    unstored: int = 0  # new items the database refused (tried again next poll)
    error: str = ""
    articles: list[int] = field(default_factory=list)


# --- Subscriptions -----------------------------------------------------------------


def feed_subscribe(
    *, url: str, user, title: str = "", poll_interval_minutes: int = 15, active: bool = True
) -> Feed:
    """Subscribe to a feed; it is due at once. FeedError for an address URL ingest
    would refuse (the same check_url), a feed already subscribed, or an interval
    out of bounds."""
    url = feed_url_check(url)
    _check_interval(poll_interval_minutes)
    _check_unique(url)
    try:
        with transaction.atomic():
            return Feed.objects.create(
                url=url,
                title=title.strip()[:500],
                poll_interval_minutes=poll_interval_minutes,
                active=active,
                created_by=user if getattr(user, "is_authenticated", False) else None,
            )
    except IntegrityError:  # subscribed by someone else meanwhile (url is unique)
        _check_unique(url)
        raise


def feed_update(*, feed: Feed, **changes) -> Feed:
    """Change a feed's ``url``, ``title``, ``poll_interval_minutes`` or ``active``.
    A new address starts afresh (no validators, no error state, due now); a feed
    switched on is due now. Only these fields are written: a poll running at the
    same time keeps its own."""
    unknown = set(changes) - {"url", "title", "poll_interval_minutes", "active"}
    if unknown:
        raise TypeError(f"feed_update() got unexpected fields: {sorted(unknown)}")
    now, fields = timezone.now(), {}
    if "url" in changes and changes["url"] != feed.url:
        url = feed_url_check(changes["url"])
        _check_unique(url, exclude=feed.pk)
        fields.update(url=url, etag="", last_modified="", error="", consecutive_errors=0)
        fields.update(error_since=None, next_poll_at=now)
    if "title" in changes:
        fields["title"] = (changes["title"] or "").strip()[:500]
    if "poll_interval_minutes" in changes:
        minutes = changes["poll_interval_minutes"]
        _check_interval(minutes)
        fields["poll_interval_minutes"] = minutes
        if not feed.failing and feed.last_polled_at and "next_poll_at" not in fields:
            fields["next_poll_at"] = feed.last_polled_at + timedelta(minutes=minutes)
    if "active" in changes:
        if changes["active"] and not feed.active:
            fields["next_poll_at"] = now
        fields["active"] = bool(changes["active"])
    for name, value in fields.items():
        setattr(feed, name, value)
    try:
        with transaction.atomic():
            feed.save(update_fields=[*fields, "updated_at"])
    except IntegrityError:  # the address was subscribed meanwhile (url is unique)
        _check_unique(feed.url, exclude=feed.pk)
        raise
    return feed


def feed_unsubscribe(*, feed: Feed) -> None:
    """Delete the subscription and its items; the articles it brought stay."""
    feed.delete()


def feed_poll_soon(*, feed: Feed, publish) -> bool | None:
    """Make the feed due now and publish its poll (``publish(feed_id)``) after the
    commit: the fetch runs in a task, never in the web request. True if the broker
    took it, False if it is unreachable (beat polls the feed, due now, when it is
    back), None inside an outer transaction that has not committed yet. FeedError
    for a paused feed: the poll task takes active feeds only, so nothing would come."""
    if not feed.active:
        raise FeedError(f"{feed} is paused: switch it on to poll it.")
    outcome: dict = {}
    with transaction.atomic():
        Feed.objects.filter(pk=feed.pk).update(next_poll_at=timezone.now())
        transaction.on_commit(lambda: outcome.update(enqueued=publish(feed.pk)))
    return outcome.get("enqueued")


def feed_url_check(url: str) -> str:
    """The address if a feed can be fetched from it (ingest.check_url, as for a
    pasted URL: a literal private address is refused at once, a name when it is
    resolved at poll time); FeedError otherwise."""
    url = (url or "").strip()
    try:
        return ingest.check_url(url)
    except ingest.IngestError as exc:
        raise FeedError(str(exc)) from None


def _check_interval(minutes) -> None:
    if not isinstance(minutes, int) or not MIN_INTERVAL <= minutes <= MAX_INTERVAL:
        raise FeedError(
            f"Poll every {MIN_INTERVAL} to {MAX_INTERVAL} minutes (a day); got {minutes}."
        )


def _check_unique(url: str, exclude: int | None = None) -> None:
    other = Feed.objects.filter(url=url).exclude(pk=exclude).only("pk").first()
    if other is not None:
        raise FeedError(f"This feed is already subscribed (feed {other.pk}).")


# --- Polling -----------------------------------------------------------------------


def feeds_poll_due(*, publish_fetch: pipeline.Publish) -> list[PollResult]:
    """Poll every active feed whose time has come, most overdue first, for at most
    FEEDS_POLL_BUDGET_SECONDS (the rest stay due for the next run). Each feed is
    claimed first, so runs that overlap (beat every minute, several workers) never
    poll one feed twice at once."""
    end = time.monotonic() + settings.FEEDS_POLL_BUDGET_SECONDS
    now = timezone.now()
    due = (
        Feed.objects.filter(_free(now), active=True, next_poll_at__lte=now)
        .order_by("next_poll_at", "id")
        .values_list("pk", flat=True)
    )
    results = []
    for pk in list(due[: settings.FEEDS_POLL_BATCH]):
        if time.monotonic() > end:
            break
        feed = _claim(pk)
        if feed is not None:
            results.append(_poll_safely(feed, publish_fetch))
    return results


def feed_poll_if_due(*, feed_id: int, publish_fetch: pipeline.Publish) -> PollResult | None:
    """Poll one feed if it is still due ("Poll now" made it so) and nobody is
    polling it; None otherwise (deleted, switched off, or polled meanwhile; or being
    polled now: then it is due again as that poll ends, and beat polls it)."""
    feed = _claim(feed_id)
    return _poll_safely(feed, publish_fetch) if feed is not None else None


def _poll_safely(feed: Feed, publish_fetch) -> PollResult:
    """A poll whose unexpected failure (a parser bug on a strange document, say) is
    the feed's error state, not the end of the run: the other due feeds still get
    polled. So is a value the database refuses (a DataError). A lost connection
    is not the feed's: it propagates, and the task retries."""
    try:
        return feed_poll(feed=feed, publish_fetch=publish_fetch)
    except (OperationalError, InterfaceError):
        raise
    except Exception as exc:
        log.exception("feed %s: the poll failed", feed.pk)
        return _failed(feed, f"The poll failed unexpectedly ({type(exc).__name__}).")


def _free(now) -> Q:
    """No poll holds the feed (or the one that did has outlived its lease: its
    worker died)."""
    return Q(polling_until__isnull=True) | Q(polling_until__lte=now)


def _claim(pk: int) -> Feed | None:
    """The feed, if this caller is the one that moved it from due to leased.

    The lease is ``polling_until``, which only a claim sets and only the poll's end
    (or its expiry) clears: "Poll now" and an edit make the feed due by
    ``next_poll_at`` and so cannot hand it to a second poll while one runs. The
    claim also moves ``next_poll_at`` to the lease's end, where a poll whose worker
    died leaves it due again; the poll's end tells from it whether the feed was
    made due meanwhile (see _store)."""
    now = timezone.now()
    _record_dead_poll(pk, now)
    # A conditional update is the lock: of two pollers, one changes the row.
    taken = Feed.objects.filter(_free(now), pk=pk, active=True, next_poll_at__lte=now).update(
        polling_until=now + LEASE, next_poll_at=now + LEASE
    )
    return Feed.objects.filter(pk=pk).first() if taken else None


def _record_dead_poll(pk: int, now) -> None:
    """A lease that ran out was held by a poll that never ended: the task's hard
    time limit killed it (a document that takes the parser past it), or its worker
    died. No Python ran after that to record it, so it is recorded here, as a
    failed poll: an error, and the backoff, instead of a poll every LEASE for ever.
    A feed made due meanwhile ("Poll now", an edit) stays due."""
    dead = Feed.objects.filter(pk=pk, active=True, polling_until__lte=now).first()
    if dead is None:
        return
    errors = dead.consecutive_errors + 1
    backoff = now + feed_backoff(interval=dead.poll_interval_minutes, errors=errors)
    error = (
        "The last poll did not finish: it was stopped by the task's time limit "
        f"({settings.CELERY_TASK_TIME_LIMIT} s) or lost with its worker. The feed may be "
        "too large or too complex to read."
    )
    lease = dead.polling_until
    # Conditional on the lease: of two pollers that saw it, one records it.
    Feed.objects.filter(pk=pk, polling_until=lease).update(
        polling_until=None,
        next_poll_at=Case(When(next_poll_at=lease, then=Value(backoff)), default=F("next_poll_at")),
        last_polled_at=lease - LEASE,
        consecutive_errors=F("consecutive_errors") + 1,
        error_since=dead.error_since or now,
        error=error,
        updated_at=now,
    )
    log.warning("feed %s: the poll that held it until %s never ended", pk, lease)


def feed_poll(*, feed: Feed, publish_fetch: pipeline.Publish) -> PollResult:
    """Poll the feed now, whatever its schedule: fetch (conditionally), parse,
    record the new items and queue their articles (``publish_fetch``, after the
    commit); then set the feed's state and its next poll."""
    headers = {}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    try:
        fetched = ingest.response_from_url(feed.url, headers=headers)
    except ingest.IngestError as exc:
        return _failed(feed, str(exc))
    if fetched.not_modified:
        _succeeded(feed, {})
        return PollResult(feed.pk, "not_modified")
    parsed = _parse(feed, fetched)
    if isinstance(parsed, str):
        return _failed(feed, parsed)
    entries = _entries(parsed, base=feed.url)
    result = PollResult(feed.pk, "new")
    capped = _take(feed, entries, publish_fetch, result)
    if result.unstored:
        return _items_failed(feed, result)
    title = ingest.storable_text(parsed.feed.get("title") or "")
    changes = {"title": feed.title or title.strip()[:500]}
    # Validators only for a document read to its end: with entries left for later
    # (over FEEDS_MAX_NEW_ITEMS), the next poll must get the whole document again.
    changes["etag"] = "" if capped else fetched.etag
    changes["last_modified"] = "" if capped else fetched.last_modified
    _succeeded(feed, changes)
    return result


def _parse(feed: Feed, fetched: ingest.Fetched):
    """The parsed feed, or why it is not one. Bytes go in wrapped in a stream:
    given bytes or a str, feedparser tries them as a file name (or a URL) first.
    No content-location goes with them: given the feed's address as the base,
    feedparser resolves a guid such as "wire-3" to http://host/wire-3 and offers
    it as the link. _entries resolves the real links itself.

    First the document's tags are checked as HTML's are (ingest.check_markup):
    feedparser's strict parser takes time growing with the square of one tag's
    attributes, past the task's time limit for a few MB, and a killed poll records
    no error (no backoff). The text checked is the document as feedparser reads it
    (its own decoding: a byte-order mark, the XML declaration, the Content-Type)."""
    headers = {"content-type": fetched.content_type}
    text = feedparser.encodings.convert_to_utf8(headers, fetched.body, {})
    try:
        ingest.check_markup(text.decode("utf-8", "replace"), what="feed", xml=True)
    except ingest.IngestError as exc:
        return str(exc)
    parsed = feedparser.parse(
        io.BytesIO(fetched.body), response_headers={"content-type": fetched.content_type}
    )
    if parsed.entries or (parsed.get("version") and not parsed.bozo):
        return parsed  # a feed, perhaps a little broken, or a valid one with no entries
    if parsed.get("version"):  # RSS or Atom, broken before its first entry
        return f"The feed cannot be read: {_why(parsed)}."
    reason = f": {_why(parsed)}" if parsed.bozo else ""
    return f"The document is not an RSS or Atom feed{reason}."


def _why(parsed) -> str:
    exc = parsed.get("bozo_exception")
    if hasattr(exc, "getMessage") and hasattr(exc, "getLineNumber"):  # the XML parser's
        return f"{exc.getMessage()} at line {exc.getLineNumber()}"
    return str(exc) or type(exc).__name__


@dataclass
class Entry:
    guid: str
    link: str
    title: str
    published: datetime | None
    updated: datetime | None


def _entries(parsed, *, base: str) -> list[Entry]:
    """The document's entries, each id once (a feed can list an item twice)."""
    entries, seen = [], set()
    for raw in parsed.entries[:MAX_ENTRIES]:
        # A NUL ("Bad&#0;story") comes through feedparser as it was written, and
        # PostgreSQL's text refuses it: it is dropped from what is stored.
        link = ingest.storable_text(_link(raw, base))
        guid = ingest.storable_text(raw.get("id") or link).strip()
        if len(guid) > GUID_MAX:
            guid = "sha256:" + hashlib.sha256(guid.encode()).hexdigest()
        if not guid or guid in seen:
            continue
        seen.add(guid)
        entries.append(
            Entry(
                guid=guid,
                link=link,
                title=_title(raw),
                # dict.get: FeedParserDict's own get("updated_parsed") falls back to
                # the published date (with a warning); the two are kept apart here.
                published=_date(dict.get(raw, "published_parsed")),
                updated=_date(dict.get(raw, "updated_parsed")),
            )
        )
    return entries


def _link(raw, base: str) -> str:
    """The entry's link: its own <link> (relative ones resolved against the feed's
    address), or else its guid when that is a permalink (RSS's default) written as
    a whole http(s) URL. A guid such as "wire-3" is an id, not an address: the item
    is kept, with no link, and no article is made of it."""
    link = (raw.get("link") or "").strip()
    if not link:
        return ""
    if raw.get("guidislink") and link == (raw.get("id") or "").strip():  # the guid
        parts = urlsplit(link)
        return link if parts.scheme in ("http", "https") and parts.netloc else ""
    return urljoin(base, link)


def _title(raw) -> str:
    """The entry's title as plain text (an Atom title may be HTML: "Board
    <em>revises</em> figures")."""
    title = ingest.storable_text(raw.get("title") or "")
    if "html" in (raw.get("title_detail") or {}).get("type", ""):
        title = html.unescape(strip_tags(title))
    return " ".join(title.split())[:500]


def _date(parsed: time.struct_time | None) -> datetime | None:
    """feedparser's dates are UTC struct_times, whatever zone the feed wrote."""
    if not parsed:
        return None
    try:
        return datetime(*parsed[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _take(feed: Feed, entries: list[Entry], publish_fetch, result: PollResult) -> bool:
    """Record the entries not seen before and queue their articles; True if some
    were left for the next poll (over FEEDS_MAX_NEW_ITEMS)."""
    known = set(
        FeedItem.objects.filter(feed=feed, guid__in=[e.guid for e in entries]).values_list(
            "guid", flat=True
        )
    )
    new = [e for e in entries if e.guid not in known]
    limit = settings.FEEDS_MAX_NEW_ITEMS
    capped, new = len(new) > limit, new[:limit]
    # Links that are already articles (pasted, from another feed, or from an item
    # with another id): linked, not fetched again. The oldest article wins.
    links = {e.link for e in new if e.link}
    articles = dict(
        Article.objects.alias(url_key=Left("source_url", SOURCE_URL_KEY))
        .filter(url_key__in={link[:SOURCE_URL_KEY] for link in links}, source_url__in=links)
        .order_by("-id")
        .values_list("source_url", "id")
    )
    for entry in new:
        _record(feed, entry, articles, publish_fetch, result)
    return capped


def _record(feed: Feed, entry: Entry, articles: dict, publish_fetch, result: PollResult) -> None:
    item = FeedItem(
        feed=feed,
        guid=entry.guid,
        link=entry.link[:2000],
        title=entry.title,
        feed_published_at=entry.published,
        feed_updated_at=entry.updated,
    )
    try:
        # One item, one transaction: its article is published only if the item is
        # stored (a concurrent poll that stored it first makes this one roll back).
        with transaction.atomic():
            made = _article_for(feed, entry, item, articles, publish_fetch)
            item.save(force_insert=True)
    except IntegrityError:
        return
    except (OperationalError, InterfaceError):
        raise  # the database blinked, not this item: the task retries
    except DatabaseError:
        # A value the database refuses: this item is not stored, the others are.
        log.exception("feed %s: item %r not stored", feed.pk, entry.guid)
        result.unstored += 1
        return
    if made:
        articles[entry.link] = item.article_id
        result.created += 1
        result.articles.append(item.article_id)
    elif item.article_id:
        result.linked += 1
    else:
        result.failed += 1


def _article_for(feed, entry: Entry, item: FeedItem, articles: dict, publish_fetch) -> bool:
    """Point the item at its article, making one if needed; True if one was made."""
    if not entry.link:
        item.error = "The item has no link."
        return False
    if entry.link in articles:
        item.article_id = articles[entry.link]
        return False
    try:
        url = ingest.check_url(entry.link)
    except ingest.IngestError as exc:
        item.error = str(exc)
        return False
    # Looked for again under the URL's lock (the item's transaction holds it): a
    # poll of another feed with this link, or its URL pasted, at the same moment.
    pipeline.url_lock(url)
    known = versions.article_of_url(url=url)
    if known is not None:
        item.article_id = known.pk
        return False
    item.article, _ = pipeline.article_fetch_create(
        url=url,
        publish=publish_fetch,
        user=feed.created_by,
        title=entry.title,
        published_at=entry.published or entry.updated,
    )
    return True


def _items_failed(feed: Feed, result: PollResult) -> PollResult:
    """The feed's error state for items the database refused: the others are
    stored; the next poll (no validators kept) tries these again."""
    error = f"{result.unstored} new item(s) could not be stored; the next poll tries again."
    failed = _failed(feed, error)
    result.outcome, result.error = failed.outcome, failed.error
    return result


def _succeeded(feed: Feed, changes: dict) -> None:
    now = timezone.now()
    fields = {
        "last_polled_at": now,
        "last_success_at": now,
        "next_poll_at": now + timedelta(minutes=feed.poll_interval_minutes),
        "consecutive_errors": 0,
        "error_since": None,
        "error": "",
        **changes,
    }
    _store(feed, fields)


def _failed(feed: Feed, error: str) -> PollResult:
    now = timezone.now()
    errors = feed.consecutive_errors + 1
    fields = {
        "last_polled_at": now,
        "next_poll_at": now + feed_backoff(interval=feed.poll_interval_minutes, errors=errors),
        "consecutive_errors": errors,
        "error_since": feed.error_since or now,
        "error": ingest.storable_text(error),
    }
    _store(feed, fields)
    return PollResult(feed.pk, "error", error=error)


def feed_backoff(*, interval: int, errors: int) -> timedelta:
    """The wait after ``errors`` failed polls in a row: interval x 2^errors, capped."""
    minutes = min(interval * 2 ** min(errors, 20), settings.FEEDS_BACKOFF_MAX_MINUTES)
    return timedelta(minutes=minutes)


def _store(feed: Feed, fields: dict) -> None:
    # An update, not save(): an editor's change made during the poll is kept, and a
    # feed deleted meanwhile is no error.
    lease = feed.polling_until  # held by this poll (_claim), or None (a direct feed_poll)
    if lease is None or "next_poll_at" not in fields:
        Feed.objects.filter(pk=feed.pk).update(**fields, updated_at=timezone.now())
        for name, value in fields.items():
            setattr(feed, name, value)
        return
    # The poll ends: the lease is released (unless it ran out and another poll holds
    # the feed now), and the next poll is the one this poll computed, or sooner if
    # the feed was made due meanwhile ("Poll now" during the poll: polled next).
    scheduled = fields.pop("next_poll_at")
    Feed.objects.filter(pk=feed.pk).update(
        **fields,
        next_poll_at=Case(
            When(next_poll_at=lease, then=Value(scheduled)),
            default=Least(F("next_poll_at"), Value(scheduled)),
        ),
        polling_until=Case(When(polling_until=lease, then=None), default=F("polling_until")),
        updated_at=timezone.now(),
    )
    for name, value in fields.items():
        setattr(feed, name, value)
    feed.refresh_from_db(fields=["next_poll_at", "polling_until"])
