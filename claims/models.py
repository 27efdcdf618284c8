"""Articles, their claims, and what people do with them.

Machine fields (what the analysis read) and editorial fields (what people
decided) live side by side on a claim; neither overwrites the other.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import MD5, Coalesce, Left
from django.utils import timezone

# The prefix of Article.source_url that the index article_source_url_prefix holds:
# look a URL up with Left("source_url", SOURCE_URL_KEY) and the whole URL.
SOURCE_URL_KEY = 255


class AnalysisState(models.TextChoices):
    # A URL article: the page is being fetched (off the web request), then queued.
    FETCHING = "fetching", "Fetching"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    ANALYZED = "analyzed", "Analysed"
    FAILED = "failed", "Failed"


class SourceType(models.TextChoices):
    NAMED_PERSON = "named_person", "Named person"
    NAMED_ORGANIZATION = "named_organization", "Named organization"
    GOVERNMENT = "government", "Government"
    DOCUMENT = "document", "Document"
    UNNAMED = "unnamed", "Unnamed"
    NONE = "none", "None"


class Strength(models.TextChoices):
    STRONG = "strong", "Strong"
    MODERATE = "moderate", "Moderate"
    WEAK = "weak", "Weak"
    NONE = "none", "None"


class ConfidenceLevel(models.TextChoices):
    VERY_LOW = "very_low", "Very low"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class ClaimKind(models.TextChoices):
    STATEMENT = "statement", "Statement"
    QUANTITY = "quantity", "Quantity"
    EVENT = "event", "Event"
    PREDICTION = "prediction", "Prediction"
    OPINION = "opinion", "Opinion"


class ClaimStatus(models.TextChoices):
    UNSTARTED = "unstarted", "Unstarted"
    IN_PROGRESS = "in_progress", "In progress"
    VERIFIED = "verified", "Verified"
    FALSE = "false", "False"
    MISLEADING = "misleading", "Misleading"
    INCONCLUSIVE = "inconclusive", "Inconclusive"
    DISMISSED = "dismissed", "Dismissed"


# The statuses that are a verdict. Here, not in the workflow, because the
# ClaimReview builder (domain code) needs them and must not import a service.
VERDICTS = (
    ClaimStatus.VERIFIED,
    ClaimStatus.FALSE,
    ClaimStatus.MISLEADING,
    ClaimStatus.INCONCLUSIVE,
)


class Priority(models.IntegerChoices):
    # Smaller sorts first: the queue's "priority" order puts urgent work on top.
    URGENT = 1, "Urgent"
    HIGH = 2, "High"
    NORMAL = 3, "Normal"
    LOW = 4, "Low"


class DismissReason(models.TextChoices):
    NOT_CHECKWORTHY = "not_checkworthy", "Not check-worthy"
    DUPLICATE = "duplicate", "Duplicate"
    OPINION = "opinion", "Opinion"
    OTHER = "other", "Other"


class HedgeCategory(models.TextChoices):
    APPROXIMATOR = "approximator", "Approximator"
    VAGUE_QUANTITY = "vague_quantity", "Vague quantity"
    EPISTEMIC = "epistemic", "Epistemic"
    REPORTATIVE = "reportative", "Reportative"
    EVIDENTIAL_GAP = "evidential_gap", "Evidential gap"


class VersionChange(models.TextChoices):
    """What a new version of its article did to a claim (see ArticleVersion)."""

    UNCHANGED = "unchanged", "Unchanged"
    CHANGED = "changed", "Changed"
    NEW = "new", "New"
    REMOVED = "removed", "Removed"


# "Changed since the last version": the queue's and the API's ?changed=1.
CHANGED_SINCE_LAST_VERSION = [VersionChange.CHANGED, VersionChange.NEW]


def _in(field: str, choices) -> Q:
    return Q(**{f"{field}__in": choices.values})


# The queue's order of levels: very low first; claims not scored yet last.
LEVEL_RANKS = ["very_low", "low", "medium", "high"]
UNSCORED_RANK = len(LEVEL_RANKS)
# Unscored claims (analysis unfinished) sort after every score, lowest first.
UNSCORED_SCORE = 2.0
# Claims without a due date sort after every dated one in the queue's due order.
NO_DUE_DATE = datetime(9999, 12, 31, tzinfo=UTC)


class Article(models.Model):
    title = models.CharField(max_length=500, blank=True)
    author = models.CharField(max_length=300, blank=True)
    publication = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    dateline = models.CharField(max_length=200, blank=True)
    source_url = models.URLField(max_length=2000, blank=True)
    raw_text = models.TextField()
    body_offset = models.PositiveIntegerField(default=0)
    # sha256 of the text: the same article pasted twice is one article.
    content_hash = models.CharField(max_length=64, unique=True)
    # The number of the version raw_text is (ArticleVersion holds every version's
    # text once there is a second one; a one-version article has no rows there).
    version = models.PositiveIntegerField(default=1)
    # The correction notices the analysis found in raw_text: [{text, start, end}].
    corrections = models.JSONField(default=list, blank=True)

    state = models.CharField(
        max_length=10, choices=AnalysisState.choices, default=AnalysisState.QUEUED
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # Fetches of the page started since a person last asked for one (ingest,
    # "Analyse again"): requeue_stale fails the article past INGEST_URL_MAX_ATTEMPTS.
    fetch_attempts = models.PositiveIntegerField(default=0)
    # Analyses started in this run since a person (or a finished fetch) queued it;
    # requeue_stale keeps the count and fails the article past ANALYSIS_MAX_ATTEMPTS.
    analysis_attempts = models.PositiveIntegerField(default=0)
    # How many times an analysis finished; a redelivered task must not add one.
    times_analyzed = models.PositiveIntegerField(default=0)
    # Which pipeline run is current: a task of an older run does nothing.
    run_id = models.CharField(max_length=32, blank=True)
    # The engine's extraction (sentences, claim frames) between pipeline steps.
    analysis_data = models.JSONField(default=dict, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("reanalyze_article", "Can re-analyse articles")]
        constraints = [
            models.CheckConstraint(
                condition=_in("state", AnalysisState), name="article_state_valid"
            ),
        ]
        indexes = [
            # requeue_stale: articles stuck in queued/running since before a cut-off.
            models.Index(fields=["state", "updated_at"], name="article_state_updated"),
            # Article lists, newest first.
            models.Index(fields=["-created_at"], name="article_created"),
            # Ingest: is this text a new version of a recent article of the same
            # publication? (claims.services.versions)
            models.Index(fields=["publication", "-created_at"], name="article_publication_created"),
            # Ingest: the article a URL was ingested from (its page fetched again
            # becomes a new version), and feeds: is an item's link already an
            # article? A prefix: a btree entry must stay small (a whole URL of up to
            # 2,000 non-ASCII characters would pass PostgreSQL's 2,704-byte limit).
            models.Index(Left("source_url", SOURCE_URL_KEY), name="article_source_url_prefix"),
        ]

    def __str__(self) -> str:
        return self.title or f"Article {self.pk}"

    @property
    def body(self) -> str:
        return self.raw_text[self.body_offset :]


class Claim(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="claims")
    position = models.PositiveIntegerField(default=0)  # order in the article

    # --- what the machine read -------------------------------------------------
    text = models.TextField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    sentence_start = models.PositiveIntegerField()
    sentence_end = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=ClaimKind.choices, default=ClaimKind.STATEMENT)
    origin = models.CharField(max_length=24, blank=True)
    source_text = models.CharField(max_length=500, blank=True)
    source_type = models.CharField(
        max_length=20, choices=SourceType.choices, default=SourceType.NONE
    )
    source_start = models.PositiveIntegerField(null=True, blank=True)
    source_end = models.PositiveIntegerField(null=True, blank=True)
    source_mention = models.CharField(max_length=500, blank=True)
    source_verb = models.CharField(max_length=50, blank=True)
    source_role = models.CharField(max_length=300, blank=True)
    source_via = models.CharField(max_length=300, blank=True)
    source_relayed = models.BooleanField(default=False)
    sourcing_strength = models.CharField(
        max_length=10, choices=Strength.choices, default=Strength.NONE
    )
    # The source entity the name resolves to across articles (claims.services.sources);
    # None for unnamed sources and the publication's own assertions.
    source = models.ForeignKey(
        "Source", null=True, blank=True, on_delete=models.SET_NULL, related_name="claims"
    )
    confidence_score = models.FloatField(null=True, blank=True)
    confidence_level = models.CharField(max_length=10, choices=ConfidenceLevel.choices, blank=True)
    confidence_reasons = models.JSONField(default=list, blank=True)
    checkworthiness = models.FloatField(default=0.0)
    # Normalised text hash: how a re-analysis finds this claim again.
    fingerprint = models.CharField(max_length=40)

    # --- sort keys and the search document, kept by the database ---------------
    # Stored generated columns, so the sort orders of the queue and the API are
    # plain columns an index can hold, whoever writes the claim (save, bulk_create,
    # bulk_update, raw SQL): an expression in ORDER BY has to match an expression
    # index to the letter, a column does not.
    level_rank = models.GeneratedField(
        expression=Case(
            *[When(confidence_level=lv, then=Value(i)) for i, lv in enumerate(LEVEL_RANKS)],
            default=Value(UNSCORED_RANK),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    score_key = models.GeneratedField(
        expression=Coalesce(F("confidence_score"), Value(UNSCORED_SCORE)),
        output_field=models.FloatField(),
        db_persist=True,
    )
    # due_at with "no date" as the far future: the queue's due and priority orders
    # are keyset pages, and a cursor cannot hold a NULL (nor can "> NULL" match).
    due_key = models.GeneratedField(
        expression=Coalesce(F("due_at"), Value(NO_DUE_DATE)),
        output_field=models.DateTimeField(),
        db_persist=True,
    )
    # The full-text document (claim text weight A, source weight B). On PostgreSQL
    # a trigger (migration 0010) fills it on every insert and update; elsewhere it
    # stays empty and search falls back to LIKE. Its GIN index (claim_search, for
    # ?q=) is made by that migration too: SQLite has no GIN.
    search_vector = SearchVectorField(null=True, blank=True, editable=False)

    # --- what people decided ---------------------------------------------------
    # The fields from here on (but the version marks) are people's and the counters:
    # a claim the analysis creates holds their defaults. Each has its default in the
    # database too (db_default, the same value), so that the analysis's bulk insert
    # leaves them out (claims.services.pipeline._claims_insert); the Python default
    # stays, for the instances before they are saved.
    status = models.CharField(
        max_length=12,
        choices=ClaimStatus.choices,
        default=ClaimStatus.UNSTARTED,
        db_default=ClaimStatus.UNSTARTED,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_claims",
    )
    notes = models.TextField(blank=True, default="", db_default="")
    # The desk's planning: set by editors, in bulk too; the queue sorts and filters by them.
    due_at = models.DateTimeField(null=True, blank=True)
    priority = models.PositiveSmallIntegerField(
        choices=Priority.choices, default=Priority.NORMAL, db_default=Priority.NORMAL
    )
    # Why a claim was dismissed (the free text goes in the transition's note).
    dismiss_reason = models.CharField(
        max_length=20, choices=DismissReason.choices, blank=True, default="", db_default=""
    )
    # The published fact-check: what a ClaimReview export puts in public. Set by an
    # editor with the verdict, and kept apart from the desk's internal notes.
    public_url = models.URLField(max_length=2000, blank=True, default="", db_default="")
    public_summary = models.TextField(blank=True, default="", db_default="")
    # People's corrections of the machine's fields survive re-analysis.
    human_edited = models.BooleanField(default=False, db_default=False)
    human_added = models.BooleanField(default=False, db_default=False)
    # A claim people worked on that the latest analysis no longer finds.
    missing_from_analysis = models.BooleanField(default=False, db_default=False)
    # --- versions of the article -------------------------------------------------
    # The article version whose text start, end and the sentence offsets point into:
    # the current one, except for a claim a later version removed.
    text_version = models.PositiveIntegerField(default=1)
    # What version ``change_version`` did to the claim; blank before any second version.
    version_change = models.CharField(max_length=10, choices=VersionChange.choices, blank=True)
    change_version = models.PositiveIntegerField(null=True, blank=True)
    # The claim's text in the version before, when that version changed it.
    previous_text = models.TextField(blank=True)
    # Optimistic locking: every editorial change increments it.
    version = models.PositiveIntegerField(default=1, db_default=1)
    # The cluster of claims that say the same thing, joined by an editor's confirmed
    # matches: the smallest claim id of the cluster; null while the claim stands alone.
    cluster_id = models.PositiveBigIntegerField(null=True, blank=True)
    # In how many articles the claim is made: its own, its cluster's, and those of its
    # strong suggested matches (score >= CLUSTER_REPEAT_SCORE). Kept by the matching
    # service (claims.services.matching.claim_repeats_update) whenever those change;
    # the queue shows "Repeated in N articles" and the API filters on it.
    repeats = models.PositiveIntegerField(default=1, db_default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["article_id", "position"]
        permissions = [
            ("work_claim", "Can start, give back and dismiss claims, add notes and evidence"),
            ("give_verdict", "Can give, reopen and restore verdicts"),
            ("assign_any", "Can assign claims to anyone"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="claim_span_valid"),
            models.CheckConstraint(
                condition=Q(sentence_start__lte=models.F("start"))
                & Q(end__lte=models.F("sentence_end")),
                name="claim_inside_sentence",
            ),
            models.CheckConstraint(condition=_in("status", ClaimStatus), name="claim_status_valid"),
            models.CheckConstraint(
                condition=_in("source_type", SourceType), name="claim_source_type_valid"
            ),
            models.CheckConstraint(
                condition=_in("sourcing_strength", Strength), name="claim_strength_valid"
            ),
            models.CheckConstraint(
                condition=Q(confidence_level="") | _in("confidence_level", ConfidenceLevel),
                name="claim_confidence_level_valid",
            ),
            models.CheckConstraint(
                condition=Q(version_change="") | _in("version_change", VersionChange),
                name="claim_version_change_valid",
            ),
            # A machine claim is one span of one version of one article: a repeated
            # extraction task must update it, never add a second copy. (A claim a
            # later version removed keeps its span in the text of its own version.)
            models.UniqueConstraint(
                fields=["article", "text_version", "start", "end"],
                condition=Q(human_added=False),
                name="claim_unique_machine_span",
            ),
        ]
        indexes = [
            # The API's default order (?ordering=confidence_score, cursor pages):
            # ORDER BY score_key, checkworthiness DESC, id LIMIT n.
            models.Index(
                F("score_key"), F("checkworthiness").desc(), F("id"), name="claim_score_order"
            ),
            # The dashboard queue's default order (level, then "most check-worthy"):
            # ORDER BY level_rank, checkworthiness DESC, article_id, position, id.
            models.Index(
                F("level_rank"),
                F("checkworthiness").desc(),
                F("article_id"),
                F("position"),
                F("id"),
                name="claim_queue_order",
            ),
            # ?confidence_level=..&status=.. (the queue's chips, the API's main
            # filter): equality on both, then the API's default order.
            models.Index(
                F("confidence_level"),
                F("status"),
                F("score_key"),
                F("checkworthiness").desc(),
                F("id"),
                name="claim_level_status_order",
            ),
            # The API's ?confidence_level=.. alone: equality on the level, then the
            # default order (without it a page walks the score order past every
            # claim of the levels before: 145 ms at a million claims).
            models.Index(
                F("confidence_level"),
                F("score_key"),
                F("checkworthiness").desc(),
                F("id"),
                name="claim_level_order",
            ),
            # The queue filtered by a level (its chips; status filtered on the way):
            # equality on confidence_level, then the queue's default order.
            models.Index(
                F("confidence_level"),
                F("level_rank"),
                F("checkworthiness").desc(),
                F("article_id"),
                F("position"),
                F("id"),
                name="claim_level_queue_order",
            ),
            # ?source_type=.. (alone or with hedge_category), in the API's order.
            models.Index(
                F("source_type"),
                F("score_key"),
                F("checkworthiness").desc(),
                F("id"),
                name="claim_source_order",
            ),
            # The queue sorted by due date (no date last), then priority:
            # ORDER BY due_key, priority, id.
            models.Index(F("due_key"), F("priority"), F("id"), name="claim_due_order"),
            # The queue sorted by priority (urgent first), then due date:
            # ORDER BY priority, due_key, id.
            models.Index(F("priority"), F("due_key"), F("id"), name="claim_priority_order"),
            # ?ordering=(-)checkworthiness cursor pages.
            models.Index(F("checkworthiness").desc(), F("id"), name="claim_worth_order"),
            # ?ordering=(-)created, the queue's newest/oldest sort and the
            # overview's claims per day (scanned backwards for descending).
            models.Index(fields=["created_at", "id"], name="claim_created"),
            # The article page: its claims in reading order, a page at a time.
            models.Index(fields=["article", "position", "id"], name="claim_article_position"),
            # "Assigned to me" and per-assignee views.
            models.Index(fields=["assignee", "status"], name="claim_assignee_status"),
            # Status filters and the overview's counts.
            models.Index(fields=["status", "updated_at"], name="claim_status_updated"),
            # Re-analysis: find a claim again by its fingerprint within an article.
            models.Index(fields=["article", "fingerprint"], name="claim_article_fingerprint"),
            # A cluster's members (the claim page's suggested verdicts, joining clusters).
            models.Index(fields=["cluster_id"], name="claim_cluster"),
            # The queue's "changed since last version" (?changed=1) in its default
            # order: a few claims among millions, so a partial index.
            models.Index(
                F("level_rank"),
                F("checkworthiness").desc(),
                F("article_id"),
                F("position"),
                F("id"),
                condition=Q(version_change__in=CHANGED_SINCE_LAST_VERSION),
                name="claim_changed_queue_order",
            ),
            # ?repeats_min=N: the few claims made in several articles (most say 1).
            models.Index(fields=["repeats"], name="claim_repeats"),
            # ?source=<name> (the API's exact source name): without it a page walked
            # the whole sort index looking for the name (11.7 s at a million claims
            # for a name no claim has). Built concurrently (migration 0030).
            models.Index(fields=["source_text"], name="claim_source_text"),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def touched(self) -> bool:
        """Whether people have worked on it: such a claim is never replaced."""
        return (
            self.status != ClaimStatus.UNSTARTED
            or self.assignee_id is not None
            or bool(self.notes)
            or self.human_edited
            or self.human_added
            or self.version > 1
        )


class HedgeCue(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="hedges")
    text = models.CharField(max_length=200)
    category = models.CharField(max_length=20, choices=HedgeCategory.choices)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=_in("category", HedgeCategory), name="hedge_category_valid"
            ),
            models.UniqueConstraint(fields=["claim", "start", "end"], name="hedge_unique_span"),
        ]
        indexes = [
            # Filtering claims by hedge category joins through this.
            models.Index(fields=["category", "claim"], name="hedge_category_claim"),
        ]

    def __str__(self) -> str:
        return f"{self.text} ({self.category})"


class AppendOnly(models.Model):
    """History rows: written once, never changed or deleted (through the ORM; on
    PostgreSQL a trigger refuses UPDATE and DELETE too, see migration 0004)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError(f"{type(self).__name__} rows are history: they cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{type(self).__name__} rows are history: they cannot be deleted")


