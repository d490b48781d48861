"""Endpoints for sources and citations."""

from __future__ import annotations

from django.db.models import OuterRef, Prefetch, Subquery
from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins

from core.api.base import TrackedReadViewSet, TrackedViewSet
from sources import services
from sources.api.serializers import (
    LATEST_CHECK_FIELDS,
    CitationSerializer,
    CitationWriteSerializer,
    SourceCheckSerializer,
    SourceSerializer,
    SourceWriteSerializer,
)
from sources.filtersets import CitationFilterSet, SourceCheckFilterSet, SourceFilterSet
from sources.models import SourceCheck
from tracker.api.views import write_docs
from tracker.visibility import visible_citations, visible_source_checks, visible_sources


def latest_check_prefetch() -> Prefetch:
    """Each source's newest check in one query for the whole page (`source.latest_checks`, 0 or 1 rows)."""
    newest = SourceCheck.objects.filter(source=OuterRef("source")).order_by("-finished_at", "-id").values("pk")[:1]
    checks = SourceCheck.objects.filter(pk=Subquery(newest)).only("source", *LATEST_CHECK_FIELDS)
    return Prefetch("checks", queryset=checks, to_attr="latest_checks")


@extend_schema_view(**write_docs(SourceSerializer))
class SourceViewSet(TrackedViewSet):
    visible = staticmethod(visible_sources)
    serializer_class = SourceSerializer
    write_serializer_class = SourceWriteSerializer
    filterset_class = SourceFilterSet
    ordering_fields = ["updated_at", "id"]
    service_object_name = "source"

    def get_prefetches(self):
        return (latest_check_prefetch(),)

    create_service = staticmethod(services.source_create)
    update_service = staticmethod(services.source_update)
    delete_service = staticmethod(services.source_delete)


@extend_schema_view(**write_docs(CitationSerializer))
class CitationViewSet(TrackedViewSet):
    visible = staticmethod(visible_citations)
    serializer_class = CitationSerializer
    write_serializer_class = CitationWriteSerializer
    filterset_class = CitationFilterSet
    select = ("quote_check",)
    ordering_fields = ["updated_at", "id"]
    service_object_name = "citation"
    create_service = staticmethod(services.citation_create)
    update_service = staticmethod(services.citation_update)
    delete_service = staticmethod(services.citation_delete)


class SourceCheckViewSet(TrackedReadViewSet):
    """Every check of a source (append-only; written by the background checks). Partners see the
    checks of the sources they may see, i.e. those cited by a published claim."""

    visible = staticmethod(visible_source_checks)
    serializer_class = SourceCheckSerializer
    filterset_class = SourceCheckFilterSet
    ordering_fields = ["id"]

    def retrieve(self, request, *args, **kwargs):
        # Checks are never edited, so they carry no version and no ETag.
        return mixins.RetrieveModelMixin.retrieve(self, request, *args, **kwargs)
