"""Endpoints for actors, roles, topics and claims. Shared behaviour lives in tracker/api/base.py."""

from __future__ import annotations

import datetime
import json
from itertools import chain
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.base import (
    IF_MATCH_PARAMETER,
    REASON_PARAMETER,
    TrackedViewSet,
    api_key,
    etag_for,
    expected_version_from,
    reason_from,
)
from core.history import change_set
from positions import selectors
from positions.api.serializers import PositionSerializer
from sources.services import source_create, source_find_by_url
from tracker import exports, services
from tracker.api.serializers import (
    ActorSerializer,
    ActorWriteSerializer,
    ClaimSerializer,
    ClaimWriteSerializer,
    RoleSerializer,
    RoleWriteSerializer,
    TopicSerializer,
    TopicWriteSerializer,
)
from tracker.choices import Veracity
from tracker.filtersets import ActorFilterSet, ClaimFilterSet, RoleFilterSet, TopicFilterSet, to_utc
from tracker.selectors import claims_for_representation
from tracker.visibility import (
    visible_actors,
    visible_claims,
    visible_roles,
    visible_topics,
)


def write_docs(read_serializer) -> dict:
    """Writes take the write serializer and answer with the record as GET shows it."""
    return {
        "partial_update": extend_schema(parameters=[IF_MATCH_PARAMETER, REASON_PARAMETER], responses=read_serializer),
        "destroy": extend_schema(parameters=[IF_MATCH_PARAMETER, REASON_PARAMETER], responses={204: None}),
        "create": extend_schema(parameters=[REASON_PARAMETER], responses={201: read_serializer}),
    }


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, help_text="Why; or send the X-Change-Reason header.")


def parse_date(value: str | None, name: str, default: datetime.date | None = None) -> datetime.date | None:
    if not value:
        return default
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise serializers.ValidationError({name: "Give a date as YYYY-MM-DD."}) from None


def parse_datetime(value: str | None, name: str) -> datetime.datetime | None:
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise serializers.ValidationError({name: "Give a moment as ISO 8601, e.g. 2025-03-01T12:00:00Z."}) from None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=datetime.UTC)
    return to_utc(moment, name)


def workflow_action(name: str, service: Any, object_name: str, doc: str, url_path: str | None = None):
    """A POST that moves a record through the review workflow; needs If-Match and a reason."""

    def run(self, request, *args, **kwargs):
        instance = self.get_object()
        expected = expected_version_from(request, instance)
        reason = reason_from(request)
        instance = service(**{object_name: instance}, user=request.user, reason=reason, expected_version=expected)
        return self.respond_with(instance, status.HTTP_200_OK)

    run.__name__ = name
    run.__doc__ = doc
    run = action(detail=True, methods=["post"], url_path=url_path or name)(run)
    return extend_schema(request=ReasonSerializer, parameters=[IF_MATCH_PARAMETER, REASON_PARAMETER])(run)


