"""Geometry for the overview's SVG charts, drawn by templates/claims/_chart_*.html.

No chart library: a few bars are a few rectangles. Colours come from CSS classes
(``bar-<key>``), so the stylesheet keeps them in one place, and every chart is
shown with a table of the same numbers next to it.
"""

from __future__ import annotations

from datetime import date, timedelta

LABEL_W = 150  # room for the category names, left of the bars
VALUE_W = 50  # room for the number, right of the longest bar
BAR_H, GAP = 22, 8


def _scale(value: int, biggest: int, room: int) -> float:
    return round(room * value / biggest, 1) if biggest else 0.0


def hbars(items: list[tuple[str, str, int]], width: int = 560) -> dict:
    """Horizontal bars: ``items`` are (key, label, value)."""
    room = width - LABEL_W - VALUE_W
    biggest = max((v for _, _, v in items), default=0)
    bars = []
    for i, (key, label, value) in enumerate(items):
        y = i * (BAR_H + GAP)
        w = _scale(value, biggest, room)
        bars.append(
            {
                "key": key,
                "label": label,
                "value": value,
                "y": y,
                "w": w,
                "text_y": y + BAR_H * 0.7,
                "value_x": LABEL_W + w + 6,
            }
        )
    return {
        "width": width,
        "height": max(len(items) * (BAR_H + GAP) - GAP, BAR_H),
        "label_w": LABEL_W,
        "label_x": LABEL_W - 8,
        "bar_h": BAR_H,
        "bars": bars,
    }


def stacked(
    rows: list[tuple[str, list[tuple[str, int]]]], width: int = 560, label_w: int = 200
) -> dict:
    """One horizontal bar per row, split into segments: rows are (label, [(key, n)])."""
    room = width - label_w - VALUE_W
    biggest = max((sum(n for _, n in parts) for _, parts in rows), default=0)
    out = []
    for i, (label, parts) in enumerate(rows):
        y, x = i * (BAR_H + GAP), float(label_w)
        segments = []
        for key, n in parts:
            w = _scale(n, biggest, room)
            if w:
                segments.append({"key": key, "x": x, "w": w, "value": n})
            x += w
        total = sum(n for _, n in parts)
        out.append(
            {
                "label": label,
                "y": y,
                "text_y": y + BAR_H * 0.7,
                "segments": segments,
                "total": total,
                "total_x": x + 6,
            }
        )
    return {
        "width": width,
        "height": max(len(rows) * (BAR_H + GAP) - GAP, BAR_H),
        "label_x": label_w - 8,
        "bar_h": BAR_H,
        "rows": out,
    }


def days(counts: dict[date, int], last: date, n: int = 30) -> list[tuple[date, int]]:
    """The ``n`` days up to ``last``, each with its count (0 when none)."""
    first = last - timedelta(days=n - 1)
    return [(first + timedelta(days=i), counts.get(first + timedelta(days=i), 0)) for i in range(n)]


def columns(series: list[tuple[date, int]], width: int = 560, height: int = 160) -> dict:
    """Vertical bars, one per day, with a date under every seventh."""
    left, bottom, top = 36, 22, 10
    room_w, room_h = width - left - 4, height - bottom - top
    biggest = max((v for _, v in series), default=0)
    step = room_w / max(len(series), 1)
    bars = []
    last = len(series) - 1
    for i, (day, value) in enumerate(series):
        h = _scale(value, biggest, room_h)
        bars.append(
            {
                "x": round(left + i * step + 1, 1),
                "w": round(max(step - 2, 1), 1),
                "y": round(top + room_h - h, 1),
                "h": h,
                "day": day,
                "value": value,
                # Every seventh day and the last, unless the two would collide.
                "tick": i == last or (i % 7 == 0 and last - i >= 4),
                # The last date ends at the right edge rather than run past it.
                "tick_x": width - 2 if i == last else round(left + i * step + step / 2, 1),
                "tick_anchor": "end" if i == last else "middle",
            }
        )
    return {
        "width": width,
        "height": height,
        "left": left,
        "base_y": top + room_h,
        "top_y": top,
        "label_y": height - 6,
        "biggest": biggest,
        "right": width - 4,
        "bars": bars,
        "total": sum(v for _, v in series),
    }
