"""/api/v1/webhook-endpoints/: a partner's own endpoints, their delivery log and replay.

Only partner keys use these (any scope: an endpoint is the partner's own configuration, not data it
submits); each sees its own endpoints and nothing else, anyone else gets 403. The team manages
endpoints in the admin.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from core.api.access import api_key
from core.api.base import RejectNulMixin
from push import selectors, services
from push.api.serializers import (
    ReplaySerializer,
    WebhookDeliverySerializer,
    WebhookEndpointSerializer,
    WebhookEndpointWriteSerializer,
)


class PartnerKeyOnly(BasePermission):
    message = "Webhook endpoints are managed with a partner's API key (the team uses the admin)."

    def has_permission(self, request, view) -> bool:
        key = api_key(request)
        return key is not None and key.partner_id is not None


class WebhookEndpointViewSet(
    RejectNulMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = WebhookEndpointSerializer
    permission_classes = [PartnerKeyOnly]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = r"[0-9]{1,18}"
    filter_backends: list = []

    def get_queryset(self):
        key = api_key(self.request)
        return selectors.endpoints_of(key.partner_id if key else -1).order_by("-id")

    @extend_schema(request=WebhookEndpointWriteSerializer, responses={201: WebhookEndpointSerializer})
    def create(self, request, *args, **kwargs):
        write = WebhookEndpointWriteSerializer(data=request.data)
        write.is_valid(raise_exception=True)
        data = dict(write.validated_data)
        data.pop("is_active", None)
        endpoint = services.webhook_endpoint_create(partner=api_key(request).partner, **data)
        return Response(WebhookEndpointSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WebhookEndpointWriteSerializer, responses=WebhookEndpointSerializer)
    def partial_update(self, request, *args, **kwargs):
        endpoint = self.get_object()
        write = WebhookEndpointWriteSerializer(data=request.data, partial=True)
        write.is_valid(raise_exception=True)
        data = dict(write.validated_data)
        data.pop("after", None)
        endpoint = services.webhook_endpoint_update(endpoint=endpoint, data=data)
        return Response(WebhookEndpointSerializer(endpoint).data)

    def perform_destroy(self, instance):
        services.webhook_endpoint_delete(endpoint=instance)

    @extend_schema(request=ReplaySerializer, responses={202: WebhookEndpointSerializer})
    @action(detail=True, methods=["post"])
    def replay(self, request, pk=None):
        """Send again, in order, every event numbered after `after`."""
        endpoint = self.get_object()
        replay = ReplaySerializer(data=request.data)
        replay.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_replay(endpoint=endpoint, after=replay.validated_data["after"])
        return Response(WebhookEndpointSerializer(endpoint).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        """The delivery log, newest event first, each with its attempts."""
        endpoint = self.get_object()
        queryset = selectors.deliveries_of(endpoint)  # newest first (the pagination orders by -id)
        page = self.paginate_queryset(queryset)
        serializer = WebhookDeliverySerializer(page, many=True)
        return self.get_paginated_response(serializer.data)
