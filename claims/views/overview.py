"""The overview: the desk at a glance, as SVG charts with the numbers in tables."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from claims.models import Article, Claim, ClaimStatus, StatusChange
from claims.selectors import LEVEL_ORDER, article_list, claim_counts, daily_counts

from . import chart_html, charts
from ._common import reader
from .queue_rows import choice_labels

DAYS = 30
ARTICLES = 15
# The charts' titles (each chart's <title> starts with its own).
LEVELS, STATUSES = "Claims per confidence level", "Claims per status"
CREATED, CHANGES = "Claims found per day", "Status changes per day"


def _per_article() -> list[dict]:
    """The latest articles with their claims per confidence level. The articles
    come first (15 rows off the article_created index), then their claims'
    counts: nothing joins every claim before the 15 are kept."""
    articles = list(article_list().order_by("-created_at")[:ARTICLES])
    counts = (
        Claim.objects.filter(article__in=[a.pk for a in articles])
        .values_list("article_id", "confidence_level")
        .annotate(n=Count("id"))
        .order_by()
    )
    table = {a.pk: {} for a in articles}
    for article_id, level, n in counts:
        table[article_id][level] = n
    return [
        {
            "article": a,
            "levels": [(level, table[a.pk].get(level, 0)) for level in LEVEL_ORDER],
        }
        for a in articles
    ]


def _short(title: str, limit: int = 26) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "\u2026"


def _charts(levels, statuses, created, changes, articles) -> dict:
    """The charts and the tables' rows as HTML (chart_html): as template tags
    they were most of the page's time."""
    num, day = chart_html.Numbers(), chart_html.Days()
    stacked_rows = [
        (_short(row["article"].title or f"Article {row['article'].pk}"), row["levels"])
        for row in articles
    ]
    article_chart = charts.stacked(stacked_rows)
    created_chart, changes_chart = charts.columns(created), charts.columns(changes)
    return {
        "level_svg": chart_html.hbars(charts.hbars(levels), "levels", LEVELS, num),
        "level_rows": chart_html.level_rows(levels, "confidence_level", num),
        "status_svg": chart_html.hbars(charts.hbars(statuses), "statuses", STATUSES, num),
        "status_rows": chart_html.level_rows(statuses, "status", num),
        "article_chart": article_chart,
        "article_bars": chart_html.stacked(article_chart, num),
        "article_rows": chart_html.article_rows(articles, choice_labels(Article, "state"), num),
        "created_svg": chart_html.columns(created_chart, "created", CREATED, day, num),
        "created_rows": chart_html.day_rows(created_chart, day, num),
        "changes_svg": chart_html.columns(changes_chart, "changes", CHANGES, day, num),
        "changes_rows": chart_html.day_rows(changes_chart, day, num),
    }


@reader
def overview(request):
    counts = claim_counts()
    levels = [(lv.value, lv.label, counts["level"].get(lv, 0)) for lv in LEVEL_ORDER]
    statuses = [(s.value, s.label, counts["status"].get(s, 0)) for s in ClaimStatus]
    today = timezone.localdate()
    since = timezone.now() - timedelta(days=DAYS)
    created = charts.days(daily_counts(Claim.objects.all(), since=since), today, DAYS)
    changes = charts.days(daily_counts(StatusChange.objects.all(), since=since), today, DAYS)
    articles = _per_article()
    context = {
        "total": sum(counts["status"].values()),
        "estimated": counts["estimated"],
        "articles": articles,
        "level_names": [(lv.value, lv.label) for lv in LEVEL_ORDER],
        "days": DAYS,
        **_charts(levels, statuses, created, changes, articles),
    }
    return render(request, "claims/overview.html", context)
