"""Small template helpers for the dashboard's pages."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils.timesince import timesince

from claims.models import ClaimStatus, ConfidenceLevel

register = template.Library()


@register.filter
def level_label(level: str) -> str:
    return ConfidenceLevel(level).label if level in ConfidenceLevel.values else "Not scored yet"


@register.filter
def status_label(status: str) -> str:
    return ClaimStatus(status).label if status in ClaimStatus.values else status


def _who(value) -> str:
    return value if value else "nobody"


@register.filter
def event_summary(event: dict) -> str:
    """One line of a claim's timeline (claims.selectors.claim_history) in words."""
    kind = event["kind"]
    if kind == "status":
        return f"Status: {status_label(event['from'])} \u2192 {status_label(event['to'])}"
    changes = event.get("changes") or {}
    if kind == "assigned":
        before, after = changes.get("assignee", [None, None])
        return f"Assigned: {_who(before)} \u2192 {_who(after)}"
    if kind == "notes":
        return "Notes edited"
    if kind == "evidence":
        return f"Evidence added: {changes.get('url', [None, ''])[1]}"
    if kind == "corrected":
        fields = ", ".join(sorted(changes)) or "no field"
        return f"Analysis corrected ({fields.replace('_', ' ')})"
    if kind == "added":
        return "Claim added by people"
    return kind.replace("_", " ").capitalize()


@register.filter
def percent(score) -> str:
    return "" if score is None else f"{round(score * 100)}%"


@register.simple_tag
def claim_count(n: int, estimated: bool = False) -> str:
    """A number of claims; an estimate (claims.selectors.claim_counts above
    settings.COUNT_EXACT_LIMIT) is rounded and says so: "about 1.2 million"."""
    if not estimated:
        return f"{n:,}"
    for size, word in ((1_000_000_000, "billion"), (1_000_000, "million"), (1_000, "thousand")):
        if n >= size:
            return f"about {n / size:.1f} {word}".replace(".0 ", " ")
    return f"about {n:,}"


@register.filter
def ago(when, now) -> str:
    """ "3 minutes ago", or "just now" under a minute (timesince says "0 minutes")."""
    if when is None:
        return ""
    if now - when < timedelta(minutes=1):
        return "just now"
    return f"{timesince(when, now)} ago"
