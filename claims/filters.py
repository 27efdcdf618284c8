"""The claim filters, one FilterSet for the API and the dashboard alike."""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q

from claims.models import (
    Article,
    Claim,
    ClaimKind,
    ClaimStatus,
    ConfidenceLevel,
    HedgeCategory,
    SourceType,
    Strength,
)

# The text search dictionary of Claim.search_vector (see migration 0010).
SEARCH_CONFIG = "english"


class AssigneeFilter(django_filters.CharFilter):
    """A username, a user id, "me", or "none" for unassigned claims."""

    def filter(self, qs, value):
        if not value:
            return qs
        if value == "none":
            return qs.filter(assignee__isnull=True)
        if value == "me":
            user = getattr(self.parent.request, "user", None)
            if user is None or not user.is_authenticated:
                return qs.none()
            return qs.filter(assignee=user)
        if value.isascii() and value.isdigit():
            pk = int(value)
            return qs.filter(assignee_id=pk) if pk < 2**63 else qs.none()
        return qs.filter(assignee__username=value)


def _column_choice(choices):
    """A filter on a column of the claim itself. django-filter's default
    ``distinct=True`` made every filtered list a SELECT DISTINCT over all the
    claim's, article's and user's columns (a full sort spilled to disk at 1M
    claims instead of an index scan), though no to-many join is involved."""
    return django_filters.MultipleChoiceFilter(choices=choices, distinct=False)


class ClaimFilter(django_filters.FilterSet):
    confidence_level = _column_choice(ConfidenceLevel.choices)
    status = _column_choice(ClaimStatus.choices)
    article = django_filters.ModelChoiceFilter(queryset=Article.objects.only("pk", "title"))
    source_type = _column_choice(SourceType.choices)
    sourcing_strength = _column_choice(Strength.choices)
    # A semi-join (pk IN (SELECT claim_id ...)), never a join: no duplicate rows.
    hedge_category = django_filters.MultipleChoiceFilter(
        choices=HedgeCategory.choices, method="filter_hedge_category", distinct=False
    )
    assignee = AssigneeFilter(help_text='A username, a user id, "me" or "none".')
    kind = _column_choice(ClaimKind.choices)
    # Every claim by one source (its name as the analysis read it, exactly).
    source = django_filters.CharFilter(
        field_name="source_text", lookup_expr="exact", help_text="A source's name, exactly."
    )
    q = django_filters.CharFilter(method="search", help_text="Words in the claim or its source.")

    class Meta:
        model = Claim
        fields = [
            "confidence_level",
            "status",
            "article",
            "source_type",
            "sourcing_strength",
            "hedge_category",
            "assignee",
            "kind",
            "source",
            "q",
        ]

    def filter_hedge_category(self, qs, name, value):
        if not value:
            return qs
        from claims.models import HedgeCue

        with_cue = HedgeCue.objects.filter(category__in=value).values("claim_id")
        return qs.filter(pk__in=with_cue)

    def search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        if connection.vendor == "postgresql":
            # Full-text search on PostgreSQL (stemmed: "killing" finds "killed"), on
            # the stored document a trigger keeps (migration 0010) and its GIN index;
            # the same dictionary as the trigger's.
            from django.contrib.postgres.search import SearchQuery

            query = SearchQuery(value, search_type="websearch", config=SEARCH_CONFIG)
            return qs.filter(search_vector=query)
        # SQLite fallback: every word must appear in the claim or its source.
        for word in value.split()[:10]:
            qs = qs.filter(Q(text__icontains=word) | Q(source_text__icontains=word))
        return qs


def assignee_choices():
    return get_user_model().objects.filter(is_active=True).order_by("username")
