"""The claim filters, one FilterSet for the API and the dashboard alike."""

from __future__ import annotations

import copy
import hashlib
from datetime import timedelta

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from claims.domain import PK_MAX, as_pk
from claims.models import (
    CHANGED_SINCE_LAST_VERSION,
    Article,
    Claim,
    ClaimKind,
    ClaimStatus,
    ConfidenceLevel,
    HedgeCategory,
    Priority,
    Source,
    SourceType,
    Strength,
)

# The text search dictionary of Claim.search_vector (see migration 0010).
SEARCH_CONFIG = "english"

# The desk's to-do list: open work, and what is done with.
OPEN_STATUSES = [ClaimStatus.UNSTARTED, ClaimStatus.IN_PROGRESS]
DONE_STATUSES = [s for s in ClaimStatus if s not in OPEN_STATUSES]
# "Due soon": open claims due within this long, or overdue.
DUE_SOON = timedelta(hours=24)
# At most this many articles matched by title or publication are named to the
# claim search as a list of ids (an index condition on claim.article_id); more,
# and a subquery of them does the job (correct, less sharp for the planner).
ARTICLE_MATCH_MAX = 200
# How long a search whose words more than ARTICLE_MATCH_MAX articles hold goes
# straight to the subquery. Either form finds the same claims (the list is only
# sharper for the planner), so a kept answer is never wrong, only maybe less sharp;
# it saves the look-up that finds the list too long (2 ms for "council" at 1M).
ARTICLE_MATCH_MANY_SECONDS = 600

QUICK_VIEWS = {
    "open": "Open",
    "mine": "Mine",
    "unassigned": "Unassigned",
    "due": "Due soon",
    "done": "Done",
    "all": "All",
}


# The longest search text (the queue's box, the API's q=): longer is refused. On
# SQLite, a LIKE pattern past 50,000 bytes was an error (a 500), and no one searches
# a claim by pasting a page of it.
SEARCH_MAX = 200


def _now():
    # To the minute: the queue's cached counts are keyed on the query's SQL.
    return timezone.now().replace(second=0, microsecond=0)


TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off"}


def boolean_value(value) -> bool | None:
    """``value`` read as a yes or no (None if it is neither)."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower() if value is not None else ""
    return True if word in TRUE_VALUES else False if word in FALSE_VALUES else None


class BooleanValueField(forms.Field):
    """A yes/no filter value: 1, true, yes, on or 0, false, no, off (any case);
    empty or absent is "not given". Anything else is invalid: django-filter's
    BooleanFilter read "abc" as not given, so ?changed=abc returned every claim."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in (None, "") or isinstance(value, bool):
            return None if value == "" else value
        parsed = boolean_value(value)
        if parsed is None:
            raise ValidationError(
                "Must be 1 or 0 (or true or false), not %(value)s.",
                code="invalid",
                params={"value": str(value)[:50]},
            )
        return parsed

    def prepare_value(self, value):
        # A checkbox is ticked for a true value only ("0" and "abc" are not).
        return bool(boolean_value(value))


class BooleanValueFilter(django_filters.BooleanFilter):
    # A BooleanFilter (the schema says boolean) with the strict field.
    field_class = BooleanValueField


