"""Endpoints for positions and changes of stance, and the time views of actors and topics
(`/actors/<slug>/timeline/`, `/topics/<slug>/stances/`) the tracker's endpoints leave to this app."""

from __future__ import annotations

import datetime

from django.db.models import F, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.access import PAGE_SIZE_BOUNDS
from core.api.actions import workflow_action, write_docs
from core.api.base import (
    ConditionalGetMixin,
    RejectNulMixin,
    TrackedViewSet,
    TrackerCursorPagination,
    VisibleViewSet,
    is_partner,
    streamed,
)
from core.api.exports import EXPORT_PARAMETER, export_response
from core.api.feed import register_viewset
from core.api.params import parse_date, parse_datetime
from core.visibility import visible
from positions import selectors, services
from positions.api.exports import POSITION_CSV_COLUMNS, position_csv_row
from positions.api.serializers import (
    PositionChangeSerializer,
    PositionSerializer,
    PositionWriteSerializer,
    TimePositionSerializer,
    time_rows_schema,
)
from positions.filtersets import PositionFilterSet
from positions.models import Position
from tracker.models import Actor, Claim, Topic


def with_visible_evidence(queryset: QuerySet[Position], partner: bool) -> QuerySet[Position]:
    """Positions with `visible_evidence`: the ids of the evidence claims the caller may see."""
    return queryset.prefetch_related(
        Prefetch(
            "evidence", queryset=visible(Claim, partner=partner).only("id").order_by("id"), to_attr="visible_evidence"
        )
    )


@register_viewset
@extend_schema_view(**write_docs(PositionSerializer))
class PositionViewSet(TrackedViewSet):
    """Dated positions; `evidence` lists the claims (ids and links) the caller may see."""

    model = Position
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

    @streamed
    @extend_schema(
        parameters=[EXPORT_PARAMETER],
        responses={(200, "text/csv"): OpenApiTypes.STR, (200, "application/json"): PositionSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def export(self, request):
        """Every position the filters select, as CSV or JSON (the same records and filters as the list)."""
        return export_response(self, POSITION_CSV_COLUMNS, position_csv_row, "positions")

    submit = workflow_action("submit", services.position_submit, "position", "Send a draft for review (editors).")
    publish = workflow_action(
        "publish", services.position_publish, "position", "Publish (reviewers); needs published evidence."
    )
    return_to_draft = workflow_action(
        "return_to_draft", services.position_return, "position", "Return to draft (reviewers).", url_path="return"
    )
    retract = workflow_action("retract", services.position_retract, "position", "Retract (reviewers).")


RECORDED_AS_OF = OpenApiParameter(
    "recorded_as_of",
    # A moment, or a date alone (the end of that day): both are documented and both are accepted.
    {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}]},
    description=(
        "ISO 8601 moment (a date alone: the end of that day): our records as they stood then. A position "
        "published then and retracted since comes to partners as a tombstone (`retracted`, `retracted_on`), "
        "to the team as it stood with `retracted_on`."
    ),
)


class ActorTimelineViewSet(VisibleViewSet):
    """`/actors/<slug>/timeline/`: routes only that action; the actor endpoints are the tracker's."""

    model = Actor
    lookup_field = "slug"
    lookup_value_regex = r"[^/.]+"
    filter_backends = []  # the actor is looked up by slug alone

    @extend_schema(
        parameters=[OpenApiParameter("topic", str, description="Only this topic (slug)."), RECORDED_AS_OF],
        responses=time_rows_schema(TimePositionSerializer, "TimelinePosition"),
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request, slug=None, **kwargs):  # kwargs: DRF passes `format` for timeline.json
        """The actor's published positions in date order, on one topic or all, with their evidence."""
        actor = self.get_object()
        topic = None
        if request.query_params.get("topic"):
            topic = get_object_or_404(visible(Topic, partner=self.partner_view()), slug=request.query_params["topic"])
        recorded = parse_datetime(request.query_params.get("recorded_as_of"), "recorded_as_of")
        if recorded is not None:
            rows = selectors.position_timeline_recorded(actor=actor, topic=topic, recorded_at=recorded)
            positions = selectors.recorded_positions(rows, recorded_at=recorded, partner=self.partner_view())
        else:
            positions = with_visible_evidence(
                selectors.position_timeline(actor=actor, topic=topic), self.partner_view()
            )
        return Response(TimePositionSerializer(positions, many=True, context=self.get_serializer_context()).data)


