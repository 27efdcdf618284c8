"""Reads: querysets for the dashboard, the API and the admin, free of N+1.

Everything a page or an endpoint shows about a claim comes through here with
its related rows fetched up front, so a list costs the same number of queries
whatever its length.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Substr, TruncDate, TruncMonth
from django.utils import timezone

from claims.domain import as_pk
from claims.models import (
    VERDICTS,
    AnalysisState,
    Article,
    ArticleVersion,
    BulkAction,
    Claim,
    ClaimChange,
    ClaimMatch,
    ClaimStatus,
    Comment,
    ConfidenceLevel,
    Evidence,
    FactCheck,
    Feed,
    FeedItem,
    HedgeCue,
    ImportBatch,
    ImportBatchItem,
    ImportBatchState,
    ImportOutcome,
    MatchState,
    SavedView,
    Source,
    SourceAlias,
    SourceChange,
    StatusChange,
)

# What a list never shows of an article: its text (up to 1 MB) and the engine's
# extraction (a JSON blob of megabytes for a long article, decoded on every row it
# is loaded with). A list row reads the article's title and id only.
ARTICLE_BLOBS = ("raw_text", "analysis_data")

LEVEL_ORDER = [
    ConfidenceLevel.VERY_LOW,
    ConfidenceLevel.LOW,
    ConfidenceLevel.MEDIUM,
    ConfidenceLevel.HIGH,
]


def claim_queryset() -> QuerySet[Claim]:
    """Claims with what a list row shows: article (without its text and blob),
    assignee, hedge cues."""
    return (
        Claim.objects.select_related("article", "assignee")
        .defer(*[f"article__{name}" for name in ARTICLE_BLOBS], "search_vector")
        .prefetch_related("hedges")
    )


def claim_list_rows() -> QuerySet[Claim]:
    """Claims for the API's claim list, as the values of CLAIM_LIST_COLUMNS (and the
    sort keys' columns): what its document shows, and no model instance per row. Of
    the article its title and of the assignee the username, read as columns of the
    claim's row (``list_article_title``, ``list_assignee``). Filter and order it as
    any queryset (an ordering's annotation joins the values); cut a page with
    claim_list_page(), then attach its hedge cues with claim_hedges_attach().

    The values query is built once per process and cloned: resolving its 44 names
    was ~1.2 ms of every page."""
    return _claim_list_values().all()


@functools.cache
def _claim_list_values() -> QuerySet[Claim]:
    return Claim.objects.annotate(
        list_article_title=F("article__title"), list_assignee=F("assignee__username")
    ).values(*CLAIM_LIST_COLUMNS, *CLAIM_LIST_KEYS)


# What the API's claim document reads of a listed claim (ClaimSerializer), and no
# more: a page is read as these values, not as model instances.
CLAIM_LIST_COLUMNS = (
    "id", "article_id", "list_article_title", "position", "text", "start", "end",
    "sentence_start", "sentence_end", "kind",
    "source_text", "source_type", "source_role", "source_verb", "source_mention",
    "source_via", "source_relayed", "source_start", "source_end", "sourcing_strength",
    "confidence_score", "confidence_level", "confidence_reasons", "checkworthiness",
    "status", "dismiss_reason", "assignee_id", "list_assignee", "due_at", "priority",
    "public_url", "public_summary", "version", "missing_from_analysis", "version_change",
    "change_version", "previous_text", "human_edited", "cluster_id", "repeats",
    "created_at", "updated_at",
)  # fmt: skip
# The columns the API's orderings sort on that the document does not show
# (claims.api.pagination.CLAIM_ORDERINGS; an ordering's annotation adds its own).
CLAIM_LIST_KEYS = ("score_key",)


class Row:
    """A row of a ``.values()`` query read with attributes, as a model instance's
    fields are (``pk`` is its ``id``): for lists whose documents read a few columns,
    where making a model instance per row cost more than the query."""

    def __init__(self, values: dict):
        values["pk"] = values["id"]
        self.__dict__ = values


def claim_list_page(qs: QuerySet[Claim], limit: int, keys: list[str]) -> list[Row]:
    """The first ``limit`` claims of ``qs`` (claim_list_rows(), filtered and
    ordered) as Rows, which hold the sort ``keys`` too: a 50-claim page's model
    instances were ~3 ms, more than its query."""
    rows = [Row(values) for values in qs[:limit]]
    if rows and not set(keys) <= rows[0].__dict__.keys():
        raise ValueError(f"the rows lack a sort key of {keys}")
    return rows


def claim_hedges_attach(claims: list[Claim | Row]) -> list[Claim | Row]:
    """Each claim's hedge cues as ``hedge_docs``, the API's documents of them in
    the order of claim.hedges.all(), from one query for the whole page. Prefetching
    them made a model instance for each cue and a queryset for each claim (5 of a
    50-row page's 24 ms); the ORM's values query still spent 0.8 of its ~2 ms
    building the SQL, so the statement is written here (_hedges_sql: 0.8 ms)."""
    docs: dict[int, list[dict]] = {claim.pk: [] for claim in claims}
    if docs:
        with connection.cursor() as cursor:
            cursor.execute(_hedges_sql(len(docs)), list(docs))
            for claim_id, text, category, start, end in cursor.fetchall():
                docs[claim_id].append(
                    {"text": text, "category": category, "start": start, "end": end}
                )
    for claim in claims:
        claim.hedge_docs = docs[claim.pk]
    return claims


def _hedges_sql(count: int) -> str:
    """SELECT claim, text, category, start, end of the cues of ``count`` claims,
    in the order of HedgeCue's Meta.ordering within each claim (then its id)."""
    meta, quote = HedgeCue._meta, connection.ops.quote_name

    def column(name: str) -> str:
        return quote(meta.get_field(name.lstrip("-")).column) + (
            " DESC" if name.startswith("-") else ""
        )

    columns = ", ".join(column(n) for n in ("claim", "text", "category", "start", "end"))
    order = ", ".join(column(n) for n in ("claim", *meta.ordering, "id"))
    placeholders = ", ".join(["%s"] * count)
    return (
        f"SELECT {columns} FROM {quote(meta.db_table)}"  # noqa: S608  # nosec (our names)
        f" WHERE {column('claim')} IN ({placeholders}) ORDER BY {order}"
    )


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


def with_sentence(qs: QuerySet[Claim]) -> QuerySet[Claim]:
    """``qs`` with ``sentence``: the claim's sentence, cut from the article's text
    in the database (a list row never loads the whole text)."""
    return qs.annotate(
        sentence=Substr(
            "article__raw_text", F("sentence_start") + 1, F("sentence_end") - F("sentence_start")
        )
    )


# What a queue row shows (claims/views/queue_rows.py) of a claim, its article and
# its assignee. The page's query loads these columns and not the other sixty (notes,
# the previous text, the source's offsets, the article's pipeline state...), which
# cost more to convert for 50 rows than the query took. The text's hash names the
# row's sentence in the cache (claim_sentences).
QUEUE_ROW_FIELDS = (
    *("id", "article", "text", "start", "end", "sentence_start", "sentence_end"),
    *("source", "source_text", "source_type", "sourcing_strength", "confidence_score"),
    *("confidence_level", "confidence_reasons", "status", "assignee", "due_at", "priority"),
    *("missing_from_analysis", "text_version", "version_change", "change_version"),
    *("version", "repeats"),
    *("article__title", "article__publication", "article__version", "article__content_hash"),
    "assignee__username",
)


def claim_queue_rows(qs: QuerySet[Claim], keys: list[Key]) -> QuerySet[Claim]:
    """``qs`` (claim_list's) with only what a queue row shows, the fields of the
    sort ``keys`` (the page's cursors are made of them), and its hedge cues as the
    list ``hedge_list``: prefetched into ``hedges``, each claim got a queryset of
    its own, filtered (a twentieth of the page's time). The rows' sentences come
    from claim_sentences(), once the page is cut."""
    sort_fields = [k.name for k in keys if k.expression is None]
    return (
        qs.only(*QUEUE_ROW_FIELDS, *sort_fields)
        .prefetch_related(None)
        .prefetch_related(Prefetch("hedges", to_attr="hedge_list"))
    )


# A claim's sentence is characters sentence_start to sentence_end of its article's
# text: the same for as long as the text is (Article.content_hash is its digest;
# of the text's hash form, so the article's id is in the key too: two texts that
# differ only in spacing, one deleted and the other ingested, share a digest).
# Cut by the database on every page, it was most of the queue page's query at a
# million claims (5-9 ms of 10-12 for 50 rows: a long text is decompressed and
# walked character by character up to the sentence); cut once, it is kept.
SENTENCE_CACHE_SECONDS = 7 * 24 * 3600


def _sentence_key(article_id: int, content_hash: str, start: int, end: int) -> str:
    return f"claim-sentence:{article_id}:{content_hash}:{start}:{end}"


def claim_sentences(claims: list[Claim]) -> None:
    """Set ``sentence`` (see claim_in_sentence) on the claims of a page loaded
    with claim_queue_rows(): from the cache, and what it lacks in one query.
    A claim whose offsets point into an earlier version of the text gets ""."""
    wanted: dict[str, list[Claim]] = {}
    for claim in claims:
        claim.sentence = ""
        article = claim.article
        if claim.text_version == article.version:
            key = _sentence_key(
                article.pk, article.content_hash, claim.sentence_start, claim.sentence_end
            )
            wanted.setdefault(key, []).append(claim)
    found = cache.get_many(list(wanted)) if wanted else {}
    missing = {group[0].pk: (key, group[0]) for key, group in wanted.items() if key not in found}
    if missing:
        rows = with_sentence(Claim.objects.filter(pk__in=list(missing)))
        fresh = {}
        for pk, text_hash, sentence in rows.values_list("pk", "article__content_hash", "sentence"):
            key, claim = missing[pk]
            # Unless the text changed since the page's query (not this key's sentence).
            if text_hash == claim.article.content_hash:
                fresh[key] = sentence or ""
        cache.set_many(fresh, SENTENCE_CACHE_SECONDS)
        found.update(fresh)
    for key, group in wanted.items():
        for claim in group:
            claim.sentence = found.get(key, "")


# The context a queue row shows either side of its claim, at most.
SENTENCE_CONTEXT = 240


def claim_in_sentence(claim: Claim) -> tuple[str, str, str]:
    """(before, the claim, after) of a claim annotated by with_sentence(): the
    claim marked inside its sentence. Its own text alone if the offsets do not
    fit the sentence (a claim people added by hand keeps its text)."""
    sentence = getattr(claim, "sentence", None) or ""
    if claim.text_version != claim.article.version:
        return "", claim.text, ""  # its offsets are into an earlier version's text
    lo, hi = claim.start - claim.sentence_start, claim.end - claim.sentence_start
    if not sentence or not 0 <= lo < hi <= len(sentence):
        return "", claim.text, ""
    before, marked, after = sentence[:lo], sentence[lo:hi], sentence[hi:]
    if len(before) > SENTENCE_CONTEXT:
        before = "…" + before[-SENTENCE_CONTEXT:].lstrip()
    if len(after) > SENTENCE_CONTEXT:
        after = after[:SENTENCE_CONTEXT].rstrip() + "…"
    return before, marked, after


def saved_view_list(*, user) -> QuerySet[SavedView]:
    """The user's saved views, by name: nobody sees another user's."""
    if user is None or not user.is_authenticated:
        return SavedView.objects.none()
    return SavedView.objects.filter(user=user).order_by("name", "id")


class _Request:
    """The bit of a request ClaimFilter reads (who "me" is) for non-HTTP callers."""

    def __init__(self, user):
        self.user = user


def claim_detail(*, pk: int, history: bool = True) -> Claim:
    """One claim with its hedges, evidence, comments and (unless ``history`` is
    False: the claim page asks claim_history() for its latest changes) its full
    history."""
    prefetch = [
        "hedges",
        Prefetch("evidence", queryset=Evidence.objects.select_related("added_by")),
        Prefetch("comments", queryset=Comment.objects.select_related("author")),
    ]
    if history:
        prefetch += [
            Prefetch("status_changes", queryset=StatusChange.objects.select_related("user")),
            Prefetch("changes", queryset=ClaimChange.objects.select_related("user")),
        ]
    return (
        Claim.objects.select_related("article", "assignee", "updated_by")
        .defer("article__analysis_data", "search_vector")
        .prefetch_related(*prefetch)
        .get(pk=pk)
    )


def comment_queryset() -> QuerySet[Comment]:
    return Comment.objects.select_related("author").prefetch_related("mentioned")


def comment_list(*, claim: Claim) -> list[Comment]:
    """A claim's discussion, oldest first, with authors and mentions (3 queries)."""
    return list(comment_queryset().filter(claim=claim))


def comment_get(*, pk: int) -> Comment:
    return comment_queryset().get(pk=pk)


def claim_history(*, claim: Claim, latest: int | None = None) -> list[dict]:
    """Status changes and other changes of a claim as one timeline, oldest first;
    with ``latest``, only the latest that many (read newest first from each
    table's (claim, created_at) index: a claim with 6,000 changes rendered all of
    them on its page, 1.75 MB in 0.85-2 s)."""
    cached = getattr(claim, "_prefetched_objects_cache", {})
    if latest is None and "status_changes" in cached and "changes" in cached:
        status_changes, changes = list(claim.status_changes.all()), list(claim.changes.all())
    else:
        newest = ("-created_at", "-id")
        status_changes = StatusChange.objects.filter(claim=claim).select_related("user")
        changes = ClaimChange.objects.filter(claim=claim).select_related("user")
        status_changes, changes = status_changes.order_by(*newest), changes.order_by(*newest)
        if latest is not None:
            status_changes, changes = status_changes[:latest], changes[:latest]
        status_changes, changes = list(status_changes)[::-1], list(changes)[::-1]
    events = [
        {
            "at": c.created_at,
            "user": c.user,
            "kind": "status",
            "from": c.from_status,
            "to": c.to_status,
            "note": c.note,
        }
        for c in status_changes
    ] + [
        {"at": c.created_at, "user": c.user, "kind": c.action, "changes": c.changes, "note": c.note}
        for c in changes
    ]
    events = sorted(events, key=lambda e: e["at"])
    return events if latest is None else events[-latest:] if latest else []


def claim_history_size(*, claim: Claim) -> int:
    """How many events claim_history() has in all (two counts on the indexes)."""
    return (
        StatusChange.objects.filter(claim=claim).count()
        + ClaimChange.objects.filter(claim=claim).count()
    )


def _claims_of_article(**filters) -> Coalesce:
    """How many claims of the outer article (match ``filters``): a correlated
    subquery on the claim_article_position index, computed for the rows a page
    keeps only, where a join would count every claim before the LIMIT."""
    return _claims_of("article", **filters)


def claim_count_of(field: str) -> Coalesce:
    """How many claims point at the outer row through ``field`` ("article",
    "source"): a correlated subquery on that foreign key's index, computed for the
    rows a page keeps, where Count() over the join grouped every claim of the
    table before the LIMIT, and again for each COUNT of the list."""
    return _claims_of(field)


def _claims_of(field: str, **filters) -> Coalesce:
    # COUNT(*), not COUNT(id): the foreign key's own index answers it (an index
    # only scan), where COUNT(id) read each claim's row for its id.
    counted = (
        Claim.objects.filter(**{field: OuterRef("pk")}, **filters)
        .order_by()
        .values(field)
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def article_list() -> QuerySet[Article]:
    return Article.objects.defer(*ARTICLE_BLOBS).annotate(
        n_claims=_claims_of_article(),
        n_open=_claims_of_article(status__in=["unstarted", "in_progress"]),
        # When the current version came (None for an article never updated): the
        # list is in order of first ingest, so an old story updated today says so
        # on its row. One row of version_unique_number per article shown, in the
        # same query.
        version_at=Subquery(
            ArticleVersion.objects.filter(
                article=OuterRef("pk"), number=OuterRef("version")
            ).values("created_at")[:1]
        ),
    )


def article_detail(*, pk: int) -> Article:
    """An article with all its claims (the API's article document)."""
    return (
        Article.objects.defer("analysis_data")
        .prefetch_related(Prefetch("claims", queryset=claim_queryset().order_by("position")))
        .get(pk=pk)
    )


def article_page(*, pk: int) -> Article:
    """An article for its page: the text, not the blob; claims come a page at a
    time from article_claims()."""
    return Article.objects.defer("analysis_data").get(pk=pk)


def article_claims(
    *, article: Article, after: tuple[int, int] | None = None, limit: int
) -> list[Claim]:
    """Up to ``limit`` claims of an article in reading order, after the claim
    ``after`` = (position, id) (a keyset page on claim_article_position: each page
    costs the same whatever the article's length). ``claim.article`` is ``article``."""
    qs = (
        # The claims in the current version's text (a claim a version removed is
        # listed apart, by article_claims_elsewhere).
        Claim.objects.filter(article=article, text_version=article.version)
        .select_related("assignee")
        .defer("search_vector")
        .prefetch_related("hedges")
        .order_by("position", "id")
    )
    if after is not None:
        keys = [Key("position", kind=int), Key("id", kind=int)]
        qs = qs.filter(keyset_after(keys, list(after)))
    rows = list(qs[:limit])
    for claim in rows:
        claim.article = article  # no second copy of the article per claim
    return rows


def article_level_counts(*, article: Article) -> dict:
    """The article's claims per confidence level, counted in the database."""
    rows = (
        Claim.objects.filter(article=article, text_version=article.version)
        .order_by()
        .values_list("confidence_level")
    )
    return dict(rows.annotate(n=Count("id")))


# The article page lists at most this many claims outside its current text.
ELSEWHERE_SHOWN = 200


def article_claims_elsewhere(*, article: Article) -> list[Claim]:
    """The article's claims whose offsets are into an earlier version's text:
    those a version removed (kept because people worked on them), and, until the
    current version's analysis has carried them over, the rest. Newest first."""
    if article.version == 1:
        return []
    return list(
        Claim.objects.filter(article=article)
        .exclude(text_version=article.version)
        .select_related("assignee")
        .defer("search_vector")
        .order_by("-text_version", "position", "id")[:ELSEWHERE_SHOWN]
    )


def article_versions(*, article: Article) -> list[ArticleVersion]:
    """The article's versions, oldest first, without their texts (none before a
    second version)."""
    if article.version == 1:
        return []
    return list(
        ArticleVersion.objects.filter(article=article)
        .select_related("created_by")
        .defer("raw_text")
        .order_by("number")
    )


def article_version_pair(*, article: Article, number: int) -> tuple[ArticleVersion, ArticleVersion]:
    """Version ``number`` and the one before it, with their texts;
    ArticleVersion.DoesNotExist if there is no such pair (a number past the
    column's range too: an IN lookup hands it to the driver, which overflows)."""
    if not 2 <= number <= 2**31 - 1:
        raise ArticleVersion.DoesNotExist(f"article {article.pk} has no version {number} to diff")
    rows = {
        v.number: v
        for v in ArticleVersion.objects.filter(article=article, number__in=[number - 1, number])
    }
    if number - 1 not in rows or number not in rows:
        raise ArticleVersion.DoesNotExist(f"article {article.pk} has no version {number} to diff")
    return rows[number - 1], rows[number]


def _exact_counts(qs: QuerySet[Claim]) -> dict:
    """Both tallies from one pass over the matching rows (GROUP BY level, status:
    at most 5 x 7 groups), where one query per tally read every row twice."""
    by_level: dict = {}
    by_status: dict = {}
    pairs = qs.order_by().values_list("confidence_level", "status").annotate(n=Count("id"))
    for level, status, n in pairs:
        by_level[level] = by_level.get(level, 0) + n
        by_status[status] = by_status.get(status, 0) + n
    return {"level": by_level, "status": by_status}


def claim_counts(*, qs: QuerySet[Claim] | None = None) -> dict:
    """Counts per confidence level and per status (for the queue's headers and
    the overview), with ``estimated``: whether they are a recent count rather
    than this moment's.

    Counting scans every matching row. Where the planner expects more than
    settings.COUNT_EXACT_LIMIT rows, the counts are taken once and kept in the
    cache for settings.COUNT_CACHE_SECONDS (per filter), and the page says
    "about"; below it they are exact on every request.
    """
    qs = Claim.objects.all() if qs is None else qs
    qs = qs.prefetch_related(None)
    try:
        sql, params = qs.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # qs.none(): an invalid filter
        return {**_exact_counts(qs), "estimated": False}
    key = "claim-counts:" + hashlib.sha256(f"{sql}|{params!r}".encode()).hexdigest()
    # Kept counts first: only a filter the planner expected to match many rows
    # has some, and asking the planner again (an EXPLAIN: 3 ms for a search, whose
    # plan holds the article-title subquery) would give the same answer.
    counts = cache.get(key)
    if counts is not None:
        return {**counts, "estimated": True}
    if estimated_count(qs) <= settings.COUNT_EXACT_LIMIT:
        counts = _exact_counts(qs)
        if sum(counts["level"].values()) > settings.COUNT_EXACT_LIMIT:
            # The planner was wrong (correlated filters: unnamed sources are the
            # weak ones, so it expected 9.6k of the 81.5k claims of
            # ?source_type=unnamed&sourcing_strength=weak): keep these counts as a
            # large filter's, rather than scanning them again on every request.
            cache.set(key, counts, settings.COUNT_CACHE_SECONDS)
        return {**counts, "estimated": False}
    counts = _exact_counts(qs)
    cache.set(key, counts, settings.COUNT_CACHE_SECONDS)
    return {**counts, "estimated": True}


def daily_counts(qs: QuerySet, *, since: datetime, field: str = "created_at") -> dict:
    """Rows of ``qs`` per calendar day (``{date: n}``) from ``since`` to now.

    A finished day's count only changes when rows are deleted, so the days before
    today are counted once and kept in the cache for settings.DAILY_COUNT_CACHE_SECONDS;
    today is counted on every call, a range scan of today's rows on ``field``'s index.
    At a million claims the 30-day chart read ~80k rows a request (the overview's
    largest cost); it now reads today's."""
    today_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)

    def per_day(rows: QuerySet) -> dict:
        by_day = rows.annotate(day=TruncDate(field)).values("day").annotate(n=Count("pk"))
        return {row["day"]: row["n"] for row in by_day.order_by()}

    sql, params = qs.order_by().values("pk").query.sql_with_params()
    key = (
        "daily-counts:"
        + hashlib.sha256(
            f"{sql}|{params!r}|{field}|{since.date()}|{today_start.date()}".encode()
        ).hexdigest()
    )
    past = cache.get(key)
    if past is None:
        past = per_day(qs.filter(**{f"{field}__gte": since, f"{field}__lt": today_start}))
        cache.set(key, past, settings.DAILY_COUNT_CACHE_SECONDS)
    return {**past, **per_day(qs.filter(**{f"{field}__gte": today_start}))}


def estimated_count(qs: QuerySet) -> int:
    """How many rows the planner expects ``qs`` to return: the estimate of its
    EXPLAIN on PostgreSQL (no row read; accurate for the table as a whole, from
    ANALYZE statistics), or 0 elsewhere (SQLite: small by design, count it)."""
    if connection.vendor != "postgresql":
        return 0
    try:
        sql, params = qs.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # qs.none(): an invalid filter
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def claim_total(*, qs: QuerySet[Claim]) -> tuple[int, bool]:
    """The number of claims ``qs`` matches and whether it is an estimate: exact
    below settings.COUNT_EXACT_LIMIT, the planner's estimate above it."""
    guess = estimated_count(qs)
    if guess > settings.COUNT_EXACT_LIMIT:
        return guess, True
    return qs.order_by().count(), False


# --- Keyset pages ---------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One component of a sort key: a model field or an annotation."""

    name: str
    descending: bool = False
    kind: type = float
    expression: object = None  # annotate ``name`` with it; None: ``name`` is a field


def keyset_order(qs: QuerySet, keys: list[Key]) -> QuerySet:
    annotations = {k.name: k.expression for k in keys if k.expression is not None}
    order = [f"-{k.name}" if k.descending else k.name for k in keys]
    return qs.annotate(**annotations).order_by(*order)


def keyset_after(keys: list[Key], position: list, backwards: bool = False) -> Q:
    """Rows strictly after ``position`` in the order of ``keys`` (before, if backwards):
    (k1 > v1) or (k1 = v1 and k2 > v2) or ..., with < for descending keys."""
    result = Q()
    equal = Q()
    for key, value in zip(keys, position, strict=True):
        greater = key.descending == backwards
        step = Q(**{f"{key.name}__{'gt' if greater else 'lt'}": value})
        result |= equal & step
        equal &= Q(**{key.name: value})
    # The same rows, plus a bound on the first key alone: the OR above is no index
    # condition, this is, so the index scan starts at the position rather than
    # reading (and filtering out) every row of the pages before it.
    first = keys[0]
    bound = "gte" if first.descending == backwards else "lte"
    return Q(**{f"{first.name}__{bound}": position[0]}) & result


def keyset_arms(keys: list[Key], position: list, backwards: bool = False) -> list[Q]:
    """The rows keyset_after() selects, as disjoint parts in the order the rows
    come, nearest first: the rows equal on every key but the last and after on it,
    then those equal on all but the last two and after on the last but one, ...,
    then those after on the first key. Each part is an equality prefix and a range
    on one more key: a range of the sort's index (keyset_after's OR is a range on
    the first key only, so the scan read every row of the position's first key
    before it: 0.9 s for a claim deep in its level at a million claims)."""
    arms = []
    equal = Q()
    for key, value in zip(keys, position, strict=True):
        greater = key.descending == backwards
        arms.append(equal & Q(**{f"{key.name}__{'gt' if greater else 'lt'}": value}))
        equal &= Q(**{key.name: value})
    return arms[::-1]


def keyset_first_after(qs: QuerySet, keys: list[Key], position: list):
    """The first row of ``qs`` (ordered by ``keys``) strictly after ``position``,
    or None: one query per part of keyset_arms() until one has a row, each a
    short walk of the index from the position."""
    for arm in keyset_arms(keys, position):
        row = qs.filter(arm).first()
        if row is not None:
            return row
    return None


def claim_cluster_heads(qs: QuerySet[Claim], keys: list[Key]) -> QuerySet[Claim]:
    """``qs`` with one row per claim cluster: the member that comes first in the
    order of ``keys`` among the cluster's members in ``qs`` (so the filters choose
    among them too); claims in no cluster stay as they are. A correlated NOT EXISTS
    on the claim_cluster index, evaluated only for clustered rows: the page stays a
    scan of its sort's index, and its keyset cursors work unchanged, since the
    set of heads does not depend on the page."""
    position = [OuterRef(k.name) for k in keys]
    before = keyset_after(keys, position, backwards=True)
    better = qs.order_by().filter(cluster_id=OuterRef("cluster_id")).filter(before)
    return qs.filter(Q(cluster_id__isnull=True) | ~Exists(better.values("pk")))


def keyset_position(row, keys: list[Key]) -> list:
    """The sort key of ``row`` as JSON-safe values (datetimes in ISO format)."""
    values = [getattr(row, k.name) for k in keys]
    return [v.isoformat() if isinstance(v, datetime) else v for v in values]


def keyset_value(key: Key, value):
    """A cursor value of the type its key has; anything else is a forged cursor
    (ValueError or TypeError)."""
    if key.kind is datetime:
        if not isinstance(value, str):
            raise TypeError(value)
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError(value)
        try:  # 0001-01-01T00:00+14:00 is before the first UTC moment the database has
            moment.astimezone(UTC)
        except OverflowError:
            raise ValueError(value) from None
        return moment
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(value)
    if key.kind is int:
        if not isinstance(value, int) or not 0 <= value < 2**63:
            raise ValueError(value)
        return value
    try:
        number = float(value)  # an int of 400 digits overflows
    except OverflowError:
        raise ValueError(value) from None
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def keyset_token(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def keyset_untoken(token: str) -> dict:
    """The dict of a token from keyset_token(); ValueError if it is not one (a
    forged one too, nested deeper than json.loads goes)."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw.decode())
    except (binascii.Error, UnicodeDecodeError, RecursionError) as exc:
        raise ValueError("not a cursor") from exc
    if not isinstance(data, dict):
        raise ValueError("not a cursor")
    return data


# --- Search-as-you-type for the queue's filters ---------------------------------------

SUGGESTIONS = 20


def article_suggestions(*, query: str, limit: int = SUGGESTIONS, by_id: bool = False):
    """At most ``limit`` articles whose title contains ``query`` (or whose id it
    is), newest first: the queue's article filter, which listed every article
    (5.1 MB of HTML at 1M claims) before. ``by_id``: the article with id
    ``query``, or None."""
    qs = Article.objects.only("pk", "title", "created_at").order_by("-created_at", "-pk")
    query = query.strip()[:200]
    if by_id:
        return qs.filter(pk=int(query)).first()
    if as_pk(query) is not None:
        qs = qs.filter(Q(pk=int(query)) | Q(title__icontains=query))
    elif query:
        qs = qs.filter(title__icontains=query)
    return list(qs[:limit])


def user_suggestions(*, query: str, limit: int = SUGGESTIONS) -> list[str]:
    """At most ``limit`` active usernames starting with ``query``."""
    from claims.filters import assignee_choices

    qs = assignee_choices().filter(username__istartswith=query.strip()[:150])
    return list(qs.values_list("username", flat=True)[:limit])


def bulk_action_latest(*, user) -> BulkAction | None:
    """The user's latest bulk action if it can still be undone (the queue offers it)."""
    since = timezone.now() - timedelta(minutes=settings.BULK_UNDO_MINUTES)
    return (
        BulkAction.objects.filter(user=user, undone_at__isnull=True, created_at__gte=since)
        .order_by("-created_at", "-id")
        .first()
    )


# --- Sources ---------------------------------------------------------------------------

# The statuses a source's record counts, in the order pages show them.
RECORD_STATUSES = [
    ClaimStatus.VERIFIED,
    ClaimStatus.FALSE,
    ClaimStatus.MISLEADING,
    ClaimStatus.INCONCLUSIVE,
    ClaimStatus.DISMISSED,
]
SOURCE_CLAIMS_SHOWN = 200


def source_list(*, q: str = "") -> QuerySet[Source]:
    """Sources that were not merged away, with their number of claims (n_claims);
    ``q`` searches their names and aliases."""
    # Each source's claims counted on the claims' source index (claim_count_of),
    # not by grouping the claims joined to the sources: COUNT over that join read
    # every linked claim's row (1.9 s of SQL at 580k linked claims).
    qs = Source.objects.filter(merged_into__isnull=True).annotate(n_claims=claim_count_of("source"))
    q = (q or "").strip()
    if q:
        alias = SourceAlias.objects.filter(source=OuterRef("pk"), name__icontains=q)
        qs = qs.filter(Q(name__icontains=q) | Q(Exists(alias)))
    return qs


def source_detail(*, pk: int) -> Source:
    """One source with its aliases and the merges and splits it took part in."""
    return Source.objects.select_related("merged_into").prefetch_related("aliases").get(pk=pk)


def source_changes(*, source: Source) -> list[SourceChange]:
    """The merges and splits the source took part in, either side, oldest first."""
    return list(
        SourceChange.objects.filter(Q(source=source) | Q(other=source))
        .select_related("user", "source", "other")
        .order_by("created_at", "id")
    )


def source_record(*, source: Source) -> dict:
    """The source's record: its claims, and how many of them ended in each of
    RECORD_STATUSES ({"claims": n, "verified": n, ..., "verdicts": n})."""
    counts = dict(
        Claim.objects.filter(source=source).values_list("status").annotate(n=Count("pk")).order_by()
    )
    record = {status.value: counts.get(status, 0) for status in RECORD_STATUSES}
    record["claims"] = sum(counts.values())
    record["verdicts"] = sum(record[s] for s in RECORD_STATUSES if s != ClaimStatus.DISMISSED)
    return record


def source_hedging(*, source: Source) -> list[dict]:
    """Per month (of the article's publication, else of the claim): the source's
    claims and the share of them that were hedged (at least one hedge cue)."""
    hedged = HedgeCue.objects.filter(claim=OuterRef("pk"))
    rows = (
        Claim.objects.filter(source=source)
        .annotate(
            month=TruncMonth(Coalesce("article__published_at", "created_at")),
            is_hedged=Exists(hedged),
        )
        .values("month")
        .annotate(n=Count("pk"), hedged=Count("pk", filter=Q(is_hedged=True)))
        .order_by("month")
    )
    return [
        {
            "month": row["month"],
            "claims": row["n"],
            "hedged": row["hedged"],
            "share": row["hedged"] / row["n"] if row["n"] else 0.0,
        }
        for row in rows
    ]


def source_claims(*, source: Source, limit: int = SOURCE_CLAIMS_SHOWN) -> list[Claim]:
    """The source's latest claims, with their article (no text) and hedges."""
    return list(claim_queryset().filter(source=source).order_by("-created_at", "-id")[:limit])


# --- The fact-check library --------------------------------------------------------------


def factcheck_list(*, publisher: str = "", rating: str = "", q: str = "") -> QuerySet[FactCheck]:
    """Fact-checks of the library: ``publisher`` and ``rating`` match exactly
    (case-insensitive), ``q`` searches the claim text and the claimant."""
    qs = FactCheck.objects.filter(withdrawn_at__isnull=True).defer("document")
    if publisher:
        qs = qs.filter(publisher__iexact=publisher)
    if rating:
        qs = qs.filter(rating__iexact=rating)
    if q:
        qs = qs.filter(Q(claim_text__icontains=q) | Q(claimant__icontains=q))
    return qs


# --- Claim matching ------------------------------------------------------------------


@dataclass(frozen=True)
class MatchView:
    """One match as seen from a claim: the other side (a claim or a fact-check),
    whichever direction the row was found in."""

    match: ClaimMatch
    other_claim: Claim | None
    factcheck: object | None  # FactCheck

    @property
    def spans(self) -> list[dict]:
        """The shared spans, ``start``/``end`` in the viewing claim's text."""
        if self.match.matched_claim_id is None or self.other_claim is self.match.matched_claim:
            return self.match.spans
        return [
            {"start": s["other_start"], "end": s["other_end"], "other_start": s["start"],
             "other_end": s["end"]}
            for s in self.match.spans
        ]  # fmt: skip

    @property
    def verdict(self) -> str:
        if self.other_claim is not None:
            return self.other_claim.get_status_display()
        return self.factcheck.rating or "unrated"


def claim_matches(*, claim: Claim, include_rejected: bool = True) -> list[MatchView]:
    """The claim's matches, best first, with the other claim's article or the
    fact-check loaded (three queries whatever the count)."""
    rows = claim_match_of(claim=claim).select_related(
        "claim__article", "matched_claim__article", "matched_factcheck", "decided_by"
    )
    if not include_rejected:
        rows = rows.exclude(state=MatchState.REJECTED)
    views = []
    for m in rows.order_by("-score", "id"):
        other = m.claim if m.matched_claim_id == claim.pk else m.matched_claim
        views.append(MatchView(m, other, m.matched_factcheck))
    return views


def claim_match_of(*, claim: Claim) -> QuerySet[ClaimMatch]:
    """The matches of this claim, in either direction (for deciding one). Not those
    to a fact-check of ours that is withdrawn (its claim reopened): kept, with
    people's decisions, for when the verdict is published again."""
    return ClaimMatch.objects.filter(Q(claim=claim) | Q(matched_claim=claim)).exclude(
        matched_factcheck__withdrawn_at__isnull=False
    )


def claim_suggested_verdicts(*, claim: Claim) -> list[Claim]:
    """Verdicts given to other members of the claim's cluster that this claim does
    not have: suggested to people, never applied by themselves."""
    if not claim.cluster_id:
        return []
    return list(
        Claim.objects.filter(cluster_id=claim.cluster_id, status__in=VERDICTS)
        .exclude(pk=claim.pk)
        .exclude(status=claim.status)
        .select_related("article")
        .order_by("updated_at", "id")
    )


# --- Feeds ---------------------------------------------------------------------------


def feed_list() -> QuerySet[Feed]:
    """Every subscription with its number of items (n_items) and who made it."""
    return Feed.objects.select_related("created_by").annotate(n_items=Count("items"))


def feed_detail(*, pk: int) -> Feed:
    return feed_list().get(pk=pk)


def feed_items(*, feed: Feed) -> QuerySet[FeedItem]:
    """A feed's items, newest first, each with its article's id, title and state
    (never its text)."""
    return (
        FeedItem.objects.filter(feed=feed)
        .select_related("article")
        .only("feed_id", "guid", "link", "title", "feed_published_at", "feed_updated_at",
              "error", "first_seen_at", "article__id", "article__title", "article__state")
    )  # fmt: skip


# --- Bulk import (issue 15) ---------------------------------------------------------------


@dataclass
class BatchProgress:
    """A batch's totals, how far the analyses of its new articles are, and its
    failed inputs with their reasons."""

    batch: ImportBatch
    analysed: int
    analysing: int  # fetching, queued or running
    analysis_failed: int
    failures: list[ImportBatchItem]
    items: list[ImportBatchItem]  # the first INGEST_BATCH_MAX_ITEMS, in order
    items_truncated: bool  # more items than listed (a large command batch)
    # Articles the broker did not take when they were stored (it was unreachable),
    # and those of them still waiting to be analysed.
    not_enqueued: int = 0
    waiting_for_queue: int = 0

    @property
    def enqueued(self) -> bool | None:
        """As POST /articles/ says it: False if the broker could not be reached for
        any of the batch's articles, True if it took every one, None if nothing was
        queued (every item a duplicate or failed)."""
        if self.not_enqueued:
            return False
        queued = self.analysed + self.analysing + self.analysis_failed
        return True if queued else None

    @property
    def message(self) -> str:
        if self.waiting_for_queue:
            return (
                f"The queue is unreachable: {self.waiting_for_queue} of the batch's articles "
                "are saved as queued, and their work will start when it is back."
            )
        if self.not_enqueued:
            return (
                "The queue was unreachable when some articles were saved; it has taken them since."
            )
        if self.batch.state == ImportBatchState.RUNNING:
            return "Items are being read and stored."
        if self.analysing:
            return "Every item is stored; analyses queued."
        return "Every item is stored; no analysis is to come."

    @property
    def finished(self) -> bool:
        """Every input has its outcome and no analysis is still to come."""
        return self.batch.state != ImportBatchState.RUNNING and self.analysing == 0


def batch_visible(*, user) -> QuerySet[ImportBatch]:
    """The batches a user may see: their own; every batch with view_importbatch
    (editors), as the admin shows them."""
    batches = ImportBatch.objects.select_related("created_by")
    if user.has_perm("claims.view_importbatch"):
        return batches
    return batches.filter(created_by=user) if user.is_authenticated else batches.none()


def batch_progress(
    *, batch: ImportBatch, reload: bool = True, with_items: bool = False
) -> BatchProgress:
    """Two queries whatever the batch's size: one aggregate over its new articles'
    states, and its failures; a third, the batch row again (its totals move while
    it runs), unless the caller has just loaded it (``reload=False``). With
    ``with_items`` (the API), each item's outcome and article instead of the
    failures, at most INGEST_BATCH_MAX_ITEMS of them (an API batch is never longer;
    a command batch of thousands is cut there, says so, and its failures are
    read on their own)."""
    if reload:
        batch.refresh_from_db(
            fields=["state", "created", "duplicates", "versions", "failed", "finished_at"]
        )
    pending = [AnalysisState.FETCHING, AnalysisState.QUEUED, AnalysisState.RUNNING]
    counts = ImportBatchItem.objects.filter(
        batch=batch,
        outcome__in=[ImportOutcome.CREATED, ImportOutcome.VERSION],
        article__isnull=False,
    ).aggregate(
        analysed=Count("pk", filter=Q(article__state=AnalysisState.ANALYZED)),
        analysing=Count("pk", filter=Q(article__state__in=pending)),
        analysis_failed=Count("pk", filter=Q(article__state=AnalysisState.FAILED)),
        not_enqueued=Count("pk", filter=Q(queue_unreachable=True)),
        waiting_for_queue=Count("pk", filter=Q(queue_unreachable=True, article__state__in=pending)),
    )
    items, truncated = [], False
    if with_items:
        limit = settings.INGEST_BATCH_MAX_ITEMS
        items = list(
            ImportBatchItem.objects.filter(batch=batch)
            .select_related("article")
            .only(
                "batch_id",
                "position",
                "name",
                "outcome",
                "error",
                "queue_unreachable",
                "article__state",
            )
            .order_by("position")[: limit + 1]
        )
        truncated = len(items) > limit
        items = items[:limit]
    if with_items and not truncated:  # every item is listed: its failures are among them
        failures = [item for item in items if item.outcome == ImportOutcome.FAILED]
    else:
        failures = list(
            ImportBatchItem.objects.filter(batch=batch, outcome=ImportOutcome.FAILED).order_by(
                "position"
            )
        )
    return BatchProgress(
        batch=batch, failures=failures, items=items, items_truncated=truncated, **counts
    )
