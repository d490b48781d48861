"""The positions app's routes under /api/v1/ (config/urls.py puts every app's together: core/api/urls.py)."""

from django.urls import path

from core.api.urls import APIRouter
from positions.api.views import ActorTimelineViewSet, PositionChangeList, PositionViewSet, TopicStancesViewSet

router = APIRouter()
router.register("positions", PositionViewSet, basename="position")
# Time views of the tracker's actors and topics: only their action routes (`actor-timeline`, `topic-stances`).
router.register("actors", ActorTimelineViewSet, basename="actor")
router.register("topics", TopicStancesViewSet, basename="topic")

urlpatterns = [
    path("position-changes/", PositionChangeList.as_view(), name="position-change-list"),
    *router.urls,
]
