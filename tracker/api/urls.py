"""The tracker's routes under /api/v1/ (config/urls.py puts every app's together: core/api/urls.py)."""

from core.api.urls import APIRouter
from tracker.api.views import ActorViewSet, RoleViewSet, TopicViewSet

router = APIRouter()
router.register("actors", ActorViewSet, basename="actor")
router.register("roles", RoleViewSet, basename="role")
router.register("topics", TopicViewSet, basename="topic")

urlpatterns = router.urls
