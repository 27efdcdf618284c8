"""What the API reads and writes. Output serializers only shape rows the
selectors fetched; input serializers check types and sizes, and leave every
rule to the services and the workflow."""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import get_error_detail
from rest_framework.reverse import reverse as drf_reverse

from claims.domain import EVIDENCE_URL_MAX, validate_evidence_url
from claims.ingest import SOURCE_PER_TEXT, IngestError
from claims.models import (
    AnalysisState,
    Article,
    Claim,
    ClaimStatus,
    Comment,
    ConfidenceLevel,
    DismissReason,
    Evidence,
    HedgeCue,
    ImportBatchState,
    ImportOutcome,
    Priority,
    SourceType,
    VersionChange,
)
from claims.selectors import claim_history
from claims.services import batch_input_from_object
from claims.workflow import allowed_targets

NOTE_MAX = 10_000
HTTP_URL = URLValidator(schemes=["http", "https"])


class StrictCharField(serializers.CharField):
    """A string, and only a string: DRF's CharField turns 42 or true into "42" and "True"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class LinkField(StrictCharField):
    """An evidence link or a published fact-check's address. The one link check
    (validate_evidence_url) runs first, and alone when it refuses the link: it says
    the length itself ("The link is longer than 2000 characters."), which DRF's own
    check then said again in its words. DRF's checks (and the schema's maxLength)
    stay for the rest."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", EVIDENCE_URL_MAX)
        super().__init__(**kwargs)

    def run_validators(self, value):
        try:
            validate_evidence_url(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(get_error_detail(exc)) from None
        super().run_validators(value)


def username(**kw) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="username", read_only=True, **kw)


# --- Claims ---------------------------------------------------------------------------


class HedgeSerializer(serializers.ModelSerializer):
    class Meta:
        model = HedgeCue
        fields = ["text", "category", "start", "end"]


class SourceSerializer(serializers.Serializer):
    """Who the article says makes the claim (the contract's ``source``)."""

    text = serializers.CharField(source="source_text")
    type = serializers.ChoiceField(source="source_type", choices=SourceType.choices)
    role = serializers.CharField(source="source_role")
    verb = serializers.CharField(source="source_verb")
    mention = serializers.CharField(source="source_mention")
    via = serializers.CharField(source="source_via")
    relayed = serializers.BooleanField(source="source_relayed")
    start = serializers.IntegerField(source="source_start", allow_null=True)
    end = serializers.IntegerField(source="source_end", allow_null=True)


class SentenceSerializer(serializers.Serializer):
    """The claim's sentence in the article's text (the contract's ``sentence``)."""

    start = serializers.IntegerField(source="sentence_start")
    end = serializers.IntegerField(source="sentence_end")


class ConfidenceSerializer(serializers.Serializer):
    """Null score and level: the analysis has not scored the claim yet."""

    score = serializers.FloatField(source="confidence_score", allow_null=True)
    level = serializers.SerializerMethodField()
    reasons = serializers.ListField(source="confidence_reasons", child=serializers.CharField())

    @extend_schema_field(serializers.ChoiceField(choices=ConfidenceLevel.choices, allow_null=True))
    def get_level(self, claim: Claim) -> str | None:
        return claim.confidence_level or None


class VersionChangeSerializer(serializers.Serializer):
    change = serializers.ChoiceField(
        choices=VersionChange.choices,
        help_text="What the article's version ``version`` did to the claim.",
    )
    version = serializers.IntegerField()
    previous_text = serializers.CharField(
        help_text="The claim's text in the version before (changed claims); else empty."
    )


def _version_change(claim: Claim) -> dict | None:
    if not claim.version_change:
        return None
    return {
        "change": claim.version_change,
        "version": claim.change_version,
        "previous_text": claim.previous_text,
    }