class StatusChange(AppendOnly):
    """One step of a claim's verification workflow. Written once, never changed."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="status_changes")
    # PROTECT: history keeps who did it; deactivate people rather than delete them.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=12, choices=ClaimStatus.choices)
    to_status = models.CharField(max_length=12, choices=ClaimStatus.choices)
    note = models.TextField(blank=True)
    # The verdict an undo puts back (a bulk reopen undone): the change that gave it,
    # whose time says which text it is about (a new version may have changed the
    # claim since). None for every step a person took. Read only through this row
    # (select_related), never filtered on: no index.
    restores = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # A claim's history, oldest first.
            models.Index(fields=["claim", "created_at"], name="statuschange_claim_time"),
            # The overview's status changes per day: today's, on every request (without
            # it a scan of the whole history: 63 ms at a million claims).
            models.Index(fields=["created_at"], name="statuschange_time"),
        ]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status}"

    @property
    def given(self) -> StatusChange:
        """The change that gave this verdict: itself, or the one an undo restored."""
        return self.restores if self.restores_id else self


class ClaimChange(AppendOnly):
    """Every editorial change to a claim other than its status: assignment,
    notes, evidence, people's corrections of the machine's fields."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="changes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=30)
    # {"field": [before, after], ...}
    changes = models.JSONField(default=dict)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # A claim's history, oldest first.
            models.Index(fields=["claim", "created_at"], name="claimchange_claim_time"),
            # The admin's list of changes, oldest first (the model's order): without
            # it every page sorted the whole table (111-290 ms at 380k changes).
            # Built concurrently (migration 0031).
            models.Index(fields=["created_at", "id"], name="claimchange_time"),
        ]

    def __str__(self) -> str:
        return f"{self.action} on claim {self.claim_id}"


