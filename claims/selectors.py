"""Reads: querysets for the dashboard, the API and the admin, free of N+1.

Everything a page or an endpoint shows about a claim comes through here with
its related rows fetched up front, so a list costs the same number of queries
whatever its length.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from claims.models import Article, Claim, ClaimChange, ConfidenceLevel, Evidence, StatusChange

LEVEL_ORDER = [
    ConfidenceLevel.VERY_LOW,
    ConfidenceLevel.LOW,
    ConfidenceLevel.MEDIUM,
    ConfidenceLevel.HIGH,
]


def claim_queryset() -> QuerySet[Claim]:
    """Claims with what a list row shows: article, assignee, hedge cues."""
    return Claim.objects.select_related("article", "assignee").prefetch_related("hedges")


def claim_list(*, filters: dict | None = None, user=None) -> QuerySet[Claim]:
    """Claims for a list, filtered with claims.filters.ClaimFilter's fields.

    Every role may read every claim (Viewer reads everything), so ``user`` only
    resolves ``assignee=me``.
    """
    from claims.filters import ClaimFilter

    qs = claim_queryset()
    if filters:
        fs = ClaimFilter(filters, queryset=qs, request=_Request(user))
        if fs.is_valid():
            return fs.qs
        return qs.none()
    return qs


class _Request:
    """The bit of a request ClaimFilter reads (who "me" is) for non-HTTP callers."""

    def __init__(self, user):
        self.user = user


def claim_detail(*, pk: int) -> Claim:
    """One claim with its hedges, evidence and full history."""
    return (
        Claim.objects.select_related("article", "assignee", "updated_by")
        .prefetch_related(
            "hedges",
            Prefetch("evidence", queryset=Evidence.objects.select_related("added_by")),
            Prefetch("status_changes", queryset=StatusChange.objects.select_related("user")),
            Prefetch("changes", queryset=ClaimChange.objects.select_related("user")),
        )
        .get(pk=pk)
    )


def claim_history(*, claim: Claim) -> list[dict]:
    """Status changes and other changes of a claim as one timeline, oldest first."""
    events = [
        {
            "at": c.created_at,
            "user": c.user,
            "kind": "status",
            "from": c.from_status,
            "to": c.to_status,
            "note": c.note,
        }
        for c in claim.status_changes.all()
    ] + [
        {"at": c.created_at, "user": c.user, "kind": c.action, "changes": c.changes, "note": c.note}
        for c in claim.changes.all()
    ]
    return sorted(events, key=lambda e: e["at"])


def article_list() -> QuerySet[Article]:
    return Article.objects.defer("raw_text", "analysis_data").annotate(
        n_claims=Count("claims", distinct=True),
        n_open=Count(
            "claims", filter=Q(claims__status__in=["unstarted", "in_progress"]), distinct=True
        ),
    )


def article_detail(*, pk: int) -> Article:
    return Article.objects.prefetch_related(
        Prefetch("claims", queryset=claim_queryset().order_by("position"))
    ).get(pk=pk)


def claim_counts(*, qs: QuerySet[Claim] | None = None) -> dict:
    """Counts per confidence level and per status (for the queue's headers and
    the overview)."""
    qs = Claim.objects.all() if qs is None else qs
    by_level = dict(qs.order_by().values_list("confidence_level").annotate(n=Count("id")))
    by_status = dict(qs.order_by().values_list("status").annotate(n=Count("id")))
    return {"level": by_level, "status": by_status}