class ClaimSerializer(serializers.ModelSerializer):
    _URL_VIEW = "api:claim-detail"
    url = serializers.HyperlinkedIdentityField(view_name=_URL_VIEW)
    article_title = serializers.CharField(source="article.title", read_only=True)
    source = SourceSerializer(source="*", read_only=True)
    sentence = SentenceSerializer(source="*", read_only=True)
    confidence = ConfidenceSerializer(source="*", read_only=True)
    hedges = HedgeSerializer(many=True, read_only=True)
    assignee = username(allow_null=True)
    dismiss_reason = serializers.ChoiceField(
        choices=DismissReason.choices,
        allow_blank=True,
        read_only=True,
        help_text="Why a dismissed claim was dismissed; empty otherwise.",
    )
    public_url = serializers.CharField(
        read_only=True, help_text="The published fact-check (editors set it); may be empty."
    )
    version_change = serializers.SerializerMethodField(
        help_text="Null until the article has a second version; then whether its latest "
        "version left the claim unchanged, changed it, added it or removed it."
    )
    repeats = serializers.IntegerField(
        read_only=True,
        help_text="In how many articles the claim is made: its own, its cluster's and its "
        "strong suggested matches' (1: nowhere else).",
    )

    class Meta:
        model = Claim
        fields = [
            "id",
            "url",
            "article",
            "article_title",
            "position",
            "text",
            "start",
            "end",
            "sentence",
            "kind",
            "source",
            "sourcing_strength",
            "hedges",
            "confidence",
            "checkworthiness",
            "status",
            "dismiss_reason",
            "assignee",
            "due_at",
            "priority",
            "public_url",
            "public_summary",
            "version",
            "missing_from_analysis",
            "version_change",
            "human_edited",
            "cluster_id",
            "repeats",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(VersionChangeSerializer(allow_null=True))
    def get_version_change(self, claim: Claim) -> dict | None:
        return _version_change(claim)

    def to_representation(self, claim: Claim) -> dict:
        """The same document DRF's fields make (a test compares the two on every
        kind of claim), written out: DRF's per-field machinery was 40-60 of the ~75 ms
        of a 50-claim list page, whatever the corpus size (its SQL is under 10 ms).
        Subclasses (the detail document) keep DRF's way."""
        if type(self) is not ClaimSerializer:
            return super().to_representation(claim)
        score = claim.confidence_score
        return {
            "id": claim.pk,
            "url": self._claim_url(claim.pk),
            "article": claim.article_id,
            "article_title": _listed(claim, "list_article_title", "article.title"),
            "position": claim.position,
            "text": claim.text,
            "start": claim.start,
            "end": claim.end,
            "sentence": {"start": claim.sentence_start, "end": claim.sentence_end},
            "kind": claim.kind,
            "source": {
                "text": claim.source_text,
                "type": claim.source_type,
                "role": claim.source_role,
                "verb": claim.source_verb,
                "mention": claim.source_mention,
                "via": claim.source_via,
                "relayed": claim.source_relayed,
                "start": claim.source_start,
                "end": claim.source_end,
            },
            "sourcing_strength": claim.sourcing_strength,
            "hedges": _hedge_docs(claim),
            "confidence": {
                "score": None if score is None else float(score),
                "level": claim.confidence_level or None,
                "reasons": [str(reason) for reason in claim.confidence_reasons or []],
            },
            "checkworthiness": float(claim.checkworthiness),
            "status": claim.status,
            "dismiss_reason": claim.dismiss_reason,
            "assignee": _listed(claim, "list_assignee", "assignee.username")
            if claim.assignee_id
            else None,
            "due_at": self._when(claim.due_at),
            "priority": claim.priority,
            "public_url": claim.public_url,
            "public_summary": claim.public_summary,
            "version": claim.version,
            "missing_from_analysis": claim.missing_from_analysis,
            "version_change": _version_change(claim),
            "human_edited": claim.human_edited,
            "cluster_id": claim.cluster_id,
            "repeats": claim.repeats,
            "created_at": self._when(claim.created_at),
            "updated_at": self._when(claim.updated_at),
        }

    _URL_SENTINEL = 987654321987654321

    def _claim_url(self, pk: int) -> str:
        """The claim's ``url``, as the HyperlinkedIdentityField makes it (DRF's
        reverse, with the request's host and format), reversed once per list instead
        of once per row (50 reverse() calls were ~15 ms of a page), and without
        building the serializer's fields for it (~2 ms of a page)."""
        template = getattr(self, "_url_template", None)
        if template is None:
            template = drf_reverse(
                self._URL_VIEW,
                kwargs={"pk": self._URL_SENTINEL},
                request=self.context["request"],
                format=self.context.get("format"),
            )
            self._url_template = template
        return template.replace(str(self._URL_SENTINEL), str(pk))

    def _when(self, value):
        """_when() with the current time zone looked up once per list."""
        zone = getattr(self, "_zone", None)
        if zone is None:
            zone = self._zone = timezone.get_current_timezone()
        return _when(value, zone)


_DATETIME = serializers.DateTimeField()
_NOT_LISTED = object()


def _listed(claim: Claim, column: str, path: str):
    """What selectors.claim_list_rows reads as a column of the claim's row, else
    the related object's attribute (``path``: "article.title")."""
    value = getattr(claim, column, _NOT_LISTED)
    if value is not _NOT_LISTED:
        return value
    related, attribute = path.split(".")
    return getattr(getattr(claim, related), attribute)


def _hedge_docs(claim: Claim) -> list[dict]:
    """The claim's hedge cues' documents: those selectors.claim_hedges_attach made
    for a list page, else from its (possibly prefetched) cues."""
    docs = getattr(claim, "hedge_docs", None)
    if docs is not None:
        return docs
    return [
        {"text": h.text, "category": h.category, "start": h.start, "end": h.end}
        for h in claim.hedges.all()
    ]


def _when(value, zone=None):
    """A date and time as DRF's DateTimeField writes it (ISO 8601 in the current
    zone, "Z" for UTC); written out for aware values in a known ``zone`` (DRF's
    field was ~1 ms of a 50-claim page's 100 datetimes)."""
    if value is None:
        return None
    if zone is None or value.tzinfo is None:
        return _DATETIME.to_representation(value)
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class MatchSpanSerializer(serializers.Serializer):
    start = serializers.IntegerField(help_text="In this claim's text.")
    end = serializers.IntegerField()
    other_start = serializers.IntegerField(help_text="In the matched text.")
    other_end = serializers.IntegerField()


class MatchSerializer(serializers.Serializer):
    """A claim's match (selectors.MatchView): the other claim or the fact-check."""

    id = serializers.IntegerField(source="match.id")
    state = serializers.CharField(source="match.state")
    score = serializers.FloatField(source="match.score")
    spans = MatchSpanSerializer(many=True)
    kind = serializers.SerializerMethodField(help_text='"claim" or "factcheck".')
    matched_id = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    verdict = serializers.CharField(help_text="The claim's status, or the fact-check's rating.")
    article = serializers.SerializerMethodField()
    article_title = serializers.SerializerMethodField()
    factcheck_url = serializers.SerializerMethodField()
    publisher = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()
    decided_at = serializers.DateTimeField(source="match.decided_at", allow_null=True)

    def get_kind(self, view) -> str:
        return "claim" if view.other_claim is not None else "factcheck"

    def get_matched_id(self, view) -> int:
        return (view.other_claim or view.factcheck).pk

    def get_text(self, view) -> str:
        return view.other_claim.text if view.other_claim else view.factcheck.claim_text

    def get_article(self, view) -> int | None:
        return view.other_claim.article_id if view.other_claim else None

    def get_article_title(self, view) -> str | None:
        return view.other_claim.article.title if view.other_claim else None

    def get_factcheck_url(self, view) -> str | None:
        return view.factcheck.url if view.factcheck else None

    def get_publisher(self, view) -> str | None:
        return view.factcheck.publisher if view.factcheck else None

    def get_decided_by(self, view) -> str | None:
        user = view.match.decided_by
        return user.get_username() if user else None


class MatchDecisionInputSerializer(serializers.Serializer):
    note = StrictCharField(required=False, allow_blank=True, default="", max_length=NOTE_MAX)


class VerdictAcceptInputSerializer(serializers.Serializer):
    source = serializers.IntegerField(
        min_value=1, help_text="The claim of the same cluster whose verdict is taken."
    )
    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="The claim's version you saw; 409 if someone changed it since.",
    )


