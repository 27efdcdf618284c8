"""API v1: webhook endpoints (/api/v1/webhooks/) and their delivery log, for
editors. Same style as claims.api.views: a ViewSet, writes through
claims.services.webhooks. The secret is in the answer to the creation, and
afterwards only for the endpoint's owner (/webhooks/{id}/secret/)."""

from __future__ import annotations

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from claims.api.pagination import KeysetPagination
from claims.api.permissions import has_perm
from claims.api.schema import READ, WRITE, errors
from claims.api.views import PAGE_PARAMS, ApiViewSet
from claims.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from claims.selectors import Key
from claims.services import webhooks

NEWEST = {"-id": [Key("id", True, int)]}


# --- Serializers -------------------------------------------------------------------------


class EndpointSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    failing = serializers.SerializerMethodField(
        help_text="A delivery gave up since the last success."
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id", "url", "description", "events", "active", "owner", "failing",
            "failing_since", "last_error", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_failing(self, endpoint) -> bool:
        return endpoint.failing_since is not None


class EndpointCreatedSerializer(EndpointSerializer):
    secret = serializers.CharField(
        help_text="Signs every delivery (Webhook-Signature). Shown now; later only to the owner."
    )

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class EndpointInputSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2000, help_text="https:// (private addresses refused).")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices), allow_empty=False
    )
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class SecretSerializer(serializers.Serializer):
    secret = serializers.CharField()


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "at", "status", "duration_ms", "response_excerpt", "error"]


class DeliverySerializer(serializers.ModelSerializer):
    attempts_log = AttemptSerializer(source="tries", many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "event", "event_id", "state", "attempts", "next_attempt_at",
            "response_status", "response_excerpt", "error", "created_at", "delivered_at",
            "payload", "attempts_log",
        ]  # fmt: skip


# --- Views -------------------------------------------------------------------------------

CanRead = has_perm("claims.view_webhookendpoint")
CanAdd = has_perm("claims.add_webhookendpoint")
CanChange = has_perm("claims.change_webhookendpoint")
CanDelete = has_perm("claims.delete_webhookendpoint")


@extend_schema(tags=["webhooks"])
class WebhookViewSet(ApiViewSet):
    read_permission = CanRead
    own_query_params = frozenset({"list", "deliveries"})
    action_permissions = {
        "create": [CanAdd],
        "partial_update": [CanChange],
        "destroy": [CanDelete],
        "resend": [CanChange],
    }
    serializer_class = EndpointSerializer
    pagination_class = KeysetPagination
    orderings = NEWEST
    default_ordering = "-id"

    def _endpoint(self, pk) -> WebhookEndpoint:
        return self.load(WebhookEndpoint.objects.select_related("owner").get, pk, "webhook")

    @extend_schema(
        summary="Webhook endpoints, newest first (editors)",
        responses={200: EndpointSerializer(many=True), **errors(*READ, 400)},
    )
    def list(self, request):
        self.check_query_params(PAGE_PARAMS)
        page = self.paginate_queryset(WebhookEndpoint.objects.select_related("owner"))
        return self.get_paginated_response(EndpointSerializer(page, many=True).data)

    @extend_schema(
        summary="Register an endpoint; the answer holds its secret",
        description="400 for a URL that is not https://, does not resolve, or resolves to "
        "a private or local address.",
        request=EndpointInputSerializer,
        responses={201: EndpointCreatedSerializer, **errors(*WRITE)},
    )
    @method_decorator(never_cache)  # the secret: kept by no cache, the browser's or a proxy's
    def create(self, request):
        data = self._valid(EndpointInputSerializer)
        data.pop("active", None)
        endpoint = self._call(webhooks.webhook_endpoint_create, owner=request.user, **data)
        return Response(EndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="An endpoint", responses={200: EndpointSerializer, **errors(*READ, 404)})
    def retrieve(self, request, pk):
        return Response(EndpointSerializer(self._endpoint(pk)).data)

    @extend_schema(
        summary="Change an endpoint's URL, events, description or active flag",
        request=EndpointInputSerializer(partial=True),
        responses={200: EndpointSerializer, **errors(*WRITE, 404)},
    )
    def partial_update(self, request, pk):
        endpoint = self._endpoint(pk)
        data = self._valid(EndpointInputSerializer, partial=True)
        self._call(webhooks.webhook_endpoint_update, endpoint=endpoint, user=request.user, **data)
        return Response(EndpointSerializer(endpoint).data)

    @extend_schema(
        summary="Delete an endpoint and its log", responses={204: None, **errors(*READ, 404)}
    )
    def destroy(self, request, pk):
        self._call(webhooks.webhook_endpoint_delete, endpoint=self._endpoint(pk), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="The endpoint's secret (its owner only)",
        responses={200: SecretSerializer, **errors(*READ, 404)},
    )
    @action(detail=True, methods=["get"])
    @method_decorator(never_cache)
    def secret(self, request, pk):
        endpoint = self._endpoint(pk)
        secret = self._call(webhooks.webhook_secret_for, endpoint=endpoint, user=request.user)
        return Response({"secret": secret})

    @extend_schema(
        summary="The endpoint's deliveries, newest first, each with every attempt",
        responses={200: DeliverySerializer(many=True), **errors(*READ, 400, 404)},
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk):
        self.check_query_params(PAGE_PARAMS)
        endpoint = self._endpoint(pk)
        rows = WebhookDelivery.objects.filter(endpoint=endpoint).prefetch_related("tries")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)

    @extend_schema(
        summary="Send a delivery again now (same event id and payload)",
        request=None,
        responses={202: DeliverySerializer, **errors(*READ, 404)},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<delivery_id>[0-9]+)/resend",
    )
    def resend(self, request, pk, delivery_id):
        endpoint = self._endpoint(pk)
        delivery = self.load(
            WebhookDelivery.objects.filter(endpoint=endpoint).get, delivery_id, "delivery"
        )
        delivery = self._call(
            webhooks.webhook_delivery_resend, delivery=delivery, user=request.user
        )
        delivery = WebhookDelivery.objects.prefetch_related("tries").get(pk=delivery.pk)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    def _valid(self, serializer_class, partial: bool = False) -> dict:
        serializer = serializer_class(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _call(self, service, **kwargs):
        try:
            return service(**kwargs)
        except webhooks.WebhookNotPermitted as exc:
            raise PermissionDenied(str(exc)) from None
        except webhooks.WebhookError as exc:
            raise ValidationError({exc.field: [str(exc)]}) from None
