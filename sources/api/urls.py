"""The sources app's routes under /api/v1/ (config/urls.py puts every app's together: core/api/urls.py)."""

from core.api.urls import APIRouter
from sources.api.views import CitationViewSet, ClaimViewSet, SourceCheckViewSet, SourceViewSet

router = APIRouter()
router.register("claims", ClaimViewSet, basename="claim")
router.register("sources", SourceViewSet, basename="source")
router.register("citations", CitationViewSet, basename="citation")
router.register("source-checks", SourceCheckViewSet, basename="source-check")

urlpatterns = router.urls