class Evidence(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    url = models.URLField(max_length=2000)
    note = models.TextField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.url


class FactCheckOrigin(models.TextChoices):
    IMPORTED = "imported", "Imported ClaimReview"
    OURS = "ours", "Our own verdict"


class FactCheck(models.Model):
    """A published fact-check in the library that claims are matched against: an
    imported schema.org ClaimReview, or one of our own verdicts exported as one."""

    # sha256 of (url, claim text): a re-import finds the same row and updates it.
    key = models.CharField(max_length=64, unique=True)
    origin = models.CharField(
        max_length=10, choices=FactCheckOrigin.choices, default=FactCheckOrigin.IMPORTED
    )
    claim_text = models.TextField()
    claimant = models.CharField(max_length=500, blank=True)
    rating = models.CharField(max_length=200, blank=True)  # reviewRating.alternateName
    rating_value = models.FloatField(null=True, blank=True)
    rating_best = models.FloatField(null=True, blank=True)
    rating_worst = models.FloatField(null=True, blank=True)
    publisher = models.CharField(max_length=300, blank=True)
    publisher_url = models.URLField(max_length=2000, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    language = models.CharField(max_length=20, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Our own verdict's claim, when origin is "ours".
    claim = models.OneToOneField(
        Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="factcheck"
    )
    document = models.JSONField(default=dict, blank=True)  # the ClaimReview as imported
    # Our own verdict, reopened (or its published fact-check unset): out of the
    # library (not listed, not a matching candidate, its matches not shown) but kept,
    # with the matches people confirmed or rejected against it, which come back
    # with it when the claim's verdict is published again (the same row and id).
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=_in("origin", FactCheckOrigin), name="factcheck_origin_valid"
            ),
        ]
        indexes = [
            # The library in its order, newest review first (the admin's list): a
            # walk of this index, not a sort of the library (45 ms at 50k reviews,
            # growing with it). Built concurrently (migration 0032).
            models.Index(F("reviewed_at").desc(), F("id").desc(), name="factcheck_reviewed"),
        ]

    def __str__(self) -> str:
        return f"{self.publisher or 'unknown'}: {self.rating or '?'}"


class Comment(AppendOnly):
    """One message of a claim's discussion. Append-only like the history (no edit,
    no delete; on PostgreSQL a trigger refuses both, migration 0014): what was said
    stays said, and a correction is a new comment."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="comments")
    # None: the claim's notes from before the discussion ("earlier notes").
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField()  # markdown, as typed
    # The sanitised HTML of ``body`` (claims.markup), rendered once when written:
    # the row never changes, so neither does its rendering.
    body_html = models.TextField()
    mentioned = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # A claim's discussion, oldest first.
            models.Index(fields=["claim", "created_at"], name="comment_claim_time"),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} on claim {self.claim_id}"


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", "A claim is assigned to me"
    MENTION = "mention", "Someone mentions me in a comment"
    VERDICT = "verdict", "A verdict on a claim I worked on"
    DEADLINE = "deadline", "A claim of mine is due within a day"


class Notification(models.Model):
    """One item of a person's inbox."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=10, choices=NotificationKind.choices)
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.CharField(max_length=300)
    # The deadline a reminder is about: one reminder per claim per deadline.
    due_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=_in("kind", NotificationKind), name="notification_kind_valid"
            ),
            # The beat task may run twice over the same claims (a redelivery, two
            # beats): the second insert is refused, so nobody is reminded twice.
            # Per person: a claim reassigned after its reminder reminds the new one.
            models.UniqueConstraint(
                fields=["claim", "recipient", "due_at"],
                condition=Q(kind="deadline"),
                name="notification_deadline_once",
            ),
        ]
        indexes = [
            # The inbox, newest first, and the header's unread count.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox"),
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
        ]

    def __str__(self) -> str:
        return self.message


