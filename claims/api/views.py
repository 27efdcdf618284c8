"""API v1 views: one ViewSet per resource, per-action serializers and
permissions. Reads go through claims.selectors, writes through claims.services
and claims.workflow; the views only translate HTTP to those calls and back."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.http import FileResponse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django_filters import MultipleChoiceFilter
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from knox.models import AuthToken
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings

from claims import claimreview as reviews
from claims import selectors, services, tasks, tokens
from claims.api import exportjobs
from claims.api import serializers as s
from claims.api.exceptions import Conflict, error_body
from claims.api.pagination import (
    ARTICLE_ORDERINGS,
    CLAIM_DEFAULT_ORDERING,
    CLAIM_ORDERINGS,
    KeysetPagination,
    apply_ordering,
    ordering_name,
)
from claims.api.permissions import CanAddArticle, CanReadArticles, CanReadClaims, CanReanalyze
from claims.api.renderers import JSONRenderer
from claims.api.schema import READ, WRITE, errors, search_parameter
from claims.domain import as_pk
from claims.filters import SEARCH_MAX, ClaimFilter
from claims.models import Article, Claim
from claims.services.csvexport import claims_csv_response, count_up_to, csv_filename, sync_max_rows

PAGE_PARAMS = {"cursor", "page_size", "ordering"}
# The claim filters that take several values (status=unstarted&status=in_progress);
# any other parameter given twice is a 400.
CLAIM_REPEATABLE = frozenset(
    name
    for name, claim_filter in ClaimFilter.base_filters.items()
    if isinstance(claim_filter, MultipleChoiceFilter)
)


class ClaimReviewRenderer(JSONRenderer):
    """JSON with <, > and & escaped: a ClaimReview is pasted into a public page's
    script element, where a raw "</script>" from a title or a note would end it."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        body = super().render(data, accepted_media_type, renderer_context)
        return reviews.script_safe(body.decode("utf-8")).encode("utf-8")