class EvidenceSerializer(serializers.ModelSerializer):
    added_by = username(allow_null=True)

    class Meta:
        model = Evidence
        fields = ["id", "url", "note", "added_by", "created_at"]
        read_only_fields = fields


class CommentSerializer(serializers.ModelSerializer):
    author = username(allow_null=True, help_text="null: the claim's notes from before comments.")
    body_html = serializers.CharField(
        read_only=True, help_text="The markdown rendered: no raw HTML, no unsafe links."
    )
    mentions = serializers.SlugRelatedField(
        source="mentioned", slug_field="username", many=True, read_only=True
    )

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "body_html", "mentions", "created_at"]
        read_only_fields = fields


class CommentInputSerializer(serializers.Serializer):
    body = StrictCharField(max_length=20_000, help_text="Markdown; @username mentions a colleague.")


class HistoryEventSerializer(serializers.Serializer):
    """One entry of claims.selectors.claim_history: a status change (``kind``
    "status", with from/to) or another change (assigned, notes, evidence, ...)."""

    at = serializers.DateTimeField()
    user = serializers.CharField(source="user.username", allow_null=True)
    kind = serializers.CharField()
    from_status = serializers.ChoiceField(
        source="from", choices=ClaimStatus.choices, allow_null=True
    )
    to_status = serializers.ChoiceField(source="to", choices=ClaimStatus.choices, allow_null=True)
    changes = serializers.JSONField(allow_null=True)
    note = serializers.CharField(allow_blank=True)