class NotificationPreference(models.Model):
    """What a person receives of one kind, and how. No row: in the inbox, no e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=10, choices=NotificationKind.choices)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once"),
            models.CheckConstraint(
                condition=_in("kind", NotificationKind), name="notification_preference_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


class SavedView(models.Model):
    """A queue filter set a user saved by name: the query string of the queue."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=100)
    query = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class BulkAction(models.Model):
    """One bulk action as it was applied: who, what, and each claim's fields
    before and after, so that it can be undone for a while (BULK_UNDO_MINUTES)
    by writing the inverse as new changes. History itself is never rewritten."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # "start", "dismiss", "assign", "plan", "verdict:false", ...
    action = models.CharField(max_length=30)
    # What the face showed in its confirmation: "Dismiss 21 claims: status ...".
    summary = models.CharField(max_length=500, blank=True)
    # [{"claim": id, "before": {field: value}, "after": {field: value, "version": n}}]
    items = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The queue's "Undo" offer: a user's latest bulk action.
            models.Index(fields=["user", "-created_at"], name="bulkaction_user_time"),
        ]

    def __str__(self) -> str:
        return f"Bulk action #{self.pk}: {self.summary or self.action}"


class Source(models.Model):
    """A source resolved across articles: every claim whose source name normalises
    to one of its aliases is linked to it. Editors merge and split them; a merged
    source keeps its row (``merged_into``) so that old links still lead somewhere."""

    key = models.CharField(max_length=300)  # the normalised name it was created from
    name = models.CharField(max_length=500)  # as people read it: "the Syrian Observatory"
    type = models.CharField(max_length=20, choices=SourceType.choices)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        permissions = [("manage_source", "Can merge and split sources")]
        constraints = [
            models.CheckConstraint(condition=_in("type", SourceType), name="source_type_valid"),
        ]
        indexes = [
            # The sources list's search (?q=) and order.
            models.Index(fields=["name", "id"], name="source_name"),
        ]

    def __str__(self) -> str:
        return self.name


class SourceAlias(models.Model):
    """One normalised name of a source. Unique: a name resolves to one source."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="aliases")
    key = models.CharField(max_length=300, unique=True)
    name = models.CharField(max_length=500)  # the name as first seen

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "source aliases"

    def __str__(self) -> str:
        return self.name


