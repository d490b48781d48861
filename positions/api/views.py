"""Endpoints for positions and changes of stance."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.base import RejectNulMixin, TrackedViewSet, TrackerCursorPagination, is_partner
from positions import selectors, services
from positions.api.serializers import PositionChangeSerializer, PositionSerializer, PositionWriteSerializer
from positions.filtersets import PositionFilterSet
from tracker import exports
from tracker.api.views import (
    EXPORT_PARAMETER,
    export_response,
    parse_date,
    parse_datetime,
    with_visible_evidence,
    workflow_action,
    write_docs,
)
from tracker.visibility import visible_positions


@extend_schema_view(**write_docs(PositionSerializer))
class PositionViewSet(TrackedViewSet):
    """Dated positions; `evidence` lists the claims (ids and links) the caller may see."""

    visible = staticmethod(visible_positions)
    select = ("actor", "topic")
    serializer_class = PositionSerializer
    write_serializer_class = PositionWriteSerializer
    filterset_class = PositionFilterSet
    ordering_fields = ["as_of", "updated_at", "id"]
    service_object_name = "position"
    create_service = staticmethod(services.position_create)
    update_service = staticmethod(services.position_update)
    delete_service = staticmethod(services.position_delete)

    def get_queryset(self):
        return with_visible_evidence(super().get_queryset(), self.partner_view())

    @extend_schema(
        parameters=[EXPORT_PARAMETER],
        responses={(200, "text/csv"): OpenApiTypes.STR, (200, "application/json"): PositionSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def export(self, request):
        """Every position the filters select, as CSV or JSON (the same records and filters as the list)."""
        return export_response(self, exports.POSITION_CSV_COLUMNS, exports.position_csv_row, "positions")

    submit = workflow_action("submit", services.position_submit, "position", "Send a draft for review (editors).")
    publish = workflow_action(
        "publish", services.position_publish, "position", "Publish (reviewers); needs published evidence."
    )
    return_to_draft = workflow_action(
        "return_to_draft", services.position_return, "position", "Return to draft (reviewers).", url_path="return"
    )
    retract = workflow_action("retract", services.position_retract, "position", "Retract (reviewers).")


class PositionChangesPagination(TrackerCursorPagination):
    ordering = ("as_of", "id")


@extend_schema(
    parameters=[
        OpenApiParameter("since", str, description="First date (YYYY-MM-DD), inclusive."),
        OpenApiParameter("until", str, description="Last date (YYYY-MM-DD), inclusive."),
        OpenApiParameter("topic", str, description="Topic slug."),
        OpenApiParameter("actor", str, description="Actor slug."),
        OpenApiParameter("recorded_as_of", str, description="ISO 8601 moment: our records as they stood then."),
    ]
)
class PositionChangeList(RejectNulMixin, generics.ListAPIView):
    """Published positions whose stance differs from the actor's previous one on the topic, with
    `previous_stance` and the evidence. With `recorded_as_of`, computed from the history as of then."""

    serializer_class = PositionChangeSerializer
    pagination_class = PositionChangesPagination

    def get_queryset(self):
        params = self.request.query_params
        since = parse_date(params.get("since"), "since")
        until = parse_date(params.get("until"), "until")
        queryset = selectors.position_changes(since=since, until=until)
        if params.get("topic"):
            queryset = queryset.filter(topic__slug=params["topic"])
        if params.get("actor"):
            queryset = queryset.filter(actor__slug=params["actor"])
        return with_visible_evidence(queryset, is_partner(self.request))

    def list(self, request, *args, **kwargs):
        recorded = parse_datetime(request.query_params.get("recorded_as_of"), "recorded_as_of")
        if recorded is None:
            return super().list(request, *args, **kwargs)
        params = request.query_params
        rows = selectors.position_changes_recorded(
            since=parse_date(params.get("since"), "since"),
            until=parse_date(params.get("until"), "until"),
            recorded_at=recorded,
            topic_slug=params.get("topic") or None,
            actor_slug=params.get("actor") or None,
        )
        data = self.get_serializer(rows, many=True).data
        return Response({"next": None, "previous": None, "results": data})