class ClaimDetailSerializer(ClaimSerializer):
    sentence = serializers.SerializerMethodField()
    notes = serializers.CharField(
        read_only=True,
        help_text="Deprecated: the claim's discussion (/comments/) replaced the notes. "
        "Still the notes as last saved; the old notes became the discussion's first comment.",
    )
    evidence = EvidenceSerializer(many=True, read_only=True)
    history = serializers.SerializerMethodField()
    allowed_transitions = serializers.SerializerMethodField()

    class Meta(ClaimSerializer.Meta):
        fields = [
            *ClaimSerializer.Meta.fields,
            "sentence",
            "notes",
            "evidence",
            "history",
            "allowed_transitions",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "properties": {"start": {"type": "integer"}, "end": {"type": "integer"}},
            "required": ["start", "end"],
        }
    )
    def get_sentence(self, claim: Claim) -> dict:
        return {"start": claim.sentence_start, "end": claim.sentence_end}

    @extend_schema_field(HistoryEventSerializer(many=True))
    def get_history(self, claim: Claim) -> list:
        return HistoryEventSerializer(claim_history(claim=claim), many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(ClaimStatus.choices)))
    def get_allowed_transitions(self, claim: Claim) -> list[str]:
        """Statuses the requesting user may move the claim to now."""
        return [str(s) for s in allowed_targets(claim, self.context["request"].user)]


class TransitionInputSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=ClaimStatus.choices, help_text="The new status.")
    note = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=NOTE_MAX,
        help_text="The rationale; required for verdicts and reopening, and for a "
        'dismiss for "other" reasons.',
    )
    dismiss_reason = serializers.ChoiceField(
        choices=DismissReason.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required to dismiss: why the claim is not checked.",
    )
    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="The claim's version you saw; 409 if someone changed it since.",
    )