class SourceChange(AppendOnly):
    """An editor's merge or split of sources. Written once, never changed."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="changes")
    other = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=10)  # "merged" (into other) or "split" (to other)
    aliases = models.JSONField(default=list)  # the names that moved
    claims = models.PositiveIntegerField(default=0)  # how many claims moved
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.source_id} {self.action} {self.other_id}"


class MatchState(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"


class ClaimMatch(models.Model):
    """A claim that says the same thing as an earlier claim of another article, or as
    a published fact-check: found by claim matching, then confirmed or rejected by
    an editor. A rejected match is kept, so it is never suggested again."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="matches")
    matched_claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="matched_by"
    )
    matched_factcheck = models.ForeignKey(
        FactCheck, null=True, blank=True, on_delete=models.CASCADE, related_name="matches"
    )
    # The claim's fingerprint when matched: a rejection also holds for a claim that a
    # re-analysis wrote again under a new id with the same text.
    claim_fingerprint = models.CharField(max_length=40, blank=True)
    score = models.FloatField()
    # [{"start", "end", "other_start", "other_end"}]: shared word runs, in each text.
    spans = models.JSONField(default=list, blank=True)
    # Which two texts ``score`` and ``spans`` are of (a short hash of both: see
    # claims.services.matching.scored_texts): a matching run scores a changed claim's
    # matches again only when a text differs from the last scoring's, not on every
    # run of the version. Blank: not recorded (rows from before), scored again once.
    scored_texts = models.CharField(max_length=16, blank=True, default="")
    state = models.CharField(
        max_length=10, choices=MatchState.choices, default=MatchState.SUGGESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.CheckConstraint(condition=_in("state", MatchState), name="match_state_valid"),
            # Exactly one target: an earlier claim or a fact-check.
            models.CheckConstraint(
                condition=Q(matched_claim__isnull=False, matched_factcheck__isnull=True)
                | Q(matched_claim__isnull=True, matched_factcheck__isnull=False),
                name="match_one_target",
            ),
            models.CheckConstraint(condition=~Q(matched_claim=F("claim")), name="match_not_itself"),
            models.UniqueConstraint(
                fields=["claim", "matched_claim"],
                condition=Q(matched_claim__isnull=False),
                name="match_unique_claim",
            ),
            models.UniqueConstraint(
                fields=["claim", "matched_factcheck"],
                condition=Q(matched_factcheck__isnull=False),
                name="match_unique_factcheck",
            ),
        ]
        indexes = [
            # A claim's page lists the matches that point at it too (matched_by).
            models.Index(fields=["matched_claim", "state"], name="match_matched_claim"),
            # Remembered rejections by text: (fingerprint, target) on re-analysis.
            models.Index(fields=["claim_fingerprint", "state"], name="match_fingerprint"),
        ]

    def __str__(self) -> str:
        return f"claim {self.claim_id} ~ {self.matched_claim_id or self.matched_factcheck_id}"


