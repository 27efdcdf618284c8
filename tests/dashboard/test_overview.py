"""The overview: charts drawn on the server, each with its numbers in words."""

from datetime import date

import pytest
from django.urls import reverse

from claims.views import charts
from claims.workflow import claim_transition

pytestmark = pytest.mark.django_db


def test_counts_charts_and_tables(client_as, claim):
    client = client_as("editor")
    claim_transition(claim=claim, to_status="in_progress", user=client.user, expected_version=1)
    html = client.get(reverse("dashboard:overview")).content.decode()
    assert html.count('<svg class="chart"') == 5
    assert html.count('role="img"') == 5
    assert "Claims per confidence level: Very low 1, Low 0, Medium 0, High 0" in html
    assert "Claims per status: Unstarted 0, In progress 1," in html
    assert '<a href="/?view=all&amp;confidence_level=very_low">Very low</a></th><td>1</td>' in html
    assert "Status changes per day: 1 in 30 days" in html
    assert "Dam inspection disputed" in html  # the per-article table


def test_each_count_links_to_a_queue_showing_that_many(client_as):
    """ "Low 3" opened the Open tab, which left out the done claims: 2 of 3."""
    import re

    from tests.factories import ClaimFactory

    for status in ("unstarted", "in_progress", "verified"):
        ClaimFactory(confidence_level="low", status=status)
    ClaimFactory(confidence_level="high", status="dismissed")
    client = client_as("editor")
    html = client.get(reverse("dashboard:overview")).content.decode()
    rows = re.findall(r'<a href="(/\?[^"]+)">[^<]+</a></th><td>(\d+)</td>', html)
    assert len(rows) == 4 + 7  # every level and every status
    for href, n in rows:
        queue = client.get(href.replace("&amp;", "&")).content.decode()
        shown = re.search(r"of (?:<[^>]+>)?(\d+)", queue.split('id="result-count"')[1])
        assert (shown.group(1) if shown else "0") == n, href


def test_bars_scale_to_the_largest():
    chart = charts.hbars([("a", "A", 10), ("b", "B", 5), ("c", "C", 0)], width=560)
    room = 560 - charts.LABEL_W - charts.VALUE_W
    assert [b["w"] for b in chart["bars"]] == [room, room / 2, 0]
    assert charts.hbars([("a", "A", 0)])["bars"][0]["w"] == 0  # nothing to divide by


def test_days_fill_gaps_and_ticks_do_not_collide():
    series = charts.days({date(2026, 3, 10): 4}, date(2026, 3, 12), n=30)
    assert len(series) == 30 and series[-3] == (date(2026, 3, 10), 4)
    assert sum(v for _, v in series) == 4
    ticks = [i for i, b in enumerate(charts.columns(series)["bars"]) if b["tick"]]
    assert ticks == [0, 7, 14, 21, 29]


def test_stacked_segments_add_up():
    chart = charts.stacked([("x", [("low", 2), ("high", 2)]), ("y", [("low", 1), ("high", 0)])])
    first, second = chart["rows"]
    assert first["total"] == 4 and len(first["segments"]) == 2
    assert second["segments"][0]["w"] == first["segments"][0]["w"] / 2
    assert len(second["segments"]) == 1  # no zero-width rectangles


def test_daily_counts_keep_finished_days_and_count_today_live():
    from datetime import timedelta

    from django.core.cache import cache
    from django.utils import timezone

    from claims.models import Claim
    from claims.selectors import daily_counts
    from tests.factories import ArticleFactory, ClaimFactory

    article = ArticleFactory()
    now = timezone.localtime()
    since, past = now - timedelta(days=30), (now - timedelta(days=3))

    def add(n: int, when=None):
        ids = [ClaimFactory(article=article, position=Claim.objects.count()).pk for _ in range(n)]
        if when is not None:
            Claim.objects.filter(pk__in=ids).update(created_at=when)

    add(2)
    add(1, past)
    assert daily_counts(Claim.objects.all(), since=since) == {now.date(): 2, past.date(): 1}

    add(1)  # today: counted on the next call
    add(1, past)  # a finished day: the cached count stands until it expires
    assert daily_counts(Claim.objects.all(), since=since) == {now.date(): 3, past.date(): 1}
    add(1, now - timedelta(days=31))  # before the window: never counted
    cache.clear()
    assert daily_counts(Claim.objects.all(), since=since) == {now.date(): 3, past.date(): 2}


def test_chart_numbers_are_what_the_template_showed():
    """chart_html.Numbers stands for {{ number }} (formats.localize) in the charts."""
    from django.utils.formats import localize

    from claims.views.chart_html import Numbers

    num = Numbers()
    values = [0, 7, 1234567, 0.0, 15.4, 183.70000000000002, 2.5e-07, 1e20, -3.2, 540.0]
    assert [num(v) for v in values] == [str(localize(v)) for v in values]
