"""/api/v1/... endpoints, /api/schema/ (OpenAPI 3) and /api/docs/ (Swagger UI)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from claims.api.exceptions import api_not_found
from claims.api.feeds import FeedViewSet
from claims.api.library import FactCheckViewSet, SourceViewSet
from claims.api.views import (
    ArticleViewSet,
    BatchViewSet,
    ClaimViewSet,
    ExportViewSet,
    TokenViewSet,
)
from claims.api.webhooks import WebhookViewSet

app_name = "api"

router = SimpleRouter()
router.register("claims", ClaimViewSet, basename="claim")
router.register("articles", ArticleViewSet, basename="article")
router.register("batches", BatchViewSet, basename="batch")
router.register("tokens", TokenViewSet, basename="token")
router.register("exports", ExportViewSet, basename="export")
router.register("factchecks", FactCheckViewSet, basename="factcheck")
router.register("sources", SourceViewSet, basename="source")
router.register("feeds", FeedViewSet, basename="feed")
router.register("webhooks", WebhookViewSet, basename="webhook")

urlpatterns = [
    # Before the router: "export.csv" is no claim id (the router's ids are digits).
    path("v1/claims/export.csv", ClaimViewSet.as_view({"get": "export"}), name="claim-export"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Last: any other /api/ URL is a 404 in the API's error shape, even with DEBUG on.
    re_path(r"^(?P<path>.*)$", api_not_found),
]