# --- Feeds: RSS and Atom subscriptions, polled by Celery beat (claims.services.feeds) ---


class Feed(models.Model):
    """An RSS or Atom feed an editor subscribed to. Beat polls it every
    ``poll_interval_minutes`` with a conditional GET (the ``etag`` and
    ``last_modified`` it last answered); each new item's link becomes a URL
    article. After an error the next poll is put off, twice as long each time."""

    url = models.URLField(max_length=2000, unique=True)
    title = models.CharField(max_length=500, blank=True)  # the feed's own, unless an editor set one
    poll_interval_minutes = models.PositiveIntegerField(default=15)
    active = models.BooleanField(default=True)
    # What the server answered last time, sent back as If-None-Match and
    # If-Modified-Since (the Last-Modified header as it came: never re-formatted).
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    next_poll_at = models.DateTimeField(default=timezone.now)  # due from then on
    # The lease of the poll running now (claims.services.feeds._claim), none when no
    # poll runs: apart from next_poll_at, so that making the feed due ("Poll now",
    # an edit) never frees it for a second poll at the same time.
    polling_until = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    # The error state: how many polls in a row failed, since when, and why (the last).
    consecutive_errors = models.PositiveIntegerField(default=0)
    error_since = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "url", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(poll_interval_minutes__gte=1), name="feed_interval_positive"
            ),
        ]
        indexes = [
            # feeds_poll_due, every minute: the active feeds whose poll is due.
            models.Index(fields=["active", "next_poll_at"], name="feed_due"),
        ]

    def __str__(self) -> str:
        return self.title or self.url

    @property
    def failing(self) -> bool:
        return self.consecutive_errors > 0

    @property
    def state(self) -> str:
        """One word for the list: paused, error (the last poll failed), new or ok."""
        if not self.active:
            return "paused"
        if self.failing:
            return "error"
        return "ok" if self.last_success_at else "new"