class WholeNumberFilter(django_filters.NumberFilter):
    """A whole number (an id, a count). django-filter's NumberFilter reads a decimal:
    ?source_id=1.5 listed source 1's claims and ?repeats_min=1.5 was taken as it
    came, where the schema says integer; a fraction is now a 400 ("Enter a whole
    number.")."""

    field_class = forms.IntegerField


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
            pk = as_pk(value)
            return qs.filter(assignee_id=pk) if pk is not None else qs.none()
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
    article = django_filters.ModelChoiceFilter(
        queryset=Article.objects.only("pk", "title"),
        # Django's "Select a valid choice. That choice is not one of the available
        # choices." did not say that no article has the id.
        error_messages={"invalid_choice": "There is no article with id %(value)s."},
    )
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
    # Every claim by one resolved source, whatever the name's spelling: what the
    # links to "every claim by this source" use (a merge moves claims, not names).
    source_id = WholeNumberFilter(
        method="filter_source_id",
        min_value=1,
        max_value=PK_MAX,
        help_text="A source's id (the sources pages): its claims under every name it has; "
        "a merged source's id lists the source it was merged into.",
    )
    priority = django_filters.TypedMultipleChoiceFilter(
        choices=Priority.choices, coerce=int, distinct=False
    )
    repeats_min = WholeNumberFilter(
        field_name="repeats",
        lookup_expr="gte",
        min_value=1,
        help_text="Claims made in at least this many articles (2: repeated anywhere else).",
    )
    view = django_filters.ChoiceFilter(
        choices=list(QUICK_VIEWS.items()),
        method="filter_view",
        help_text="open (unstarted and in progress), mine (open, assigned to me), unassigned "
        "(open), due (open, due within 24 hours or overdue), done (verdicts and dismissed), "
        "all. A status filter, if given, replaces the view's statuses; changed=1 lifts them.",
    )
    overdue = BooleanValueFilter(
        method="filter_overdue",
        help_text="1 (or true): open claims whose due date has passed; 0 (or false): the "
        "others. Any other value is a 400.",
    )
    changed = BooleanValueFilter(
        method="filter_changed",
        help_text="1 (or true): only claims their article's latest version changed or added, "
        "of every status (the view's statuses do not apply: a verdict on a changed text "
        "needs checking again). Any other value is a 400.",
    )
    q = django_filters.CharFilter(
        method="search",
        max_length=SEARCH_MAX,
        help_text="Words in the claim or its source, or in the article's title or "
        f"publication; at most {SEARCH_MAX} characters (more is a 400).",
    )

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
            "source_id",
            "priority",
            "repeats_min",
            "view",
            "overdue",
            "changed",
            "q",
        ]

    def get_form_class(self):
        # The same fields for every request (none depends on it: the article
        # filter's queryset is fixed), so the class is built once; each form
        # copies its fields (_FormFields).
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            form_class = super().get_form_class()
            form_class.base_fields = _FormFields(form_class.base_fields)
            cls._form_class = form_class
        return cls._form_class

    def filter_view(self, qs, name, value):
        if not value or value == "all":
            return qs
        # "Changed since last version" lists changed claims of every status: a
        # verdict whose text a new version changed is the riskiest claim of all,
        # and the Open tab would hide it. An explicit status filter still applies.
        restrict = not self.form.cleaned_data.get("changed")
        if restrict and not self.form.cleaned_data.get("status"):
            qs = qs.filter(status__in=DONE_STATUSES if value == "done" else OPEN_STATUSES)
        if value == "mine":
            user = getattr(self.request, "user", None)
            if user is None or not user.is_authenticated:
                return qs.none()
            return qs.filter(assignee=user)
        if value == "unassigned":
            return qs.filter(assignee__isnull=True)
        if value == "due":
            # due_key (COALESCE(due_at, 9999-12-31), stored) is the same test, since
            # a claim without a date is never due, and it leads claim_due_order: a
            # range of that index, where due_at (no index) read every open claim.
            return qs.filter(due_key__lte=_now() + DUE_SOON)
        return qs

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        if value:  # on claim_due_order, as the "due" view
            return qs.filter(status__in=OPEN_STATUSES, due_key__lt=_now())
        return qs.filter(~Q(status__in=OPEN_STATUSES, due_at__lt=_now()))

    def filter_changed(self, qs, name, value):
        # On the partial index claim_changed_queue_order: few claims carry these marks.
        if not value:
            return qs
        return qs.filter(version_change__in=CHANGED_SINCE_LAST_VERSION)

    def filter_source_id(self, qs, name, value: int):
        # The hint is the schema's type (drf-spectacular reads it: a method filter
        # has no model field to take it from).
        if value is None:
            return qs
        merged_into = Source.objects.filter(pk=value).values_list("merged_into_id", flat=True)
        return qs.filter(source_id=merged_into.first() or value)

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
        in_article = _article_match(value)
        if connection.vendor == "postgresql":
            # Or the claim's article matches by title or publication: article_id IN
            # (ids) is a second index condition (claim_article_position), so the
            # planner can OR two bitmap index scans rather than read every claim to
            # test a join.
            return qs.filter(claim_document_match(value) | in_article)
        # SQLite fallback: every word must appear in the claim or its source.
        in_claim = Q()
        for word in value.split()[:10]:
            in_claim &= Q(text__icontains=word) | Q(source_text__icontains=word)
        return qs.filter(in_claim | in_article)