class ClaimUpdateInputSerializer(serializers.Serializer):
    """PATCH /claims/{id}/: the desk's plan (due date, priority) and the published
    fact-check (public URL and summary), for editors. Only the fields sent change."""

    due_at = serializers.DateTimeField(required=False, allow_null=True)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    public_url = LinkField(required=False, allow_blank=True)
    public_summary = StrictCharField(required=False, allow_blank=True, max_length=NOTE_MAX)
    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="The claim's version you saw; 409 if someone changed it since.",
    )

    def validate(self, attrs):
        if len(attrs) == 1:
            raise serializers.ValidationError(
                "Send at least one of due_at, priority, public_url, public_summary."
            )
        return attrs


class EvidenceInputSerializer(serializers.Serializer):
    url = LinkField()
    note = StrictCharField(required=False, allow_blank=True, default="", max_length=NOTE_MAX)


# --- Articles ---------------------------------------------------------------------------


class ArticleSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:article-detail")
    state = serializers.ChoiceField(choices=AnalysisState.choices, read_only=True)
    source_url = serializers.SerializerMethodField(
        help_text="Where it was fetched from, if it was."
    )

    class Meta:
        model = Article
        fields = [
            "id",
            "url",
            "title",
            "author",
            "publication",
            "published_at",
            "dateline",
            "source_url",
            "version",
            "state",
            "error",
            "times_analyzed",
            "queued_at",
            "started_at",
            "finished_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_source_url(self, article: Article) -> str | None:
        return article.source_url or None


class ArticleListSerializer(ArticleSerializer):
    n_claims = serializers.IntegerField(read_only=True, help_text="Claims found in it.")
    n_open = serializers.IntegerField(read_only=True, help_text="Claims not yet decided.")

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "n_claims", "n_open"]
        read_only_fields = fields


class ArticleDetailSerializer(ArticleSerializer):
    text = serializers.CharField(source="raw_text", read_only=True)
    claims = ClaimSerializer(many=True, read_only=True)
    # The analysis contract's names (../shared/docs/analysis-contract.md) for two
    # fields the API named first: the same values.
    published = serializers.DateTimeField(
        source="published_at",
        read_only=True,
        allow_null=True,
        help_text="The contract's name of published_at.",
    )
    body_start = serializers.IntegerField(
        source="body_offset", read_only=True, help_text="The contract's name of body_offset."
    )

    class Meta(ArticleSerializer.Meta):
        fields = [
            *ArticleSerializer.Meta.fields,
            "published",
            "body_offset",
            "body_start",
            "text",
            "claims",
        ]
        read_only_fields = fields


class ArticleInputSerializer(serializers.Serializer):
    """Exactly one of ``text`` and ``url`` (the ingest service says so if not)."""

    text = StrictCharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text=(
            f"The article as plain text (at most {settings.INGEST_MAX_BYTES:,} bytes), or a"
            " page's HTML source, read as an uploaded page is (at most"
            f" {settings.INGEST_MAX_BYTES * SOURCE_PER_TEXT:,} bytes)."
        ),
    )
    url = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        validators=[HTTP_URL],
        help_text="A public web page to fetch the article from.",
    )
    title = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="With text: the title, instead of the text's first line (as a batch "
        "item's). A URL article keeps its page's title; a text already here keeps its own.",
    )

    def validate(self, attrs):
        # In the API's own words: the service's message ("pasted text, a file, or a
        # URL") is the dashboard's, and this endpoint takes no file.
        if sum(1 for key in ("text", "url") if attrs.get(key)) != 1:
            raise serializers.ValidationError(
                {"non_field_errors": ['Send exactly one of "text" (the article) and "url".']},
                code="invalid_article",
            )
        return attrs


