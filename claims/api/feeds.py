"""API v1: feeds (/api/v1/feeds/), editors' RSS and Atom subscriptions, and their
items (/api/v1/feeds/{id}/items/). Same style as claims.api.views: a ViewSet,
reads through claims.selectors, writes through claims.services.feeds.

Editors only, reads included: a subscription is the desk's configuration (its
addresses, its error messages), and everybody sees the articles it brings in
/api/v1/articles/. Fact-checkers and viewers get 403."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from claims import selectors, services
from claims.api.exceptions import Conflict
from claims.api.pagination import KeysetPagination
from claims.api.permissions import has_perm
from claims.api.schema import READ, WRITE, errors
from claims.api.serializers import HTTP_URL, StrictCharField
from claims.api.views import PAGE_PARAMS, ApiViewSet
from claims.models import Feed, FeedItem
from claims.selectors import Key
from claims.services.feeds import MAX_INTERVAL, MIN_INTERVAL
from claims.tasks import start_feed_poll

CanReadFeeds = has_perm("claims.view_feed")
CanAddFeed = has_perm("claims.add_feed")
CanChangeFeed = has_perm("claims.change_feed")
CanDeleteFeed = has_perm("claims.delete_feed")
CanReadFeedItems = has_perm("claims.view_feeditem")
OLDEST = {"id": [Key("id", False, int)]}
NEWEST = {"-id": [Key("id", True, int)]}


class FeedSerializer(serializers.ModelSerializer):
    url = serializers.URLField(read_only=True)
    state = serializers.CharField(
        read_only=True, help_text="paused, error (the last poll failed), new (never polled) or ok"
    )
    items = serializers.IntegerField(source="n_items", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Feed
        fields = [
            "id", "url", "title", "poll_interval_minutes", "active", "state", "items",
            "last_polled_at", "last_success_at", "next_poll_at", "consecutive_errors",
            "error_since", "error", "created_by", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class FeedInputSerializer(serializers.Serializer):
    """Types and sizes only: the address (check_url, as URL ingest), the interval's
    bounds and duplicates are the service's to refuse."""

    url = StrictCharField(max_length=2000, validators=[HTTP_URL])
    title = StrictCharField(required=False, allow_blank=True, max_length=500)
    poll_interval_minutes = serializers.IntegerField(
        required=False, min_value=MIN_INTERVAL, max_value=MAX_INTERVAL
    )
    active = serializers.BooleanField(required=False)


class FeedItemSerializer(serializers.ModelSerializer):
    article = serializers.PrimaryKeyRelatedField(read_only=True)
    article_state = serializers.CharField(source="article.state", read_only=True, default=None)

    class Meta:
        model = FeedItem
        fields = [
            "id", "guid", "link", "title", "feed_published_at", "feed_updated_at", "article",
            "article_state", "error", "first_seen_at",
        ]  # fmt: skip


class PollSerializer(serializers.Serializer):
    enqueued = serializers.BooleanField(allow_null=True)
    message = serializers.CharField()


@extend_schema(tags=["feeds"])
class FeedViewSet(ApiViewSet):
    read_permission = CanReadFeeds
    own_query_params = frozenset({"list", "items"})
    action_permissions = {
        "create": [CanAddFeed],
        "partial_update": [CanChangeFeed],
        "poll": [CanChangeFeed],
        "destroy": [CanDeleteFeed],
        "items": [CanReadFeedItems],
    }
    pagination_class = KeysetPagination
    orderings = OLDEST
    default_ordering = "id"
    serializer_class = FeedSerializer

    def _feed(self, pk) -> Feed:
        return self.load(selectors.feed_detail, pk, "feed")

    def _fresh(self, feed: Feed) -> dict:
        return FeedSerializer(self._feed(feed.pk)).data

    @extend_schema(
        summary="The subscribed feeds (editors), oldest first, with their state",
        responses={200: FeedSerializer(many=True), **errors(*READ, 400)},
    )
    def list(self, request):
        self.check_query_params(PAGE_PARAMS)
        page = self.paginate_queryset(selectors.feed_list())
        return self.get_paginated_response(FeedSerializer(page, many=True).data)

    @extend_schema(
        summary="Subscribe to an RSS or Atom feed (editors); due at once: beat polls it",
        request=FeedInputSerializer,
        responses={201: FeedSerializer, **errors(*WRITE)},
    )
    def create(self, request):
        data = self._valid(FeedInputSerializer(data=request.data))
        try:
            feed = services.feed_subscribe(**data, user=request.user)
        except services.FeedError as exc:
            raise ValidationError({"url": [str(exc)]}, code="invalid_feed") from None
        return Response(self._fresh(feed), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="A feed with its state: last poll, next poll, error",
        responses={200: FeedSerializer, **errors(*READ, 404)},
    )
    def retrieve(self, request, pk):
        return Response(FeedSerializer(self._feed(pk)).data)

    @extend_schema(
        summary="Change a feed's url, title, poll_interval_minutes or active (editors)",
        request=FeedInputSerializer(partial=True),
        responses={200: FeedSerializer, **errors(*WRITE, 404)},
    )
    def partial_update(self, request, pk):
        feed = self._feed(pk)
        data = self._valid(FeedInputSerializer(data=request.data, partial=True))
        try:
            services.feed_update(feed=feed, **data)
        except services.FeedError as exc:
            # As create's: feed_update refuses only the address (check_url, or
            # subscribed already); the interval's bounds are the serializer's.
            raise ValidationError({"url": [str(exc)]}, code="invalid_feed") from None
        return Response(self._fresh(feed))

    @extend_schema(
        summary="Unsubscribe (editors): the feed and its items go, its articles stay",
        responses={204: None, **errors(*READ, 404)},
    )
    def destroy(self, request, pk):
        services.feed_unsubscribe(feed=self._feed(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Poll the feed now (editors): a task fetches it, off the request",
        description="409 (feed_paused) for a paused feed: switch it on first.",
        request=None,
        responses={202: PollSerializer, **errors(*READ, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def poll(self, request, pk):
        try:
            enqueued = services.feed_poll_soon(feed=self._feed(pk), publish=start_feed_poll)
        except services.FeedError as exc:  # paused: no task would poll it
            raise Conflict(str(exc), code="feed_paused") from None
        message = (
            "The poll is queued."
            if enqueued is not False
            else "The task queue is unreachable; the feed is polled when it is back."
        )
        return Response(
            PollSerializer({"enqueued": enqueued, "message": message}).data,
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(
        summary="The feed's items, newest first, each with the article it became",
        responses={200: FeedItemSerializer(many=True), **errors(*READ, 400, 404)},
    )
    @action(detail=True, methods=["get"], orderings=NEWEST, default_ordering="-id")
    def items(self, request, pk):
        self.check_query_params(PAGE_PARAMS)
        feed = self._feed(pk)
        page = self.paginate_queryset(selectors.feed_items(feed=feed))
        return self.get_paginated_response(FeedItemSerializer(page, many=True).data)

    def _valid(self, serializer) -> dict:
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data