def claim_document_match(value: str) -> Q:
    """PostgreSQL only: claims whose text or source holds the words of ``value``
    (websearch syntax: "quoted phrase", -word, or). Full-text search, stemmed
    ("killing" finds "killed"), on the stored document a trigger keeps (migration
    0010) and its GIN index, claim_search; the same dictionary as the trigger's.
    The API's and the dashboard's ?q= and the admin's claim search."""
    from django.contrib.postgres.search import SearchQuery

    query = SearchQuery(value, search_type="websearch", config=SEARCH_CONFIG)
    return Q(search_vector=query)


class _FilterCopies(dict):
    """ClaimFilter.base_filters, which FilterSet.__init__ deep-copies for each
    list (15 filters with their choices: half a millisecond of a queue page).
    A filter's own copy is enough: what a list sets on it (its parent FilterSet,
    model, field and label) is its own, its options are shared and never changed."""

    def __deepcopy__(self, memo):
        return {name: _filter_copy(f) for name, f in self.items()}


class _FormFields(dict):
    """The base fields of ClaimFilter's form, which each form deep-copies (15
    fields with their widgets, choices and querysets: 0.7-1.1 ms of every claim list,
    API or dashboard). A copy of each field is enough, as for the filters: the form
    only validates (it is never rendered; the queue has its own, QueueForm), and
    what a form could set on a field (required, a queryset) stays its own."""

    def __deepcopy__(self, memo):
        return {name: copy.copy(field) for name, field in self.items()}


def _filter_copy(original):
    copied = copy.copy(original)
    copied.extra = dict(original.extra)
    if original.method is not None:
        copied.method = original.method  # its FilterMethod calls the copy's parent
    return copied


ClaimFilter.base_filters = _FilterCopies(ClaimFilter.base_filters)


def _article_match(value: str) -> Q:
    """Claims whose article's title or publication holds every word of ``value``."""
    words = value.split()[:10]
    articles = Article.objects.order_by()
    for word in words:
        articles = articles.filter(Q(title__icontains=word) | Q(publication__icontains=word))
    many = "article-match-many:" + hashlib.sha256("\n".join(words).encode()).hexdigest()
    if cache.get(many):
        return Q(article_id__in=articles.values("pk"))
    ids = list(articles.values_list("pk", flat=True)[: ARTICLE_MATCH_MAX + 1])
    if len(ids) > ARTICLE_MATCH_MAX:
        cache.set(many, True, ARTICLE_MATCH_MANY_SECONDS)
        return Q(article_id__in=articles.values("pk"))
    return Q(article_id__in=ids)


def assignee_choices():
    """Active people, by username: whom the queue's assignee filter suggests."""
    return get_user_model().objects.filter(is_active=True).order_by("username")


def assignable_users():
    """Active people whose role can work claims (``claims.work_claim``, their own
    or a group's, or superusers): whom a claim may be assigned to. A viewer given
    a claim could not start it or give it back (workflow.claim_assign refuses)."""
    can_work = Q(codename="work_claim", content_type__app_label="claims")
    return (
        assignee_choices()
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions__in=Permission.objects.filter(can_work))
            | Q(groups__permissions__in=Permission.objects.filter(can_work))
        )
        .distinct()
    )