class TopicStancesPagination(TrackerCursorPagination):
    """A page of stances (default 50, at most 100) by actor name: 1,000 actors in one answer took 232 ms."""

    ordering = ("actor_name", "id")


class TopicStancesViewSet(VisibleViewSet):
    """`/topics/<slug>/stances/`: routes only that action; the topic endpoints are the tracker's."""

    model = Topic
    lookup_field = "slug"
    lookup_value_regex = r"[^/.]+"
    filter_backends = []  # the topic is looked up by slug alone

    @extend_schema(
        parameters=[
            OpenApiParameter("as_of", datetime.date, description="The date (default: today)."),
            RECORDED_AS_OF,
            OpenApiParameter("cursor", str, description="The pagination cursor value."),
            OpenApiParameter(
                "page_size", {"type": "integer", **PAGE_SIZE_BOUNDS}, description="Stances per page (default 50)."
            ),
        ],
        responses=time_rows_schema(TimePositionSerializer, "TopicStance"),
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=TopicStancesPagination)
    def stances(self, request, slug=None, **kwargs):  # kwargs: DRF passes `format` for stances.json
        """Every actor's published stance on the topic as of a date: their latest position dated on or
        before it; a page of actors by name (`next` and `previous` as on every list)."""
        topic = self.get_object()
        on = parse_date(request.query_params.get("as_of"), "as_of", timezone.localdate())
        recorded = parse_datetime(request.query_params.get("recorded_as_of"), "recorded_as_of")
        if recorded is not None:
            page = self.paginate_queryset(selectors.stances_as_of_recorded(topic=topic, on=on, recorded_at=recorded))
            positions = selectors.recorded_positions(page, recorded_at=recorded, partner=self.partner_view())
        else:
            queryset = selectors.stances_as_of(topic=topic, on=on).annotate(actor_name=F("actor__name"))
            positions = self.paginate_queryset(with_visible_evidence(queryset, self.partner_view()))
        data = TimePositionSerializer(positions, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)


class PositionChangesPagination(TrackerCursorPagination):
    ordering = ("changed_on", "id")  # the position's date (see selectors.position_changes_recorded)


@extend_schema(
    description=(
        "Published positions whose stance differs from the actor's previous one on the topic, with "
        "`previous_stance` and the evidence, by date. With `recorded_as_of`, as our records stood then; "
        "for partners, positions retracted since are tombstones and take no part in the comparison."
    ),
    parameters=[
        OpenApiParameter("since", datetime.date, description="First date, inclusive."),
        OpenApiParameter("until", datetime.date, description="Last date, inclusive."),
        OpenApiParameter("topic", str, description="Topic slug."),
        OpenApiParameter("actor", str, description="Actor slug."),
        RECORDED_AS_OF,
    ],
    responses=time_rows_schema(PositionChangeSerializer, "PositionChangeRow"),
)
class PositionChangeList(ConditionalGetMixin, RejectNulMixin, generics.ListAPIView):
    """Published positions whose stance differs from the actor's previous one on the topic, with
    `previous_stance` and the evidence. With `recorded_as_of`, computed from the history as of then;
    for partners, positions retracted since are tombstones and take no part in the comparison."""

    serializer_class = PositionChangeSerializer
    pagination_class = PositionChangesPagination

    def get_queryset(self):
        params = self.request.query_params
        since = parse_date(params.get("since"), "since")
        until = parse_date(params.get("until"), "until")
        queryset = selectors.position_changes(since=since, until=until).annotate(changed_on=F("as_of"))
        if params.get("topic"):
            queryset = queryset.filter(topic__slug=params["topic"])
        if params.get("actor"):
            queryset = queryset.filter(actor__slug=params["actor"])
        return with_visible_evidence(queryset, is_partner(self.request))

    def list(self, request, *args, **kwargs):
        recorded = parse_datetime(request.query_params.get("recorded_as_of"), "recorded_as_of")
        if recorded is None:
            return super().list(request, *args, **kwargs)
        params, partner = request.query_params, is_partner(request)
        rows = selectors.position_changes_recorded(
            since=parse_date(params.get("since"), "since"),
            until=parse_date(params.get("until"), "until"),
            recorded_at=recorded,
            topic_slug=params.get("topic") or None,
            actor_slug=params.get("actor") or None,
            partner=partner,
        )
        page = self.paginate_queryset(rows)
        positions = selectors.recorded_positions(page, recorded_at=recorded, partner=partner)
        return self.get_paginated_response(self.get_serializer(positions, many=True).data)
