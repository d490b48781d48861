"""/api/v1/claim-suggestions/?source=ID: suggested claims for the team's keys and accounts (read-only).

Partners get 403: suggestions read drafts' excerpts and unpublished actors. Claims are created through
the ordinary endpoints (POST /api/v1/claims/ with citations, POST /api/v1/actors/).
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from core.api.access import is_partner
from core.api.base import RejectNulMixin
from sources.models import Source
from suggest.api.serializers import SuggestionsSerializer
from suggest.selectors import suggestions_for_source
from tracker.models import Actor


class TeamOnly(BasePermission):
    message = "Suggested claims are for the team's keys and accounts."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated) and not is_partner(request)


class SourceParameter(serializers.Serializer):
    source = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class OneObjectSchema(AutoSchema):
    """The list route answers one object (the source, its new actors, the suggestions), not an array."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


class ClaimSuggestionViewSet(RejectNulMixin, viewsets.GenericViewSet):
    schema = OneObjectSchema()
    permission_classes = [TeamOnly]
    serializer_class = SuggestionsSerializer
    filter_backends: list = []
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "source",
                {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
                required=True,
                description="The source's id.",
            )
        ],
        responses=SuggestionsSerializer,
    )
    def list(self, request, *args, **kwargs):
        """Candidate claims in a source's text (pasted, or as its latest check read it): excerpt, speaker
        matched to the tracked actors, kind, proposed text, topics, date and duplicates."""
        query = SourceParameter(data=request.query_params)
        query.is_valid(raise_exception=True)
        source = get_object_or_404(Source, pk=query.validated_data["source"])
        result = suggestions_for_source(source)
        slugs = dict(
            Actor.objects.filter(pk__in=[s.speaker.actor_key for s in result.suggestions]).values_list("pk", "slug")
        )
        body = {
            "source": source.pk,
            "new_actors": result.new_actors,
            "results": [_suggestion(s, slugs) for s in result.suggestions],
        }
        return Response(SuggestionsSerializer(body).data)


def _suggestion(suggestion: Any, slugs: dict[int, str]) -> dict[str, Any]:
    speaker = suggestion.speaker
    return {
        "excerpt": suggestion.excerpt,
        "start": suggestion.start,
        "end": suggestion.end,
        "locator": f"paragraph {suggestion.paragraph}",
        "kind": suggestion.kind,
        "speaker": {
            "actor": speaker.actor_key,
            "actor_slug": slugs.get(speaker.actor_key),
            "new_name": speaker.new_name,
            "matched_by": speaker.matched_by,
            "mention": speaker.mention,
        },
        "confidence": suggestion.confidence,
        "text": suggestion.text,
        "verb": suggestion.verb,
        "topics": [{"topic": t.topic_key, "score": t.score} for t in suggestion.topics],
        "stated_on": suggestion.stated_on,
        "stated_on_precision": suggestion.stated_on_precision,
        "duplicates": suggestion.duplicates,
    }
