"""Schema notes for writes and the workflow actions (submit, publish, return, retract) every
workflow viewset offers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action

from core.api.base import IF_MATCH_PARAMETER, REASON_PARAMETER, reason_from


def write_docs(read_serializer: Any) -> dict:
    """Writes take the write serializer and answer with the record as GET shows it."""
    return {
        "partial_update": extend_schema(parameters=[IF_MATCH_PARAMETER, REASON_PARAMETER], responses=read_serializer),
        "destroy": extend_schema(parameters=[IF_MATCH_PARAMETER, REASON_PARAMETER], responses={204: None}),
        "create": extend_schema(parameters=[REASON_PARAMETER], responses={201: read_serializer}),
    }


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, help_text="Why; or send the X-Change-Reason header.")


def workflow_action(name: str, service: Any, object_name: str, doc: str, url_path: str | None = None):
    """A POST that moves a record through the review workflow; needs If-Match and a reason."""

    def run(self, request, *args, **kwargs):
        instance = self.get_object()
        reason = reason_from(request)
        expected = self.expected_version(request, instance)
        instance = service(**{object_name: instance}, user=request.user, reason=reason, expected_version=expected)
        return self.respond_with(instance, status.HTTP_200_OK)

    run.__name__ = name
    run.__doc__ = doc
    run = action(detail=True, methods=["post"], url_path=url_path or name)(run)
    return extend_schema(request=ReasonSerializer, parameters=[IF_MATCH_PARAMETER, REASON_PARAMETER])(run)
