"""Routes under /api/v1/: plural kebab-case nouns, the schema and its browsable docs."""

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from positions.api.views import PositionChangeList, PositionViewSet
from sources.api.views import CitationViewSet, SourceCheckViewSet, SourceViewSet
from tracker.api.feed import ChangeFeed
from tracker.api.views import ActorViewSet, ClaimViewSet, RoleViewSet, TopicViewSet

router = DefaultRouter()
router.register("actors", ActorViewSet, basename="actor")
router.register("roles", RoleViewSet, basename="role")
router.register("topics", TopicViewSet, basename="topic")
router.register("claims", ClaimViewSet, basename="claim")
router.register("positions", PositionViewSet, basename="position")
router.register("sources", SourceViewSet, basename="source")
router.register("citations", CitationViewSet, basename="citation")
router.register("source-checks", SourceCheckViewSet, basename="source-check")

app_name = "api"


def NOT_FOUND() -> JsonResponse:  # noqa: N802
    return JsonResponse(
        {
            "type": "https://tracker.example.org/problems/404",
            "title": "Not found",
            "status": 404,
            "detail": "No such URL.",
        },
        status=404,
        content_type="application/problem+json",
    )


urlpatterns = [
    path("changes/", ChangeFeed.as_view(), name="change-list"),
    path("position-changes/", PositionChangeList.as_view(), name="position-change-list"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
    # Anything else under /api/v1/ answers a problem, not Django's HTML page.
    re_path(r"^", csrf_exempt(lambda request, *args, **kwargs: NOT_FOUND()), name="not-found"),
]
