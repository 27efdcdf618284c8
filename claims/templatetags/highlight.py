"""Article text with its claims, sources and hedge cues marked in place.

The HTML is built here from character offsets, never by pasting markup into the
text: every piece of text is escaped, and only our own tags with our own
attributes are added around it.

Spans may overlap (a hedge cue that starts inside a claim and ends after it, a
source inside another claim's sentence). Tags must nest, so where a span closes
while a span opened after it is still open, the inner one is closed and opened
again right after: the text is split at every boundary where that is needed,
and nowhere else.

Claims themselves become links, and a link cannot contain another link: where
claims overlap, the shortest (innermost) claim owns the text and the piece is
marked ``claim-overlap``.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from claims.models import VERDICTS, ClaimStatus, ConfidenceLevel, HedgeCategory, SourceType

register = template.Library()

# Which of two spans with the same start and end is the outer tag.
KIND_ORDER = {"correction": -1, "claim": 0, "source": 1, "hedge": 2}


@dataclass(frozen=True)
class Mark:
    """One span to mark: ``text[start:end]`` wrapped in ``<tag attrs>``."""

    start: int
    end: int
    kind: str  # "claim", "source" or "hedge"
    tag: str = "span"
    attrs: tuple[tuple[str, str], ...] = ()
    # Only on the first piece of a span split in several: an id, a tab stop.
    first_attrs: tuple[tuple[str, str], ...] = field(default=(), compare=False)


def _open(mark: Mark, first: bool) -> str:
    attrs = list(mark.attrs)
    if first:
        attrs += list(mark.first_attrs)
    else:
        # A continuation of a span already opened: the reader has met it once.
        attrs = [(k, f"{v} cont" if k == "class" else v) for k, v in attrs]
        if mark.tag == "a":
            attrs.append(("tabindex", "-1"))
    rendered = format_html_join("", ' {}="{}"', attrs)
    return f"<{mark.tag}{rendered}>"


def highlight(text: str, marks: Iterable[Mark], lo: int = 0, hi: int | None = None) -> SafeString:
    """``text[lo:hi]`` as HTML with every mark wrapped around its span.

    Offsets are into ``text``; marks are clipped to ``[lo, hi)`` and empty ones
    dropped. Returns safe HTML: each text piece is escaped."""
    hi = len(text) if hi is None else min(hi, len(text))
    clipped = []
    for m in marks:
        start, end = max(m.start, lo), min(m.end, hi)
        if start < end:
            clipped.append(Mark(start, end, m.kind, m.tag, m.attrs, m.first_attrs))
    starting: dict[int, list[Mark]] = defaultdict(list)
    for m in clipped:
        starting[m.start].append(m)
    for group in starting.values():
        group.sort(key=lambda m: (-m.end, KIND_ORDER.get(m.kind, 9)))  # outermost first
    bounds = sorted({lo, hi} | {m.start for m in clipped} | {m.end for m in clipped})

    out: list[str] = []
    stack: list[Mark] = []
    for pos, nxt in zip(bounds, [*bounds[1:], None], strict=True):
        _close_ending(stack, pos, out)
        for m in starting.get(pos, ()):
            out.append(_open(m, first=True))
            stack.append(m)
        if nxt is not None:
            out.append(escape(text[pos:nxt]))
    return mark_safe("".join(out))  # noqa: S308  # nosec  # each piece escaped above


def _close_ending(stack: list[Mark], pos: int, out: list[str]) -> None:
    """Close the marks that end at ``pos``; marks opened inside them that go on
    are closed too and opened again, so the tags stay properly nested."""
    if not any(m.end == pos for m in stack):
        return
    reopen = []
    while any(m.end == pos for m in stack):
        m = stack.pop()
        out.append(f"</{m.tag}>")
        if m.end != pos:
            reopen.append(m)
    for m in reversed(reopen):
        out.append(_open(m, first=False))
        stack.append(m)


# --- The marks of an article's claims ------------------------------------------------


def claim_pieces(claims) -> list[tuple[int, int, object, bool]]:
    """Claims as disjoint pieces ``(start, end, claim, overlapped)``: where claims
    overlap, the shortest one owns the text (links cannot nest).

    One sweep over the boundaries with a heap of the open claims (shortest on
    top, the ones already ended dropped when they surface): O(n log n). The
    previous scan of every claim at every boundary was quadratic, and a 2,000-claim
    article's page never finished."""
    claims = list(claims)
    by_start = sorted(range(len(claims)), key=lambda i: claims[i].start)
    bounds = sorted({c.start for c in claims} | {c.end for c in claims})
    heap: list[tuple] = []
    ends: dict[int, int] = defaultdict(int)  # how many open claims end at an offset
    open_count = 0
    nxt = 0
    pieces: list[list] = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        open_count -= ends.pop(a, 0)
        while nxt < len(by_start) and claims[by_start[nxt]].start <= a:
            c = claims[by_start[nxt]]
            heapq.heappush(heap, (c.end - c.start, -c.start, c.pk or 0, by_start[nxt]))
            ends[c.end] += 1
            open_count += 1
            nxt += 1
        while heap and claims[heap[0][3]].end <= a:
            heapq.heappop(heap)
        if not heap:
            continue
        owner = claims[heap[0][3]]
        overlapped = open_count > 1
        if pieces and pieces[-1][1] == a and pieces[-1][2] is owner and pieces[-1][3] == overlapped:
            pieces[-1][1] = b
        else:
            pieces.append([a, b, owner, overlapped])
    return [tuple(p) for p in pieces]


