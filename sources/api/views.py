"""Endpoints for sources and citations."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_view

from sources import services
from sources.api.serializers import (
    CitationSerializer,
    CitationWriteSerializer,
    SourceSerializer,
    SourceWriteSerializer,
)
from sources.filtersets import CitationFilterSet, SourceFilterSet
from tracker.api.base import TrackedViewSet
from tracker.api.views import write_docs
from tracker.visibility import visible_citations, visible_sources


@extend_schema_view(**write_docs(SourceSerializer))
class SourceViewSet(TrackedViewSet):
    visible = staticmethod(visible_sources)
    serializer_class = SourceSerializer
    write_serializer_class = SourceWriteSerializer
    filterset_class = SourceFilterSet
    ordering_fields = ["updated_at", "id"]
    service_object_name = "source"
    create_service = staticmethod(services.source_create)
    update_service = staticmethod(services.source_update)
    delete_service = staticmethod(services.source_delete)


@extend_schema_view(**write_docs(CitationSerializer))
class CitationViewSet(TrackedViewSet):
    visible = staticmethod(visible_citations)
    serializer_class = CitationSerializer
    write_serializer_class = CitationWriteSerializer
    filterset_class = CitationFilterSet
    ordering_fields = ["updated_at", "id"]
    service_object_name = "citation"
    create_service = staticmethod(services.citation_create)
    update_service = staticmethod(services.citation_update)
    delete_service = staticmethod(services.citation_delete)
