"""API v1: the fact-check library (/api/v1/factchecks/) and sources with their
track record (/api/v1/sources/). Same style as claims.api.views: a ViewSet per
resource, reads through claims.selectors, writes through the services."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from claims import selectors
from claims.api.exceptions import error_body
from claims.api.pagination import KeysetPagination
from claims.api.parsers import JSONParser
from claims.api.permissions import has_perm
from claims.api.schema import READ, WRITE, errors, search_parameter
from claims.api.views import PAGE_PARAMS, ApiViewSet
from claims.models import FactCheck, Source
from claims.selectors import Key
from claims.services.factcheck_documents import Document
from claims.services.factchecks import FactCheckImportError, factchecks_import

CanReadFactChecks = has_perm("claims.view_factcheck")
CanImportFactChecks = has_perm("claims.add_factcheck")
CanReadSources = has_perm("claims.view_source")
NEWEST = {"-id": [Key("id", True, int)]}
OLDEST = {"id": [Key("id", False, int)]}


# --- Serializers -------------------------------------------------------------------------


class FactCheckSerializer(serializers.ModelSerializer):
    # Our own verdict's claim; null for an imported review (most of the library).
    claim = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = FactCheck
        fields = [
            "id", "origin", "claim_text", "claimant", "rating", "rating_value", "rating_best",
            "rating_worst", "publisher", "publisher_url", "url", "language", "reviewed_at",
            "claim", "created_at", "updated_at",
        ]  # fmt: skip


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    skipped_ours = serializers.IntegerField()
    documents = serializers.IntegerField()
    total = serializers.IntegerField()


class SourceListSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:source-detail")
    claims = serializers.IntegerField(source="n_claims")

    class Meta:
        model = Source
        fields = ["id", "url", "name", "type", "claims"]


class RecordSerializer(serializers.Serializer):
    claims = serializers.IntegerField()
    verdicts = serializers.IntegerField()
    verified = serializers.IntegerField()
    false = serializers.IntegerField()
    misleading = serializers.IntegerField()
    inconclusive = serializers.IntegerField()
    dismissed = serializers.IntegerField()


class MonthSerializer(serializers.Serializer):
    month = serializers.DateTimeField(format="%Y-%m")
    claims = serializers.IntegerField()
    hedged = serializers.IntegerField()
    share = serializers.FloatField()


class SourceDetailSerializer(serializers.ModelSerializer):
    aliases = serializers.SerializerMethodField()
    merged_into = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Source
        fields = ["id", "name", "type", "aliases", "merged_into", "created_at"]

    def get_aliases(self, source: Source) -> list[str]:
        return [a.name for a in source.aliases.all()]


# --- Fact-checks -------------------------------------------------------------------------


@extend_schema(tags=["factchecks"])
class FactCheckViewSet(ApiViewSet):
    read_permission = CanReadFactChecks
    action_permissions = {"import_reviews": [CanImportFactChecks]}
    pagination_class = KeysetPagination
    orderings = NEWEST
    default_ordering = "-id"
    serializer_class = FactCheckSerializer
    FILTERS = {"publisher", "rating", "q"}

    @extend_schema(
        summary="The library of published fact-checks, newest first",
        parameters=[
            OpenApiParameter("publisher", str, description="exact publisher name (any case)"),
            OpenApiParameter("rating", str, description="exact rating text (any case)"),
            search_parameter("words in the claim text or claimant"),
        ],
        responses={200: FactCheckSerializer(many=True), **errors(*READ, 400)},
    )
    def list(self, request):
        self.check_query_params(self.FILTERS | PAGE_PARAMS)
        params = {k: request.query_params.get(k, "").strip() for k in self.FILTERS}
        page = self.paginate_queryset(selectors.factcheck_list(**params))
        return self.get_paginated_response(FactCheckSerializer(page, many=True).data)

    @extend_schema(
        summary="Import ClaimReview documents (editors); all or nothing",
        description="A JSON body (a ClaimReview, a list, an @graph or a DataFeed) or a "
        "multipart upload in the field `file` (JSON, JSON Lines or an HTML page with "
        "JSON-LD). 400 lists the problems (document, where, reason), up to a limit where "
        "reading stops (`more`); nothing is written.",
        request={
            "application/json": OpenApiTypes.OBJECT,
            "multipart/form-data": OpenApiTypes.OBJECT,
        },
        responses={200: ImportResultSerializer, **errors(*WRITE)},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[JSONParser, MultiPartParser],
    )
    def import_reviews(self, request):
        try:
            result = factchecks_import(documents=[self._document(request)], user=request.user)
        except FactCheckImportError as exc:
            shown = [p.as_dict() for p in exc.problems[: settings.FACTCHECK_IMPORT_MAX_PROBLEMS]]
            body = error_body(
                "invalid_claimreviews",
                f"{exc.count} problem(s) in the input; nothing was imported. "
                f"First: {exc.problems[0]}",
                # more: reading stopped at the limit, so count is a lower bound
                {"problems": shown, "count": len(exc.problems), "more": exc.more},
            )
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response(ImportResultSerializer(result).data)

    def _document(self, request) -> Document:
        upload = request.FILES.get("file")
        if upload is not None:
            limit = settings.FACTCHECK_IMPORT_MAX_BYTES
            if upload.size > limit:
                raise ValidationError({"file": [f"Larger than the limit of {limit:,} bytes."]})
            return Document(upload.name or "upload", upload.read())
        if request.content_type.startswith("multipart/"):
            raise ValidationError({"file": ["Upload the document in the field `file`."]})
        if not isinstance(request.data, dict | list) or not request.data:
            raise ValidationError({"non_field_errors": ["Send a ClaimReview document."]})
        return Document("body", request.data)


# --- Sources -----------------------------------------------------------------------------


@extend_schema(tags=["sources"])
class SourceViewSet(ApiViewSet):
    read_permission = CanReadSources
    pagination_class = KeysetPagination
    orderings = OLDEST
    default_ordering = "id"
    serializer_class = SourceListSerializer

    @extend_schema(
        summary="Sources resolved across articles (merged ones left out)",
        parameters=[search_parameter("words in a name or alias")],
        responses={200: SourceListSerializer(many=True), **errors(*READ, 400)},
    )
    def list(self, request):
        self.check_query_params({"q"} | PAGE_PARAMS)
        page = self.paginate_queryset(selectors.source_list(q=request.query_params.get("q", "")))
        context = self.get_serializer_context()
        return self.get_paginated_response(
            SourceListSerializer(page, many=True, context=context).data
        )

    @extend_schema(
        summary="A source with its aliases, its record and its hedging by month",
        responses={200: OpenApiTypes.OBJECT, **errors(*READ, 404)},
    )
    def retrieve(self, request, pk):
        source = self.load(selectors.source_detail, pk, "source")
        data = SourceDetailSerializer(source).data
        data["record"] = RecordSerializer(selectors.source_record(source=source)).data
        data["hedging"] = MonthSerializer(selectors.source_hedging(source=source), many=True).data
        return Response(data)