class FeedItem(models.Model):
    """One entry of a feed, seen once: its id in the feed (``guid``: the entry's
    id, or its link when it has none) is unique per feed, so an item that stays in
    the feed for days, or comes twice in one document, becomes one article."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="items")
    guid = models.CharField(max_length=500)  # a longer one is stored as its sha256
    link = models.URLField(max_length=2000, blank=True)
    title = models.CharField(max_length=500, blank=True)
    # The feed's own dates for the entry (published, updated), kept as the feed gave them.
    feed_published_at = models.DateTimeField(null=True, blank=True)
    feed_updated_at = models.DateTimeField(null=True, blank=True)
    # The article its link became (or already was); null when it could not be
    # ingested (``error`` says why) or the article was deleted since.
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="feed_items"
    )
    error = models.TextField(blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-first_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["feed", "guid"], name="feeditem_unique_guid"),
        ]
        indexes = [
            # A feed's items, newest first (the API's /feeds/{id}/items/, the admin).
            models.Index(fields=["feed", "-first_seen_at"], name="feeditem_feed_time"),
        ]

    def __str__(self) -> str:
        return self.title or self.link or self.guid


# --- Webhooks (claims.services.webhooks) ----------------------------------------------


class WebhookEvent(models.TextChoices):
    ARTICLE_ANALYSED = "article.analysed", "Article analysed"
    ARTICLE_FAILED = "article.failed", "Article failed"
    CLAIM_STATUS_CHANGED = "claim.status_changed", "Claim status changed"
    CLAIM_VERDICT = "claim.verdict", "Verdict given"
    CLAIM_MATCHED = "claim.matched", "Claim matched"


class WebhookEndpoint(models.Model):
    """An address another newsroom system gave us, and the events it wants. Each
    delivery is signed with ``secret`` (HMAC-SHA256), so the secret is kept as
    given: a digest could not sign. Payloads hold what ``owner`` may read."""

    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=300, blank=True)
    events = models.JSONField(default=list)  # WebhookEvent values
    secret = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="webhook_endpoints"
    )
    # The last delivery that gave up, for the list's "failing" badge; cleared by a success.
    failing_since = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Two active endpoints of one owner at one URL would get every event
            # twice: the service's check refuses the second, this refuses a race.
            # On the URL's MD5, not the URL: a b-tree row holds at most ~2,700 bytes,
            # and a URL within its 2,000 characters may be 6,000 in UTF-8.
            models.UniqueConstraint(
                models.F("owner"),
                MD5("url"),
                condition=models.Q(active=True),
                name="webhook_one_active_per_owner_url",
            ),
        ]

    def __str__(self) -> str:
        return self.description or self.url


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    RETRYING = "retrying", "Retrying"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event for one endpoint: the payload as it was when the event happened,
    and where its delivery stands. Every try is a WebhookAttempt."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=30, choices=WebhookEvent.choices)
    # The same for every endpoint and every try of one event: the Webhook-Id header,
    # which a receiver uses to ignore a delivery it already has.
    event_id = models.UUIDField()
    payload = models.JSONField()
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    # Each "Resend" allows one more attempt past WEBHOOK_MAX_ATTEMPTS.
    resends = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.CheckConstraint(
                condition=_in("state", DeliveryState), name="delivery_state_valid"
            ),
            models.CheckConstraint(
                condition=_in("event", WebhookEvent), name="delivery_event_valid"
            ),
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="delivery_once_per_event"
            ),
        ]
        indexes = [
            # An endpoint's delivery log, newest first.
            models.Index(fields=["endpoint", "-created_at", "-id"], name="delivery_endpoint_time"),
            # The beat's sweep: deliveries due again (pending or retrying).
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state__in=["pending", "retrying"]),
                name="delivery_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} to endpoint {self.endpoint_id}"


class WebhookAttempt(models.Model):
    """One POST of a delivery, as it went: kept so that editors see every try."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="tries")
    number = models.PositiveIntegerField()
    at = models.DateTimeField()
    status = models.PositiveSmallIntegerField(null=True, blank=True)  # HTTP status, if any
    duration_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="attempt_number_once"),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}"


