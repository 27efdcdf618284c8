"""The highlighted article text, built from offsets (claims.templatetags.highlight)."""

import re

import pytest

from claims.templatetags.highlight import Mark, claim_pieces, highlight


def span(start, end, kind="source", cls=None):
    return Mark(start, end, kind, attrs=(("class", cls or kind),))


def strip_tags(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_offsets_are_exact():
    text = "Residents said as many as 40 homes had flooded."
    html = highlight(text, [span(0, 9), span(15, 25, "hedge")])
    assert html == (
        '<span class="source">Residents</span> said '
        '<span class="hedge">as many as</span> 40 homes had flooded.'
    )


def test_no_marks_is_the_escaped_text():
    assert highlight("a < b & c", []) == "a &lt; b &amp; c"


def test_every_piece_is_escaped():
    text = "<script>alert(1)</script> and <img src=x onerror=alert(1)>"
    html = highlight(text, [span(0, 8), span(30, len(text), "hedge")])
    assert "<script>" not in html and "<img" not in html
    assert html.startswith('<span class="source">&lt;script&gt;</span>alert(1)')
    assert html.endswith('<span class="hedge">&lt;img src=x onerror=alert(1)&gt;</span>')


def test_attribute_values_are_escaped():
    mark = Mark(0, 1, "claim", "a", (("href", '/x?a=1&b="2"'), ("title", "<b>")))
    assert highlight("x", [mark]) == (
        '<a href="/x?a=1&amp;b=&quot;2&quot;" title="&lt;b&gt;">x</a>'
    )


def test_nested_spans_nest():
    text = "0123456789"
    html = highlight(text, [span(2, 8, "claim"), span(4, 6, "hedge")])
    assert html == '01<span class="claim">23<span class="hedge">45</span>67</span>89'


def test_crossing_spans_are_split_and_stay_nested():
    text = "0123456789"
    # claim 2..6 and hedge 4..8 cross: the hedge is closed at 6 and opened again.
    html = highlight(text, [span(2, 6, "claim"), span(4, 8, "hedge")])
    assert html == (
        '01<span class="claim">23<span class="hedge">45</span></span>'
        '<span class="hedge cont">67</span>89'
    )
    assert strip_tags(html) == text


def test_same_span_claim_outside_hedge_inside():
    html = highlight("abc", [span(0, 3, "hedge"), span(0, 3, "claim")])
    assert html == '<span class="claim"><span class="hedge">abc</span></span>'


def test_lo_hi_clip_and_offsets_stay_absolute():
    text = "HEADER\n\nBody with a claim."
    start = text.index("claim")
    html = highlight(text, [span(0, 3), span(start, start + 5, "claim")], lo=8)
    assert html == 'Body with a <span class="claim">claim</span>.'


def test_continued_links_leave_the_tab_order():
    text = "0123456789"
    claim = Mark(2, 6, "claim", "a", (("href", "/c/1/"), ("class", "claim")), (("id", "c1"),))
    html = highlight(text, [claim, span(0, 4, "source")])
    # The source 0..4 opens first (starts earlier); the claim inside it is split at 4.
    assert html == (
        '<span class="source">01<a href="/c/1/" class="claim" id="c1">23</a></span>'
        '<a href="/c/1/" class="claim cont" tabindex="-1">45</a>6789'
    )


class C:
    def __init__(self, pk, start, end):
        self.pk, self.start, self.end = pk, start, end


def test_overlapping_claims_never_nest_links():
    outer, inner, crossing = C(1, 0, 20), C(2, 5, 10), C(3, 15, 30)
    pieces = [(s, e, c.pk, o) for s, e, c, o in claim_pieces([outer, inner, crossing])]
    assert pieces == [
        (0, 5, 1, False),
        (5, 10, 2, True),
        (10, 15, 1, False),
        (15, 20, 3, True),
        (20, 30, 3, False),
    ]
    covered = [(s, e) for s, e, _, _ in pieces]
    assert all(a[1] <= b[0] for a, b in zip(covered, covered[1:], strict=False))


@pytest.mark.django_db
def test_article_marks_for_overlapping_claims(claim):
    from claims.templatetags.highlight import article_text
    from tests.factories import ClaimFactory

    article = claim.article
    # A second claim over the whole sentence, overlapping the first.
    ClaimFactory(
        article=article,
        start=claim.sentence_start,
        end=claim.end,
        sentence_start=claim.sentence_start,
        sentence_end=claim.sentence_end,
        confidence_level="medium",
    )
    claims = list(article.claims.prefetch_related("hedges").order_by("start"))
    html = str(article_text(article, claims))
    assert strip_tags(html) == article.raw_text
    assert "<a" in html and "claim-overlap" in html
    # No link inside a link.
    depth = 0
    for tag in re.findall(r"</?a\b", html):
        depth += 1 if tag == "<a" else -1
        assert depth in (0, 1)
    assert f'id="claim-{claim.pk}"' in html
    assert 'class="hedge hedge-approximator"' in html and 'class="source"' in html
