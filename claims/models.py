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
from django.db.models.functions import Coalesce


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

    state = models.CharField(
        max_length=10, choices=AnalysisState.choices, default=AnalysisState.QUEUED
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
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
    status = models.CharField(
        max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.UNSTARTED
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_claims",
    )
    notes = models.TextField(blank=True)
    # The desk's planning: set by editors, in bulk too; the queue sorts and filters by them.
    due_at = models.DateTimeField(null=True, blank=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    # Why a claim was dismissed (the free text goes in the transition's note).
    dismiss_reason = models.CharField(max_length=20, choices=DismissReason.choices, blank=True)
    # The published fact-check: what a ClaimReview export puts in public. Set by an
    # editor with the verdict, and kept apart from the desk's internal notes.
    public_url = models.URLField(max_length=2000, blank=True)
    public_summary = models.TextField(blank=True)
    # People's corrections of the machine's fields survive re-analysis.
    human_edited = models.BooleanField(default=False)
    human_added = models.BooleanField(default=False)
    # A claim people worked on that the latest analysis no longer finds.
    missing_from_analysis = models.BooleanField(default=False)
    # Optimistic locking: every editorial change increments it.
    version = models.PositiveIntegerField(default=1)
    # The cluster of claims that say the same thing, joined by an editor's confirmed
    # matches: the smallest claim id of the cluster; null while the claim stands alone.
    cluster_id = models.PositiveBigIntegerField(null=True, blank=True)
    # In how many articles the claim is made: its own, its cluster's, and those of its
    # strong suggested matches (score >= CLUSTER_REPEAT_SCORE). Kept by the matching
    # service (claims.services.matching.claim_repeats_update) whenever those change;
    # the queue shows "Repeated in N articles" and the API filters on it.
    repeats = models.PositiveIntegerField(default=1)
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
            # A machine claim is one span of one article: a repeated extraction
            # task must update it, never add a second copy.
            models.UniqueConstraint(
                fields=["article", "start", "end"],
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
            # ?repeats_min=N: the few claims made in several articles (most say 1).
            models.Index(fields=["repeats"], name="claim_repeats"),
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
            models.UniqueConstraint(
                fields=["claim", "due_at"],
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
