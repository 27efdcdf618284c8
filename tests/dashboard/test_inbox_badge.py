"""The header's unread badge counts at most 100 notifications (a COUNT of every
unread one, on every page, read 100k index entries for a busy desk: 15-35 ms),
and says "99+" past 99."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Notification
from tests.factories import ClaimFactory, editor

pytestmark = pytest.mark.django_db


def badge(client) -> tuple[str | None, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/feeds/")
    assert r.status_code == 200
    found = re.search(r'<span class="inbox-count">([^<]*)</span>', r.content.decode())
    counts = [q["sql"] for q in ctx.captured_queries if "claims_notification" in q["sql"]]
    return (found.group(1) if found else None), counts


def notify(user, claim, n):
    Notification.objects.bulk_create(
        Notification(recipient=user, kind="assigned", claim=claim, message="m") for _ in range(n)
    )


def test_the_badge_counts_up_to_a_hundred_and_says_99_plus(client):
    user = editor()
    client.force_login(user)
    claim = ClaimFactory()
    assert badge(client)[0] is None
    notify(user, claim, 3)
    assert badge(client)[0] == "3"
    notify(user, claim, 96)
    assert badge(client)[0] == "99"
    notify(user, claim, 50)
    shown, counts = badge(client)
    assert shown == "99+"
    assert len(counts) == 1 and "LIMIT 100" in counts[0], counts
