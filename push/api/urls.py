"""The push app's routes under /api/v1/ (config/urls.py lists this module with the others)."""

from core.api.urls import APIRouter
from push.api.views import WebhookEndpointViewSet

router = APIRouter()
router.register("webhook-endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")

urlpatterns = router.urls
