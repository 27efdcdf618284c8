"""The overview's charts and their tables as HTML, built in Python with format_html.

As templates (an include per chart, a tag per rectangle, label and cell) the
overview was some 1,300 variable nodes and filters, more than half of its
request at a million claims. Here each chart is one pass over the geometry of
claims/views/charts.py, every value escaped (queue_rows.format_html), with what
repeats looked up once: a day's three dates serve both daily charts, the
article link is reversed once. The markup is the templates', whitespace aside.
"""

from __future__ import annotations

from datetime import date

from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.formats import localize
from django.utils.safestring import SafeString

from .queue_rows import format_html, format_html_join


class Numbers:
    """{{ number }} as a template shows it (formats.localize), without the ~10 µs
    localize costs per number: where this request's locale writes numbers as
    Python does (no thousand separator, a decimal point), str() is the same."""

    def __init__(self):
        self.plain = localize(1234) == "1234" and localize(1234.5) == "1234.5"

    def __call__(self, value) -> str:
        text = str(value)
        if self.plain and "e" not in text:  # localize() writes 1e+20 out in full
            return text
        return str(localize(value))


class Days:
    """The date filter's three forms of a day, each computed once a request."""

    def __init__(self):
        self._seen: dict[date, tuple[str, str, str]] = {}

    def __call__(self, day: date) -> tuple[str, str, str]:
        if day not in self._seen:
            self._seen[day] = tuple(date_filter(day, f) for f in ("Y-m-d", "D j M", "j M"))
        return self._seen[day]


def hbars(chart: dict, chart_id: str, summary: str, num: Numbers | None = None) -> SafeString:
    """Horizontal bars (charts.hbars)."""
    num = num or Numbers()
    title = format_html_join(", ", "{} {}", ((b["label"], num(b["value"])) for b in chart["bars"]))
    bars = format_html_join(
        "\n",
        '<g>\n<text x="{}" y="{}" text-anchor="end" class="chart-label">{}</text>\n'
        '<rect x="{}" y="{}" width="{}" height="{}" class="bar bar-{}"></rect>\n'
        '<text x="{}" y="{}" class="chart-value">{}</text>\n</g>',
        (
            (
                num(chart["label_x"]), num(b["text_y"]), b["label"],
                num(chart["label_w"]), num(b["y"]), num(b["w"]), num(chart["bar_h"]), b["key"],
                num(b["value_x"]), num(b["text_y"]), num(b["value"]),
            )
            for b in chart["bars"]
        ),
    )  # fmt: skip
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title"'
        ' preserveAspectRatio="xMinYMin meet">\n<title id="{}-title">{}: {}</title>\n{}\n</svg>',
        num(chart["width"]), num(chart["height"]), chart_id, chart_id, summary, title, bars,
    )  # fmt: skip


def columns(
    chart: dict, chart_id: str, summary: str, days: Days, num: Numbers | None = None
) -> SafeString:
    """One bar per day (charts.columns)."""
    num = num or Numbers()
    bars = []
    for b in chart["bars"]:
        short = days(b["day"])[2]
        bars.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" class="bar bar-day">'
                "<title>{}: {}</title></rect>",
                num(b["x"]),
                num(b["y"]),
                num(b["w"]),
                num(b["h"]),
                short,
                num(b["value"]),
            )  # fmt: skip
        )
        if b["tick"]:
            bars.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="{}" class="chart-tick">{}</text>',
                    num(b["tick_x"]),
                    num(chart["label_y"]),
                    b["tick_anchor"],
                    short,
                )  # fmt: skip
            )
    left, base_y = num(chart["left"] - 4), num(chart["base_y"])
    biggest = chart["biggest"] and format_html(
        '<text x="{}" y="{}" text-anchor="end" class="chart-value">{}</text>',
        left, num(chart["top_y"] + 8), num(chart["biggest"]),
    )  # fmt: skip
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title"'
        ' preserveAspectRatio="xMinYMin meet">\n'
        '<title id="{}-title">{}: {} in {} days, at most {} a day.'
        " The table below gives each day.</title>\n"
        '<line x1="{}" y1="{}" x2="{}" y2="{}" class="axis"></line>\n{}\n'
        '<text x="{}" y="{}" text-anchor="end" class="chart-value">0</text>\n{}\n</svg>',
        num(chart["width"]), num(chart["height"]), chart_id,
        chart_id, summary, num(chart["total"]), num(len(chart["bars"])), num(chart["biggest"]),
        num(chart["left"]), base_y, num(chart["right"]), base_y, biggest or "",
        left, base_y, SafeString("\n".join(bars)),
    )  # fmt: skip


def day_rows(chart: dict, days: Days, num: Numbers | None = None) -> SafeString:
    """The rows of a daily chart's table: the day and its number."""
    num = num or Numbers()
    return format_html_join(
        "",
        '<tr><th scope="row"><time datetime="{}">{}</time></th><td>{}</td></tr>',
        ((*days(b["day"])[:2], num(b["value"])) for b in chart["bars"]),
    )


def stacked(chart: dict, num: Numbers | None = None) -> SafeString:
    """One bar per article, split by confidence level (charts.stacked): the <g>s."""
    num = num or Numbers()
    label_x, bar_h = num(chart["label_x"]), num(chart["bar_h"])
    rows = []
    for row in chart["rows"]:
        y, text_y = num(row["y"]), num(row["text_y"])
        segments = format_html_join(
            "",
            '<rect x="{}" y="{}" width="{}" height="{}" class="bar bar-{}">'
            "<title>{}</title></rect>",
            (
                (num(s["x"]), y, num(s["w"]), bar_h, s["key"], num(s["value"]))
                for s in row["segments"]
            ),
        )
        rows.append(
            format_html(
                '<g>\n<text x="{}" y="{}" text-anchor="end" class="chart-label">{}</text>\n{}\n'
                '<text x="{}" y="{}" class="chart-value">{}</text>\n</g>',
                label_x,
                text_y,
                row["label"],
                segments,
                num(row["total_x"]),
                text_y,
                num(row["total"]),
            )  # fmt: skip
        )
    return SafeString("\n".join(rows))


def level_rows(items: list[tuple], param: str, num: Numbers | None = None) -> SafeString:
    """The rows of a count table: each label a link to the queue filtered on it.
    The counts are of every claim, so the link opens the All tab (the queue's
    default, Open, showed fewer than the number beside it)."""
    num = num or Numbers()
    queue = reverse("dashboard:queue")
    return format_html_join(
        "",
        '<tr><th scope="row"><a href="{}?view=all&amp;{}={}">{}</a></th><td>{}</td></tr>',
        ((queue, param, key, label, num(n)) for key, label, n in items),
    )


def article_rows(rows: list[dict], states: dict, num: Numbers | None = None) -> SafeString:
    """The per-article table's rows (overview._per_article): title, claims per
    level, open claims, the analysis' state (``states``: its labels by value)."""
    num = num or Numbers()
    marker = "987654321987654321"  # stands for the article's id in the reversed path
    path = reverse("dashboard:article", args=[int(marker)])
    html = []
    for row in rows:
        article = row["article"]
        html.append(
            format_html(
                '<tr>\n<th scope="row"><a href="{}">{}</a></th>\n{}\n<td>{}</td>\n<td>{}</td>\n'
                "</tr>",
                path.replace(marker, str(article.pk)),
                article.title or "Untitled article",
                format_html_join("", "<td>{}</td>", ((num(n),) for _, n in row["levels"])),
                num(article.n_open),
                states.get(article.state, article.state),
            )  # fmt: skip
        )
    return SafeString("\n".join(html))
