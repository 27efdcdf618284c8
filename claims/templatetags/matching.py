"""The claim page's matches partial (templates/claims/_claim_matches.html): its data
comes from the selectors here, so the page's view does not need to know about it."""

from __future__ import annotations

from django import template

from claims.selectors import claim_matches, claim_suggested_verdicts

register = template.Library()


def _marked(text: str, spans: list[dict], start: str, end: str) -> list[tuple[str, bool]]:
    """The text cut into (piece, shared) pieces, so the template marks the shared
    words with <mark> and escapes every piece."""
    pieces, at = [], 0
    for s in sorted(spans, key=lambda s: s[start]):
        a, b = max(s[start], at), min(s[end], len(text))
        if a >= b:
            continue
        pieces += [(text[at:a], False), (text[a:b], True)]
        at = b
    pieces.append((text[at:], False))
    return [p for p in pieces if p[0]]


@register.simple_tag
def claim_match_data(claim) -> dict:
    """The claim's matches (each with its other text cut for marking) and the
    verdicts of its cluster suggested to it."""
    rows = []
    for view in claim_matches(claim=claim):
        other_text = view.other_claim.text if view.other_claim else view.factcheck.claim_text
        rows.append(
            {
                "view": view,
                "match": view.match,
                "pieces": _marked(other_text, view.spans, "other_start", "other_end"),
            }
        )
    return {"matches": rows, "suggested": claim_suggested_verdicts(claim=claim)}