@extend_schema_view(**write_docs(ActorSerializer))
class ActorViewSet(TrackedViewSet):
    visible = staticmethod(visible_actors)
    serializer_class = ActorSerializer
    write_serializer_class = ActorWriteSerializer
    filterset_class = ActorFilterSet
    lookup_field = "slug"
    lookup_value_regex = r"[^/.]+"
    ordering_fields = ["name", "updated_at", "id"]
    service_object_name = "actor"
    create_service = staticmethod(services.actor_create)
    update_service = staticmethod(services.actor_update)
    delete_service = staticmethod(services.actor_delete)

    @extend_schema(
        parameters=[
            OpenApiParameter("topic", str, description="Only this topic (slug)."),
            OpenApiParameter("recorded_as_of", str, description="ISO 8601 moment: our records as they stood then."),
        ],
        responses=PositionSerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def timeline(self, request, slug=None):
        """The actor's published positions in date order, on one topic or all, with their evidence."""
        actor = self.get_object()
        topic = None
        if request.query_params.get("topic"):
            topic = get_object_or_404(visible_topics(partner=self.partner_view()), slug=request.query_params["topic"])
        recorded = parse_datetime(request.query_params.get("recorded_as_of"), "recorded_as_of")
        if recorded is not None:
            positions = selectors.position_timeline_recorded(actor=actor, topic=topic, recorded_at=recorded)
        else:
            positions = with_visible_evidence(
                selectors.position_timeline(actor=actor, topic=topic), self.partner_view()
            )
        return Response(PositionSerializer(positions, many=True, context=self.get_serializer_context()).data)


@extend_schema_view(**write_docs(RoleSerializer))
class RoleViewSet(TrackedViewSet):
    visible = staticmethod(visible_roles)
    select = ("actor", "organisation")
    serializer_class = RoleSerializer
    write_serializer_class = RoleWriteSerializer
    filterset_class = RoleFilterSet
    ordering_fields = ["updated_at", "id"]
    service_object_name = "role"
    create_service = staticmethod(services.role_create)
    update_service = staticmethod(services.role_update)
    delete_service = staticmethod(services.role_delete)


@extend_schema_view(**write_docs(TopicSerializer))
class TopicViewSet(TrackedViewSet):
    visible = staticmethod(visible_topics)
    select = ("parent",)
    serializer_class = TopicSerializer
    write_serializer_class = TopicWriteSerializer
    filterset_class = TopicFilterSet
    lookup_field = "slug"
    lookup_value_regex = r"[^/.]+"
    ordering_fields = ["title", "updated_at", "id"]
    service_object_name = "topic"
    create_service = staticmethod(services.topic_create)
    update_service = staticmethod(services.topic_update)
    delete_service = staticmethod(services.topic_delete)

    @extend_schema(
        parameters=[
            OpenApiParameter("as_of", datetime.date, description="The date (default: today)."),
            OpenApiParameter("recorded_as_of", str, description="ISO 8601 moment: our records as they stood then."),
        ],
        responses=PositionSerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def stances(self, request, slug=None):
        """Every actor's published stance on the topic as of a date: their latest position dated on or before it."""
        topic = self.get_object()
        on = parse_date(request.query_params.get("as_of"), "as_of", timezone.localdate())
        recorded = parse_datetime(request.query_params.get("recorded_as_of"), "recorded_as_of")
        if recorded is not None:
            positions = selectors.stances_as_of_recorded(topic=topic, on=on, recorded_at=recorded)
        else:
            positions = with_visible_evidence(selectors.stances_as_of(topic=topic, on=on), self.partner_view())
        return Response(PositionSerializer(positions, many=True, context=self.get_serializer_context()).data)


JSON_LD = "application/ld+json"
EXPORT_PARAMETER = OpenApiParameter("as", str, enum=["csv", "json"], description="File format (default json).")


def export_response(viewset, columns: list[str], csv_row, name: str) -> StreamingHttpResponse:
    """Stream every filtered row (not one page) as CSV or JSON, rendered by the list's serializer."""
    kind = viewset.request.query_params.get("as", "json")
    if kind not in ("csv", "json"):
        raise serializers.ValidationError({"as": "Choose csv or json."})
    queryset = viewset.filter_queryset(viewset.get_queryset())
    context = viewset.get_serializer_context()
    rows = exports.serialized_rows(
        queryset, lambda chunk: viewset.serializer_class(chunk, many=True, context=context).data
    )
    if kind == "csv":
        response = StreamingHttpResponse(exports.csv_lines(map(csv_row, rows), columns), content_type="text/csv")
    else:
        response = StreamingHttpResponse(exports.json_array_lines(rows), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


def with_visible_evidence(queryset, partner: bool):
    return queryset.prefetch_related(
        Prefetch(
            "evidence", queryset=visible_claims(partner=partner).only("id").order_by("id"), to_attr="visible_evidence"
        )
    )


@extend_schema_view(**write_docs(ClaimSerializer))
class ClaimViewSet(TrackedViewSet):
    """Claims with their citations. Partner `submit` keys may create claims, which go to review."""

    visible = staticmethod(visible_claims)
    serializer_class = ClaimSerializer
    write_serializer_class = ClaimWriteSerializer
    filterset_class = ClaimFilterSet
    ordering_fields = ["updated_at", "id"]  # cursor pages need non-null keys: not stated_on
    service_object_name = "claim"
    partner_submit_actions = ("create",)
    update_service = staticmethod(services.claim_update)
    delete_service = staticmethod(services.claim_delete)

    def get_queryset(self):
        queryset = claims_for_representation(super().get_queryset())
        if self.action in ("claim_review", "claim_reviews"):
            queryset = queryset.select_related("speaker")  # a ClaimReview names the speaker
        return queryset

    def create_service(self, *, user: Any, reason: str, data: dict, topics=(), citations=()):
        partner_key = api_key(self.request) if self.partner_view() else None
        with change_set():
            resolved = []
            for index, citation in enumerate(citations):
                citation = dict(citation)
                url = citation.pop("source_url", None)
                title = citation.pop("source_title", "")
                if url:
                    try:
                        citation["source"] = source_find_by_url(url) or source_create(
                            user=user, reason=reason, data={"url": url, "title": title}
                        )
                    except ValidationError as error:
                        raise ValidationError({f"citations[{index}].source_url": error.messages}) from error
                resolved.append(citation)
            claim = services.claim_create(user=user, reason=reason, data=data, topics=topics, citations=resolved)
            if partner_key is not None:
                # A partner's proposal goes straight to the review queue, attributed to the partner's account.
                claim = services.claim_submit(claim=claim, user=user, reason=reason)
        return claim

    def respond_with(self, instance, code: int) -> Response:
        if self.action == "create" and self.partner_view():
            # The partner sees its own proposal once; it stays invisible to partners until published.
            fresh = self.get_queryset_unfiltered().get(pk=instance.pk)
            data = self.serializer_class(fresh, context=self.get_serializer_context()).data
            return Response(data, status=code, headers={"ETag": etag_for(fresh)})
        return super().respond_with(instance, code)

    def get_queryset_unfiltered(self):
        return claims_for_representation(visible_claims(partner=False))

    @extend_schema(
        parameters=[EXPORT_PARAMETER],
        responses={(200, "text/csv"): OpenApiTypes.STR, (200, "application/json"): ClaimSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def export(self, request):
        """Every claim the filters select, as CSV or JSON (the same records and filters as the list)."""
        return export_response(self, exports.CLAIM_CSV_COLUMNS, exports.claim_csv_row, "claims")

    @extend_schema(responses={(200, "application/ld+json"): OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"], url_path="claim-review", pagination_class=None, filterset_class=None)
    def claim_review(self, request, pk=None):
        """schema.org ClaimReview JSON-LD for a claim with a veracity rating; 404 for an unrated claim."""
        claim = self.get_object()
        if claim.veracity == Veracity.UNRATED:
            raise Http404
        review = self._claim_reviews([claim])[0]
        return HttpResponse(json.dumps(review, cls=DjangoJSONEncoder), content_type=JSON_LD)

    @extend_schema(responses={(200, "application/ld+json"): OpenApiTypes.OBJECT})
    @action(detail=False, methods=["get"], url_path="claim-reviews", pagination_class=None)
    def claim_reviews(self, request):
        """ClaimReview JSON-LD (an `@graph`) for every rated claim the filters select."""
        queryset = self.filter_queryset(self.get_queryset()).exclude(veracity=Veracity.UNRATED)
        rows = exports.serialized_rows(queryset, self._claim_reviews)
        body = exports.json_array_lines(rows)
        prefix = '{"@context": "https://schema.org", "@graph": '
        return StreamingHttpResponse(chain([prefix], body, ["}\n"]), content_type=JSON_LD)

    def _claim_reviews(self, claims: list) -> list[dict]:
        data = ClaimSerializer(claims, many=True, context=self.get_serializer_context()).data
        return [
            exports.claim_review(
                row,
                url=self.request.build_absolute_uri(reverse("api:claim-detail", args=[claim.pk])),
                speaker_name=claim.speaker.name,
                speaker_kind=claim.speaker.kind,
            )
            for claim, row in zip(claims, data, strict=True)
        ]

    submit = workflow_action("submit", services.claim_submit, "claim", "Send a draft for review (editors).")
    publish = workflow_action(
        "publish", services.claim_publish, "claim", "Publish (reviewers); needs at least one citation."
    )
    return_to_draft = workflow_action(
        "return_to_draft", services.claim_return, "claim", "Return to draft (reviewers).", url_path="return"
    )
    retract = workflow_action("retract", services.claim_retract, "claim", "Retract a published claim (reviewers).")