class JSONLDRenderer(ClaimReviewRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


class ApiViewSet(viewsets.GenericViewSet):
    lookup_value_regex = r"[0-9]+"  # anything else is an unknown URL: 404
    # Per action: extra permission classes on top of IsAuthenticated + the read one.
    read_permission = IsAuthenticated
    action_permissions: dict = {}

    def get_permissions(self):
        classes = [
            IsAuthenticated,
            self.read_permission,
            *self.action_permissions.get(self.action, []),
        ]
        return [cls() for cls in classes]

    def check_permissions(self, request):
        # The throttles before the permissions (DRF runs them after): they hold the
        # block of an address past its bad tokens (claims.api.throttling), which
        # must refuse every request from it with 429, as when it was checked
        # before the token look-up; after the permissions, a good token whose role
        # may not do this got 403 and a request without one 401.
        self._throttles_checked = True
        super().check_throttles(request)
        super().check_permissions(request)

    def check_throttles(self, request):
        if not getattr(self, "_throttles_checked", False):
            super().check_throttles(request)

    # The actions that check their query parameters themselves (filters, cursor
    # pages: check_query_params with their own names). Every other action takes
    # none but ?format= where it answers in several formats: a parameter it would
    # ignore is a 400 (?page_size=1 on a history answered all of it, no word said).
    # OPTIONS ("metadata") runs no action and a method the endpoint does not take
    # (no action: its 405) neither: their query is no action's to refuse.
    own_query_params: frozenset = frozenset({"list"})

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.action not in self.own_query_params | {None, "metadata"}:
            fmt = api_settings.URL_FORMAT_OVERRIDE
            several = len(self.get_renderers()) > 1
            # DRF's ?format= naming the one format there (json) is no parameter the
            # endpoint ignores: the negotiation checked it (?format=xml is a 400).
            checked = {fmt} if getattr(self, "_format_checked", False) else set()
            self.check_query_params({fmt} if several else set(), unlisted=frozenset(checked))

    def perform_content_negotiation(self, request, force=False):
        # Not reached where an action answers JSON whatever is asked (the CSV
        # export and download): there ?format= is checked by no one, and refused.
        self._format_checked = True
        return super().perform_content_negotiation(request, force)

    def check_query_params(
        self,
        allowed: set[str],
        repeatable: frozenset = frozenset(),
        unlisted: frozenset = frozenset(),
    ) -> None:
        """Refuse query parameters that would be silently ignored: a typo in a
        filter name must not return every claim, and a one-value parameter given
        twice must not answer for its last value alone (``article=1&article=2``
        listed article 2's claims only). And a NUL character in any value:
        PostgreSQL refuses it in a query (a 500 where a filter passed it on)."""
        unknown = sorted(set(self.request.query_params) - allowed - unlisted)
        if unknown:
            said = (
                f"Unknown query parameter. Allowed: {', '.join(sorted(allowed))}."
                if allowed
                else "Unknown query parameter: this endpoint takes none."
            )
            raise ValidationError({name: [said] for name in unknown})
        params = self.request.query_params
        repeated = sorted(
            name for name in params if name not in repeatable and len(params.getlist(name)) > 1
        )
        if repeated:
            several = f"only {', '.join(sorted(repeatable))} take" if repeatable else "none takes"
            raise ValidationError(
                {
                    name: [f"Give one value, not {len(params.getlist(name))}: {several} several."]
                    for name in repeated
                }
            )
        with_nul = sorted(name for name in params if any("\x00" in v for v in params.getlist(name)))
        if with_nul:
            raise ValidationError({name: ["Null characters are not allowed."] for name in with_nul})
        if len(params.get("q", "")) > SEARCH_MAX:
            raise ValidationError(
                {"q": [f"Ensure this value has at most {SEARCH_MAX} characters."]}
            )

    def load(self, getter, pk, what: str):
        number = as_pk(str(pk))  # past 2**63 no row has it
        if number is not None:
            try:
                return getter(pk=number)
            except ObjectDoesNotExist:
                pass
        raise NotFound(f"There is no {what} with id {pk}.")


# --- Claims ------------------------------------------------------------------------------

CLAIM_ERRORS = errors(*READ, 404)
CLAIM_SEARCH = search_parameter(ClaimFilter.base_filters["q"].extra["help_text"])


@extend_schema(tags=["claims"])
class ClaimViewSet(ApiViewSet):
    read_permission = CanReadClaims
    filter_backends = [DjangoFilterBackend]
    filterset_class = ClaimFilter
    pagination_class = KeysetPagination
    orderings = CLAIM_ORDERINGS
    own_query_params = frozenset({"list", "export"})
    default_ordering = CLAIM_DEFAULT_ORDERING
    serializer_class = s.ClaimSerializer

    def get_queryset(self):
        # The list reads values (selectors.claim_list_rows); the CSV export, its own
        # columns of these claims.
        return Claim.objects.all()

    def page_rows(self, qs, limit: int, keys: list[str]):
        return selectors.claim_list_page(qs, limit, keys)

    @extend_schema(
        summary="Claims, filtered; worst confidence first by default",
        parameters=[CLAIM_SEARCH],
        responses={200: s.ClaimSerializer(many=True), **errors(*READ, 400)},
    )
    def list(self, request):
        self.check_query_params(set(ClaimFilter.base_filters) | PAGE_PARAMS, CLAIM_REPEATABLE)
        page = self.paginate_queryset(self.filter_queryset(selectors.claim_list_rows()))
        selectors.claim_hedges_attach(page)
        data = s.ClaimSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="A claim with its source, hedges, evidence and history",
        responses={200: s.ClaimDetailSerializer, **CLAIM_ERRORS},
    )
    def retrieve(self, request, pk):
        return Response(self._detail(pk))

    @extend_schema(
        summary="Move a claim to another status (the verification workflow)",
        request=s.TransitionInputSerializer,
        responses={200: s.ClaimDetailSerializer, **errors(*WRITE, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def transitions(self, request, pk):
        claim = self.load(Claim.objects.get, pk, "claim")
        data = self._valid(s.TransitionInputSerializer)
        services.claim_transition(
            claim=claim,
            to_status=data["to"],
            user=request.user,
            note=data["note"],
            expected_version=data["version"],
            dismiss_reason=data["dismiss_reason"],
        )
        return Response(self._detail(pk))

    @extend_schema(
        summary="Plan a claim (due date, priority) or set its published fact-check (editors)",
        description="Send the claim's `version` and any of `due_at` (null clears it), "
        "`priority` (1 urgent to 4 low), `public_url` and `public_summary` (what the "
        "ClaimReview export publishes). 403 for other roles, 409 if the claim changed.",
        request=s.ClaimUpdateInputSerializer,
        responses={200: s.ClaimDetailSerializer, **errors(*WRITE, 404, 409)},
    )
    def partial_update(self, request, pk):
        claim = self.load(Claim.objects.get, pk, "claim")
        data = self._valid(s.ClaimUpdateInputSerializer)
        version = data.pop("version")
        plan = {k: data[k] for k in ("due_at", "priority") if k in data}
        public = {k: data[k] for k in ("public_url", "public_summary") if k in data}
        with transaction.atomic():
            if plan:
                services.claim_plan(
                    claim=claim, user=request.user, expected_version=version, **plan
                )
                version = claim.version
            if public:
                services.claim_publish(
                    claim=claim,
                    user=request.user,
                    expected_version=version,
                    public_url=public.get("public_url", claim.public_url),
                    public_summary=public.get("public_summary", claim.public_summary),
                )
        return Response(self._detail(pk))

    @extend_schema(
        summary="Add a piece of evidence (a link and a note) to a claim",
        request=s.EvidenceInputSerializer,
        responses={201: s.EvidenceSerializer, **errors(*WRITE, 404)},
    )
    @action(detail=True, methods=["post"])
    def evidence(self, request, pk):
        claim = self.load(Claim.objects.get, pk, "claim")
        data = self._valid(s.EvidenceInputSerializer)
        evidence = services.evidence_add(
            claim=claim, url=data["url"], note=data["note"], user=request.user
        )
        return Response(s.EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="A claim's discussion, oldest first",
        responses={200: s.CommentSerializer(many=True), **CLAIM_ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a comment (markdown, @mentions) to a claim's discussion",
        description="Fact-checkers and editors; viewers read. Comments cannot be "
        "edited or deleted.",
        request=s.CommentInputSerializer,
        responses={201: s.CommentSerializer, **errors(*WRITE, 404)},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def comments(self, request, pk):
        if request.method == "POST":
            claim = self.load(Claim.objects.get, pk, "claim")
            data = self._valid(s.CommentInputSerializer)
            comment = services.comment_add(claim=claim, body=data["body"], user=request.user)
            comment = selectors.comment_get(pk=comment.pk)
            return Response(s.CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        claim = self.load(Claim.objects.get, pk, "claim")
        rows = selectors.comment_list(claim=claim)
        return Response(s.CommentSerializer(rows, many=True).data)

    @extend_schema(
        summary="A claim's history: status changes and other changes, oldest first",
        responses={200: s.HistoryEventSerializer(many=True), **CLAIM_ERRORS},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk):
        claim = self.load(selectors.claim_detail, pk, "claim")
        events = selectors.claim_history(claim=claim)
        return Response(s.HistoryEventSerializer(events, many=True).data)

    @extend_schema(
        summary="Claims of other articles and published fact-checks that say the same thing",
        description="Best first, with each one's verdict (a claim's status or a fact-check's "
        "rating); rejected matches included, with their state.",
        responses={200: s.MatchSerializer(many=True), **CLAIM_ERRORS},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def matches(self, request, pk):
        claim = self.load(Claim.objects.get, pk, "claim")
        return Response(s.MatchSerializer(selectors.claim_matches(claim=claim), many=True).data)

    @extend_schema(
        summary="Confirm a match (editors): the two claims join one cluster",
        request=s.MatchDecisionInputSerializer,
        responses={200: s.MatchSerializer(many=True), **errors(*WRITE, 404)},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"matches/(?P<match_id>[0-9]+)/confirm",
        pagination_class=None,
        filter_backends=[],
    )
    def match_confirm(self, request, pk, match_id):
        return self._decide(services.claim_match_confirm, pk, match_id)

    @extend_schema(
        summary="Reject a match (editors): remembered, never suggested again",
        request=s.MatchDecisionInputSerializer,
        responses={200: s.MatchSerializer(many=True), **errors(*WRITE, 404)},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"matches/(?P<match_id>[0-9]+)/reject",
        pagination_class=None,
        filter_backends=[],
    )
    def match_reject(self, request, pk, match_id):
        return self._decide(services.claim_match_reject, pk, match_id)

    @extend_schema(
        summary="Take the verdict of another claim of the same cluster (editors)",
        description="A recorded transition whose note points to the original claim.",
        request=s.VerdictAcceptInputSerializer,
        responses={200: s.ClaimDetailSerializer, **errors(*WRITE, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="accept-verdict")
    def accept_verdict(self, request, pk):
        claim = self.load(Claim.objects.get, pk, "claim")
        data = self._valid(s.VerdictAcceptInputSerializer)
        source = self.load(Claim.objects.get, data["source"], "claim")
        services.claim_verdict_accept(
            claim=claim, source=source, user=request.user, expected_version=data["version"]
        )
        return Response(self._detail(pk))

    def _decide(self, decide, pk, match_id):
        claim = self.load(Claim.objects.get, pk, "claim")
        data = self._valid(s.MatchDecisionInputSerializer)
        match = self.load(
            selectors.claim_match_of(claim=claim).get, match_id, "match of this claim"
        )
        decide(match=match, user=self.request.user, note=data["note"])
        return Response(s.MatchSerializer(selectors.claim_matches(claim=claim), many=True).data)

    @extend_schema(
        summary="schema.org ClaimReview (JSON-LD) of a claim with a verdict",
        description="404 if the claim has no verdict (verified, false, misleading, "
        "inconclusive); 422 while it has no public URL and public summary (its `url`, "
        "`reviewBody` and `reviewRating.ratingExplanation`).",
        responses={200: OpenApiTypes.OBJECT, **CLAIM_ERRORS, **errors(400, 422)},
    )
    @action(detail=True, methods=["get"], renderer_classes=[ClaimReviewRenderer, JSONLDRenderer])
    def claimreview(self, request, pk):
        claim = self.load(reviews.verdict_claims().get, pk, "claim with a verdict")
        return Response(reviews.claim_review_document(claim, build_url=request.build_absolute_uri))

    @extend_schema(
        summary="The filtered claim list as CSV: streamed, or past a size an export job",
        description="Up to CSV_EXPORT_SYNC_MAX_ROWS rows: 200 with the CSV, streamed. "
        "More: 202 with an export job; poll its `url` until `state` is `done` (or "
        "`failed`), then download its `download_url`.",
        operation_id="claims_export_csv",
        filters=True,
        parameters=[OpenApiParameter("ordering", str, enum=[*CLAIM_ORDERINGS]), CLAIM_SEARCH],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="CSV with a header row."
            ),
            (202, "application/json"): s.ExportJobSerializer,
            **errors(*READ, 400, 503),
        },
    )
    def export(self, request):
        self.check_query_params(set(ClaimFilter.base_filters) | {"ordering"}, CLAIM_REPEATABLE)
        name = ordering_name(request, self)
        qs = apply_ordering(self.filter_queryset(self.get_queryset()), self.orderings[name])
        limit = sync_max_rows()
        if count_up_to(qs, limit + 1) <= limit:
            return claims_csv_response(qs)
        try:
            job = exportjobs.export_job_start(
                user=request.user, params=request.query_params, ordering=name
            )
        except exportjobs.QueueUnreachable as exc:
            raise QueueUnavailable(str(exc)) from exc
        data = s.ExportJobSerializer(job, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})

    def perform_content_negotiation(self, request, force=False):
        if self.action == "export":  # errors as JSON, whatever the client accepts
            return JSONRenderer(), JSONRenderer.media_type
        return super().perform_content_negotiation(request, force)

    def _detail(self, pk) -> dict:
        claim = self.load(selectors.claim_detail, pk, "claim")
        return s.ClaimDetailSerializer(claim, context=self.get_serializer_context()).data

    def _valid(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


# --- Export jobs -------------------------------------------------------------------------


class QueueUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The export queue is unreachable; try again later."
    default_code = "queue_unavailable"


@extend_schema(tags=["claims"])
class ExportViewSet(ApiViewSet):
    """A CSV export job (see claims/export.csv): its state, then its file. Only
    the user who asked for it sees it; anyone else gets a 404, as for no job."""

    read_permission = CanReadClaims
    lookup_value_regex = r"[0-9a-f]{32}"
    serializer_class = s.ExportJobSerializer

    def _job(self, pk) -> exportjobs.ExportJob:
        job = exportjobs.export_job_get(job_id=pk, user=self.request.user)
        if job is None:
            raise NotFound("No such export job.")
        return job

    @extend_schema(
        summary="An export job: state, progress and, once done, where to download it",
        responses={200: s.ExportJobSerializer, **errors(*READ, 404)},
    )
    def retrieve(self, request, pk):
        job = self._job(pk)
        return Response(s.ExportJobSerializer(job, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="The CSV of a finished export job",
        description="409 (export_not_done) while the job is queued or running, or if it "
        "failed: its state says which.",
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The CSV."),
            **errors(*READ, 404, 409),
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk):
        job = self._job(pk)
        if job.state != exportjobs.DONE:  # it exists: not a 404
            raise Conflict(f"The export is {job.state}, not done.", code="export_not_done")
        return FileResponse(
            exportjobs.csv_path(job).open("rb"),
            as_attachment=True,
            filename=csv_filename(),
            content_type="text/csv; charset=utf-8",
        )

    def perform_content_negotiation(self, request, force=False):
        if self.action == "download":  # errors as JSON, whatever the client accepts
            return JSONRenderer(), JSONRenderer.media_type
        return super().perform_content_negotiation(request, force)


# --- Articles ----------------------------------------------------------------------------


@extend_schema(tags=["articles"])
class ArticleViewSet(ApiViewSet):
    read_permission = CanReadArticles
    action_permissions = {
        "create": [CanAddArticle],
        "batch": [CanAddArticle],
        "reanalyze": [CanReanalyze],
    }
    pagination_class = KeysetPagination
    orderings = ARTICLE_ORDERINGS
    default_ordering = "-created"
    serializer_class = s.ArticleSerializer

    def get_queryset(self):
        return selectors.article_list()

    @extend_schema(
        summary="Articles, newest first",
        responses={200: s.ArticleListSerializer(many=True), **errors(*READ, 400)},
    )
    def list(self, request):
        self.check_query_params(PAGE_PARAMS)
        page = self.paginate_queryset(self.get_queryset())
        data = s.ArticleListSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Add an article (text or URL) and queue its analysis",
        description="202 with the new article, queued for analysis; 200 with the "
        "existing article when the same text is already in the tracker.",
        request=s.ArticleInputSerializer,
        responses={
            202: s.IngestResultSerializer,
            200: s.IngestResultSerializer,
            **errors(*WRITE),
        },
    )
    def create(self, request):
        serializer = s.ArticleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.article_ingest(**serializer.validated_data, user=request.user)
        body = {
            "article": result.article,
            "created": result.created,
            "version": result.version,
            "enqueued": result.enqueued,
            "message": result.message,
        }
        # Accepted: work was queued (a new article, a new version, a page fetched again).
        queued = result.created or result.version is not None or result.fetching
        code = status.HTTP_202_ACCEPTED if queued else status.HTTP_200_OK
        data = s.IngestResultSerializer(body, context=self.get_serializer_context()).data
        # str(): the url is DRF's Hyperlink, a str subclass that wsgiref (runserver)
        # refuses in a header, answering 500 after the article was stored.
        return Response(data, status=code, headers={"Location": str(data["article"]["url"])})

    @extend_schema(
        summary="Add many articles (text or URL items) as one import batch",
        description="A JSON list of at most INGEST_BATCH_MAX_ITEMS items (100 by default), "
        'each {"text": ...} or {"url": ...} with an optional "title". Each item is ingested '
        "as by POST /articles/ (duplicates found by content, or by the exact source URL); "
        "an unusable item (empty, too large, a bad URL) fails alone and is listed in the "
        "batch. 202 with the batch once every item is stored: the analyses follow (on the "
        "workers; in the embedded mode, on one background thread of the server, after the "
        "response); follow Location for progress and each item's outcome and article. "
        "Items are named items[N], N their index in the list from 0, as in the 400 "
        "errors. A list of the wrong shape (not a list, empty, too long, a bad item) is a "
        "400 and stores nothing. If the queue (the broker) is unreachable, the batch's "
        "enqueued is false and its message says so, and so does each item it did not take, "
        "as POST /articles/ says it: those articles stay queued until it is back.",
        request=s.BatchItemSerializer(many=True),
        responses={202: s.BatchSerializer, **errors(*WRITE)},
    )
    @action(detail=False, methods=["post"])
    def batch(self, request):
        inputs = s.batch_inputs_valid(request.data)
        batch = services.batch_create(
            user=request.user, kind="api", source=f"POST of {len(inputs)} items", total=len(inputs)
        )
        # Embedded mode: the analyses run after the response, not inside it (the 202).
        with tasks.analyses_deferred():
            services.batch_items_ingest(batch=batch, inputs=inputs)
        progress = selectors.batch_progress(batch=batch, reload=False, with_items=True)
        data = s.BatchSerializer(progress, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})

    @extend_schema(
        summary="An article with its analysis state, error, metadata and claims",
        responses={200: s.ArticleDetailSerializer, **errors(*READ, 404)},
    )
    def retrieve(self, request, pk):
        article = self.load(selectors.article_detail, pk, "article")
        return Response(
            s.ArticleDetailSerializer(article, context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary="Analyse the article again (claims people worked on are kept)",
        request=None,
        responses={202: s.IngestResultSerializer, **errors(*READ, 404)},
    )
    @action(detail=True, methods=["post"])
    def reanalyze(self, request, pk):
        article = self.load(Article.objects.get, pk, "article")
        enqueued = services.article_reanalyze(article=article)
        body = {
            "article": article,
            "created": False,
            "enqueued": enqueued,
            "message": "Re-analysis queued."
            if enqueued is not False
            else "The analysis queue is unreachable; the re-analysis starts when it is back.",
        }
        data = s.IngestResultSerializer(body, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="schema.org ClaimReviews (a JSON-LD @graph) of the article's verdicts",
        description="422, naming the claims, while a verdict lacks its public URL or summary.",
        responses={200: OpenApiTypes.OBJECT, **errors(*READ, 400, 404, 422)},
    )
    @action(detail=True, methods=["get"], renderer_classes=[ClaimReviewRenderer, JSONLDRenderer])
    def claimreview(self, request, pk):
        article = self.load(Article.objects.get, pk, "article")
        claims = reviews.verdict_claims().filter(article=article)
        return Response(
            reviews.article_review_document(article, claims, build_url=request.build_absolute_uri)
        )


# --- Import batches ----------------------------------------------------------------------


@extend_schema(tags=["articles"])
class BatchViewSet(ApiViewSet):
    """An import batch's progress. Its owner sees it, and editors (view_importbatch)
    see every batch; anyone else gets a 404, as for no batch."""

    read_permission = CanReadArticles
    serializer_class = s.BatchSerializer

    @extend_schema(
        summary="An import batch: items created, duplicate and failed, and its analyses",
        responses={200: s.BatchSerializer, **errors(*READ, 404)},
    )
    def retrieve(self, request, pk):
        batch = self.load(selectors.batch_visible(user=request.user).get, pk, "import batch")
        progress = selectors.batch_progress(batch=batch, reload=False, with_items=True)
        return Response(s.BatchSerializer(progress, context=self.get_serializer_context()).data)


# --- Tokens -------------------------------------------------------------------------------


@extend_schema(tags=["tokens"])
class TokenViewSet(ApiViewSet):
    """The requesting user's own API tokens. Creating one needs a session (the
    dashboard) or an existing token; there is no password login on the API."""

    lookup_field = "token_key"
    lookup_value_regex = r"[^/]+"
    serializer_class = s.TokenSerializer
    own_query_params = frozenset()  # its list takes none

    @extend_schema(
        summary="Your tokens that have not expired (their keys are never shown again)",
        responses={200: s.TokenSerializer(many=True), **errors(*READ)},
    )
    def list(self, request):
        data = s.TokenSerializer(
            tokens.token_list(user=request.user), many=True, context=self.get_serializer_context()
        ).data
        return Response(data)

    @extend_schema(
        summary="Create a token; the response shows its key, once",
        request=s.TokenInputSerializer,
        responses={201: s.TokenCreatedSerializer, **errors(*WRITE)},
    )
    @method_decorator(never_cache)  # the key: kept by no cache, the browser's or a proxy's
    def create(self, request):
        serializer = s.TokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        days = serializer.validated_data.get("expiry_days")
        # Made with a token: it ends no later than that one. (Knox sets request.auth
        # to the AuthToken; a session leaves it None.)
        parent = request.auth if isinstance(request.auth, AuthToken) else None
        try:
            token, key = tokens.token_create(
                user=request.user, expiry=timedelta(days=days) if days else None, parent=parent
            )
        except tokens.TokenError as exc:
            raise ValidationError({"non_field_errors": [str(exc)]}) from None
        token.key = key  # only in this response: knox stores a digest
        data = s.TokenCreatedSerializer(token, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Revoke one of your tokens, named by its token_key",
        description="The tokens made with it (POST /tokens/ authenticated by it), and "
        "those made with them, are revoked with it. 400 for anything longer than a "
        "token_key (never send a whole key).",
        responses={204: None, **errors(*READ, 400, 404)},
    )
    def destroy(self, request, token_key):
        if len(token_key) > tokens.TOKEN_KEY_LENGTH:
            # Never a whole key in a URL (it lands in access logs): refused, and the
            # path is kept out of our own logs (django.request would log a 400's path).
            response = Response(
                error_body(
                    "invalid_token_key",
                    f"Name the token by its token_key, the first {tokens.TOKEN_KEY_LENGTH} "
                    "characters of the key; never send the whole key in a URL.",
                ),
                status=status.HTTP_400_BAD_REQUEST,
            )
            response._has_been_logged = True
            return response
        if not tokens.token_revoke(user=request.user, token_key_prefix=token_key):
            raise NotFound("You have no token with this token_key.")
        return Response(status=status.HTTP_204_NO_CONTENT)
