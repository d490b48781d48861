"""The suggest app's routes under /api/v1/ (config/urls.py lists this module with the others)."""

from core.api.urls import APIRouter
from suggest.api.views import ClaimSuggestionViewSet

router = APIRouter()
router.register("claim-suggestions", ClaimSuggestionViewSet, basename="claim-suggestion")

urlpatterns = router.urls