# --- Article versions and corrections (issue 15) -------------------------------------


class ArticleVersion(models.Model):
    """One version of an article's text. Written when a second version arrives
    (version 1 from the article as it was, then the new one) and for each one
    after: an article that never changed has no rows here."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    raw_text = models.TextField()
    # The text of an older version, ingested again, is this article: never a new one.
    content_hash = models.CharField(max_length=64, unique=True)
    title = models.CharField(max_length=500, blank=True)
    # The correction notices found in this version's text: [{text, start, end}].
    corrections = models.JSONField(default=list, blank=True)
    # What the analysis of this version did to the claims: {"changed": n, "new": n,
    # "removed": n, "unchanged": n}; empty until that analysis has run.
    changes = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["article", "number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


# --- Bulk import (issue 15): manage.py ingest and POST /api/v1/articles/batch/ ------------


class ImportBatchState(models.TextChoices):
    RUNNING = "running", "Running"  # items are being read and ingested
    DONE = "done", "Done"  # every item has its outcome (analyses may still run)
    INTERRUPTED = "interrupted", "Interrupted"  # stopped before the last item


class ImportOutcome(models.TextChoices):
    CREATED = "created", "Created"
    DUPLICATE = "duplicate", "Duplicate"
    # The text (or the page at a known URL) is an update of an article already here:
    # it became that article's next version (claims.services.versions).
    VERSION = "version", "New version"
    FAILED = "failed", "Failed"


class ImportBatch(models.Model):
    """One bulk import, from the command or the API: who, from what, and the
    running totals, so that both faces show the same progress. The analysis
    progress is read from the articles themselves (see selectors.batch_progress)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # "command" or "api"; ``source`` says what was read ("folder/ urls.txt -").
    kind = models.CharField(max_length=20)
    source = models.CharField(max_length=2000, blank=True)
    state = models.CharField(
        max_length=12, choices=ImportBatchState.choices, default=ImportBatchState.RUNNING
    )
    total = models.PositiveIntegerField(default=0)
    # Raised in the same transaction as each item row: never ahead of the items.
    created = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    versions = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=_in("state", ImportBatchState), name="importbatch_state_valid"
            ),
        ]
        indexes = [
            # A user's own batches, newest first (the API's visibility rule).
            models.Index(fields=["created_by", "-created_at"], name="importbatch_user_time"),
        ]

    def __str__(self) -> str:
        return f"Import #{self.pk} ({self.kind}): {self.source[:80]}"

    @property
    def processed(self) -> int:
        return self.created + self.duplicates + self.versions + self.failed


class ImportBatchItem(models.Model):
    """One input of a batch (a file, a URL, a JSON Lines line) and what became of it."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()  # 1-based, in the order the inputs were read
    # A file path, a URL, or "file.jsonl:3" / "-:3" for a line of a list.
    name = models.CharField(max_length=2100)
    outcome = models.CharField(max_length=10, choices=ImportOutcome.choices)
    error = models.TextField(blank=True)
    # The article created, or the one it duplicates; none when it failed.
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The broker could not be reached when the item's article was queued: it was
    # stored as queued, and requeue_stale (beat) sends it once the broker is back.
    # The API says so (the item's ``enqueued`` false), as POST /articles/ does.
    queue_unreachable = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["batch", "position"]
        constraints = [
            models.CheckConstraint(
                condition=_in("outcome", ImportOutcome), name="importbatchitem_outcome_valid"
            ),
            # One row per input: also the index for the items of a batch in order.
            models.UniqueConstraint(
                fields=["batch", "position"], name="importbatchitem_unique_position"
            ),
        ]
        indexes = [
            # The progress endpoint: a batch's failed items, and its created articles.
            models.Index(fields=["batch", "outcome"], name="importbatchitem_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name[:80]}: {self.outcome}"


class TokenParent(models.Model):
    """An API token made with another token (``POST /api/v1/tokens/`` authenticated
    by a token): the one it was made with is its parent. Revoking a token revokes
    its descendants (claims.tokens.token_revoke), so that a stolen token, revoked,
    leaves no working token behind. Tokens made with a session or the command have
    no row."""

    # knox's AuthToken (swappable in name only: this app uses knox's own model).
    token = models.OneToOneField(
        "knox.AuthToken",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
        swappable=False,
    )
    # CASCADE: the row goes with either token, however it is deleted (revoke deletes
    # the children first; an expired parent's children have expired with it).
    parent = models.ForeignKey(
        "knox.AuthToken", on_delete=models.CASCADE, related_name="+", swappable=False
    )

    def __str__(self) -> str:
        return f"{self.token_id[:8]} made with {self.parent_id[:8]}"