class IngestResultSerializer(serializers.Serializer):
    article = ArticleSerializer()
    created = serializers.BooleanField(
        help_text="False: the same text was already here, or it is a new version of an article."
    )
    version = serializers.IntegerField(
        allow_null=True,
        help_text="The number of the new version this text made of an existing article "
        "(the same URL, or the same publication with a near-equal title and text); null "
        "otherwise.",
    )
    enqueued = serializers.BooleanField(
        allow_null=True,
        help_text="Whether the analysis queue took the work (null: not known yet or not queued).",
    )
    message = serializers.CharField()


# --- Bulk import (issue 15) ---------------------------------------------------------------


class BatchItemSerializer(serializers.Serializer):
    """One item of POST articles/batch/: exactly one of ``text`` and ``url``. For
    the schema: the shape is checked by batch_inputs_valid below, with the same
    rule as a JSON Lines line of ``manage.py ingest``."""

    text = serializers.CharField(required=False, help_text="The article as plain text.")
    url = serializers.CharField(required=False, help_text="A public web page to fetch.")
    title = serializers.CharField(
        required=False, help_text="With text: the title, instead of the text's first line."
    )


def batch_inputs_valid(data) -> list:
    """The items of a batch request as the service's inputs, or a 400 naming every
    bad item; nothing is stored unless the whole list has the right shape."""
    limit = settings.INGEST_BATCH_MAX_ITEMS
    example = '[{"text": "..."}, {"url": "https://..."}]'
    if not isinstance(data, list):
        raise serializers.ValidationError(
            {"non_field_errors": [f"Send a JSON list of items: {example}."]}, code="not_a_list"
        )
    if not data:
        raise serializers.ValidationError(
            {"non_field_errors": ["The list is empty: send at least one item."]}, code="empty"
        )
    if len(data) > limit:
        raise serializers.ValidationError(
            {"non_field_errors": [f"{len(data)} items: at most {limit} per request."]},
            code="too_many_items",
        )
    inputs, errors = [], {}
    for index, obj in enumerate(data):
        try:
            found = batch_input_from_object(obj, name=f"items[{index}]")
        except IngestError as exc:
            errors[f"items[{index}]"] = [str(exc)]
            continue
        if found.url is not None:  # named as the 400s name it, with its URL
            found = replace(found, name=f"items[{index}] {found.url}")
        inputs.append(found)
    if errors:
        raise serializers.ValidationError(errors)
    return inputs


ITEM_NAME_HELP = (
    "For the API: 'items[N]' (then the URL, for a URL item), N the item's index in the "
    "list sent, counted from 0 as in the 400 errors; for the command: the file, URL or "
    "'list.jsonl:LINE'."
)


class BatchFailureSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="Counted from 1, in the order sent.")
    name = serializers.CharField(help_text=ITEM_NAME_HELP)
    error = serializers.CharField()


class BatchItemResultSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="Counted from 1, in the order sent.")
    name = serializers.CharField(help_text=ITEM_NAME_HELP)
    outcome = serializers.ChoiceField(choices=ImportOutcome.choices)
    article = serializers.IntegerField(
        source="article_id", allow_null=True, help_text="The article made, repeated or updated."
    )
    article_state = serializers.CharField(
        source="article.state", allow_null=True, default=None, help_text="Its analysis state."
    )
    error = serializers.CharField(help_text="Why the item failed; empty otherwise.")
    enqueued = serializers.SerializerMethodField(
        help_text="As in POST /articles/: whether the queue took the article's work. "
        "False when it was unreachable (the article stays queued and starts when it is "
        "back); null when nothing was queued (a duplicate, a failed item)."
    )

    def get_enqueued(self, item) -> bool | None:
        if item.outcome not in (ImportOutcome.CREATED, ImportOutcome.VERSION):
            return None
        return not item.queue_unreachable


class BatchAnalysisSerializer(serializers.Serializer):
    analysed = serializers.IntegerField()
    running = serializers.IntegerField(
        source="analysing", help_text="Being fetched, queued or analysed."
    )
    failed = serializers.IntegerField(source="analysis_failed")


