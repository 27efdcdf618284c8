"""Feeds, a webhook's delivery log and the account page on a 375 px phone: the page
never scrolls sideways (a table may, inside its own box), a feed's error reads as
lines of words, not one word per line, and the delivery log's words are
left-aligned."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from claims import services
from claims.models import Feed, WebhookDelivery
from claims.tokens import token_create
from tests.browser.conftest import assert_accessible, log_in, shot
from tests.factories import PASSWORD, editor

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PHONE = {"width": 375, "height": 812}
LONG_URL = "https://news.example/feeds/" + "regional-politics-and-elections-" * 3 + "all.rss"


@pytest.fixture
def pages(settings):
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    user = editor()
    now = timezone.now()
    feed = services.feed_subscribe(url=LONG_URL, user=user, title="Regional politics wire")
    Feed.objects.filter(pk=feed.pk).update(
        last_polled_at=now,
        next_poll_at=now + timedelta(minutes=30),
        consecutive_errors=3,
        error_since=now - timedelta(hours=2),
        error="The URL returned HTTP 503. The server said it was overloaded and to try later.",
    )
    services.feed_subscribe(url="https://wire.example/top.atom", user=user)
    endpoint = services.webhook_endpoint_create(
        url="https://1.1.1.1/hooks/claims/" + "newsroom-cms-integration/" * 3,
        events=["claim.verdict", "claim.status_changed", "article.analysed"],
        owner=user,
        description="The CMS",
    )
    for state, status, error in [
        ("failed", 500, "HTTP 500"),
        ("retrying", None, "Could not connect to the endpoint (connection refused)."),
        ("succeeded", 200, ""),
    ]:
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event="claim.status_changed",
            event_id=uuid.uuid4(),
            payload={"event": "claim.status_changed"},
            state=state,
            attempts=2,
            error=error,
            response_status=status,
            next_attempt_at=now + timedelta(minutes=5) if state == "retrying" else None,
        )
        delivery.tries.create(number=1, at=now, status=status, error=error, duration_ms=12)
    token_create(user=user, expiry=timedelta(days=30))
    return user, endpoint


def overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def test_feeds_webhooks_and_account_fit_a_phone(new_page, live_server, pages):
    user, endpoint = pages
    page = new_page(viewport=PHONE)
    log_in(page, live_server.url, user, PASSWORD)
    for path, name in [
        ("/feeds/", "phone-feeds"),
        (f"/webhooks/{endpoint.pk}/", "phone-webhook"),
        ("/webhooks/", "phone-webhooks"),
        ("/account/", "phone-account"),
    ]:
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (
            f"{path} scrolls sideways by {overflow(page)} px"
        )
        shot(page, name)
        assert_accessible(page, f"{path} on a phone")
        if path == "/feeds/":
            # The error is read in lines of words: its box is most of the screen wide.
            box = page.locator(".feed-error").first.bounding_box()
            assert box["width"] >= PHONE["width"] * 0.6, box
        if path.startswith("/webhooks/") and path != "/webhooks/":
            aligns = page.evaluate(
                """() => Array.from(document.querySelectorAll('table.deliveries tbody td'))
                  .map(td => getComputedStyle(td).textAlign)"""
            )
            assert aligns and set(aligns) <= {"left", "start"}, aligns
    # The new token's key, shown once on the account page, fits too.
    page.get_by_role("button", name="Create a token").click()
    page.wait_for_selector("#new-key")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (
        f"/account/ with a new key scrolls sideways by {overflow(page)} px"
    )
    shot(page, "phone-account-new-key")


def test_an_untitled_feeds_page_fits_a_phone(new_page, live_server, pages):
    # Was: a feed with no title yet (one whose first poll failed: the very one an
    # editor opens to fix) has its address as the page's heading, and a long
    # address ran off the right edge: the heading was cut and the page scrolled
    # sideways.
    user, _ = pages
    url = "https://news.example/feeds/" + "regional-politics-and-elections-" * 2 + "x.rss"
    feed = services.feed_subscribe(url=url, user=user)
    page = new_page(viewport=PHONE)
    log_in(page, live_server.url, user, PASSWORD)
    page.goto(f"{live_server.url}/feeds/{feed.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == url
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (
        f"the feed's page scrolls sideways by {overflow(page)} px"
    )
    shot(page, "phone-untitled-feed")