def _claim_title(claim) -> str:
    level = ConfidenceLevel(claim.confidence_level).label if claim.confidence_level else "Unscored"
    return f"{level} confidence; {claim_state(claim.status).lower()}: open this claim"


@register.filter
def claim_state(status: str) -> str:
    """A claim's status in words, verdicts named as such: "Verdict: false"."""
    label = ClaimStatus(status).label
    return f"Verdict: {label.lower()}" if status in VERDICTS else f"Status: {label.lower()}"


def article_marks(article, claims, *, panel: bool = True) -> list[Mark]:
    """Marks for the claims (links), their sources and their hedge cues."""
    marks: list[Mark] = []
    seen_first: set[int] = set()
    for start, end, claim, overlapped in claim_pieces(claims):
        href = reverse("dashboard:claim", args=[claim.pk])
        level = claim.confidence_level or "none"
        attrs = [
            ("href", href),
            (
                "class",
                f"claim lvl-{level} st-{claim.status}" + (" claim-overlap" if overlapped else ""),
            ),
            ("title", _claim_title(claim)),
            ("data-claim", str(claim.pk)),
        ]
        # Shown after the claim in words (dashboard.css), not by colour alone:
        # anything but unstarted, which is every claim's starting point.
        if claim.status != ClaimStatus.UNSTARTED:
            attrs.append(("data-state", claim_state(claim.status)))
        if panel:
            page = reverse("dashboard:article", args=[article.pk])
            attrs += [
                ("hx-get", reverse("dashboard:claim-panel", args=[claim.pk])),
                ("hx-target", "#claim-panel"),
                # Explicit: the text region around it swaps outerHTML, and htmx
                # attributes are inherited.
                ("hx-swap", "innerHTML"),
                ("hx-push-url", f"{page}?claim={claim.pk}"),
            ]
        first = () if claim.pk in seen_first else (("id", f"claim-{claim.pk}"),)
        seen_first.add(claim.pk)
        marks.append(Mark(start, end, "claim", "a", tuple(attrs), first))
    return marks + cue_marks(claims)


def cue_marks(claims) -> list[Mark]:
    """Source spans and hedge cues of these claims, each span once."""
    marks: dict[tuple, Mark] = {}
    for claim in claims:
        if claim.source_start is not None and claim.source_end is not None:
            label = SourceType(claim.source_type).label
            key = ("source", claim.source_start, claim.source_end)
            marks.setdefault(
                key,
                Mark(
                    claim.source_start,
                    claim.source_end,
                    "source",
                    attrs=(("class", "source"), ("title", f"Source ({label.lower()})")),
                ),
            )
        for h in claim.hedges.all():
            label = HedgeCategory(h.category).label
            key = ("hedge", h.start, h.end)
            marks.setdefault(
                key,
                Mark(
                    h.start,
                    h.end,
                    "hedge",
                    attrs=(
                        ("class", f"hedge hedge-{h.category}"),
                        ("title", f"Hedge: {label.lower()}"),
                    ),
                ),
            )
    return list(marks.values())


@register.simple_tag
def article_text(article, claims, lo: int | None = None, hi: int | None = None) -> SafeString:
    """The article's body (or its part ``[lo, hi)``) with these claims, their
    sources and their hedge cues marked."""
    lo = article.body_offset if lo is None else max(lo, article.body_offset)
    marks = article_marks(article, claims) + correction_marks(article)
    return highlight(article.raw_text, marks, lo=lo, hi=hi)


def correction_marks(article) -> list[Mark]:
    """The correction notices the analysis found in the article's text."""
    return [
        Mark(
            c["start"],
            c["end"],
            "correction",
            "mark",
            (("class", "correction"), ("title", "Correction notice")),
            (("data-label", "Correction notice"),),
        )
        for c in article.corrections or []
        if isinstance(c, dict) and isinstance(c.get("start"), int) and isinstance(c.get("end"), int)
    ]


@register.simple_tag
def claim_sentence(claim) -> SafeString:
    """The claim's sentence with the claim, its source and its hedge cues marked."""
    if claim.text_version != claim.article.version:
        # Its offsets are into an earlier version's text (a version removed it).
        return format_html('<mark class="claim removed">{}</mark>', claim.text)
    # Only the sentence: a source named sentences earlier is shown in words instead.
    marks = [
        Mark(
            claim.start,
            claim.end,
            "claim",
            "mark",
            (("class", f"claim lvl-{claim.confidence_level or 'none'}"),),
        ),
        *cue_marks([claim]),
    ]
    return highlight(claim.article.raw_text, marks, lo=claim.sentence_start, hi=claim.sentence_end)