class BatchSerializer(serializers.Serializer):
    """An import batch and its progress (claims.selectors.BatchProgress)."""

    id = serializers.IntegerField(source="batch.pk")
    url = serializers.SerializerMethodField(help_text="Poll this for progress.")
    state = serializers.ChoiceField(choices=ImportBatchState.choices, source="batch.state")
    kind = serializers.CharField(source="batch.kind", help_text="api or command.")
    source = serializers.CharField(source="batch.source")
    created_by = serializers.CharField(source="batch.created_by.username", allow_null=True)
    created_at = serializers.DateTimeField(source="batch.created_at")
    finished_at = serializers.DateTimeField(source="batch.finished_at", allow_null=True)
    total = serializers.IntegerField(source="batch.total")
    processed = serializers.IntegerField(source="batch.processed")
    created = serializers.IntegerField(source="batch.created")
    duplicates = serializers.IntegerField(source="batch.duplicates")
    versions = serializers.IntegerField(
        source="batch.versions", help_text="Updates of articles already here: their next version."
    )
    failed = serializers.IntegerField(source="batch.failed")
    analysis = BatchAnalysisSerializer(source="*", help_text="Of the articles it created.")
    finished = serializers.BooleanField(help_text="Every item done and no analysis to come.")
    enqueued = serializers.BooleanField(
        allow_null=True,
        help_text="As in POST /articles/: false when the queue was unreachable for any of "
        "its articles (they stay queued and start when it is back: each item says which); "
        "null when nothing was queued.",
    )
    message = serializers.CharField(help_text="Says so when the queue is unreachable.")
    failures = BatchFailureSerializer(many=True)
    items = BatchItemResultSerializer(
        many=True, help_text="Every item in order, at most INGEST_BATCH_MAX_ITEMS of them."
    )
    items_truncated = serializers.BooleanField(
        help_text="True when the batch has more items than listed (a large command import)."
    )

    def get_url(self, progress) -> str:
        path = reverse("api:batch-detail", kwargs={"pk": progress.batch.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


# --- Export jobs ------------------------------------------------------------------------


class ExportJobSerializer(serializers.Serializer):
    """An export job (claims.api.exportjobs.ExportJob)."""

    id = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="Poll this until the job is done.")
    state = serializers.ChoiceField(choices=["queued", "running", "done", "failed"])
    rows_total = serializers.IntegerField(allow_null=True, help_text="Null until it runs.")
    rows_written = serializers.IntegerField()
    progress = serializers.FloatField(allow_null=True, help_text="0 to 1; null if not known.")
    error = serializers.CharField(help_text="Why it failed; empty otherwise.")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    download_url = serializers.SerializerMethodField(help_text="The CSV, once the job is done.")

    def _url(self, name: str, job) -> str:
        path = reverse(name, kwargs={"pk": job.id})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_url(self, job) -> str:
        return self._url("api:export-detail", job)

    def get_download_url(self, job) -> str | None:
        return self._url("api:export-download", job) if job.state == "done" else None


# --- Tokens and errors ------------------------------------------------------------------


class TokenSerializer(serializers.Serializer):
    token_key = serializers.CharField(help_text="The key's first characters: its name.")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)
    current = serializers.SerializerMethodField(help_text="The token this request came with.")

    def get_current(self, token) -> bool:
        auth = getattr(self.context.get("request"), "auth", None)
        return getattr(auth, "digest", None) == token.digest


class TokenCreatedSerializer(TokenSerializer):
    key = serializers.CharField(help_text="The token. Shown only now: store it.")


class TokenInputSerializer(serializers.Serializer):
    expiry_days = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=settings.API_TOKEN_MAX_DAYS,
        help_text="Days until the token expires (default: REST_KNOX TOKEN_TTL).",
    )


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text='Machine-readable, e.g. "stale_version".')
    message = serializers.CharField(help_text="For people.")
    details = serializers.DictField(help_text="Per-field errors and other specifics.")


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()
