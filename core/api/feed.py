"""GET /api/v1/changes/: the partner changes feed (see core/feed.py for its ordering), and the
partner viewset of each resource, which the feed and the dump render records with.

Each app's api/views.py registers the viewset that shows one of its tracked models
(`@register_viewset`), so a feed entry or a dump row is exactly what GET shows, and the kernel names
no app. tests/api/test_partner_viewsets.py checks that every tracked model has one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from django.urls import get_resolver
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from core import registry
from core.api.access import MAX_PAGE_SIZE, PAGE_SIZE_BOUNDS, page_size_from
from core.api.base import PROBLEM_JSON, ConditionalGetMixin, RejectNulMixin, TrackedReadViewSet, problem_body
from core.feed import sequence_feed
from core.models import FeedEvent, FeedSequence

# --- The partner viewset of each resource ---------------------------------------------------------

_viewsets: dict[str, type[TrackedReadViewSet]] = {}


def register_viewset(viewset: type[TrackedReadViewSet]) -> type[TrackedReadViewSet]:
    """Declare `viewset` as the one that shows its model's resource (a class decorator)."""
    resource = registry.get(viewset.model).resource
    existing = _viewsets.setdefault(resource, viewset)
    if existing is not viewset:
        raise registry.ImproperlyRegisteredError(
            f"{resource} has two partner viewsets: {existing.__qualname__} and {viewset.__qualname__}."
        )
    return viewset


def _registered() -> dict[str, type[TrackedReadViewSet]]:
    # The apps register their viewsets as the URLconf imports them; a management command may get here first.
    get_resolver().url_patterns  # noqa: B018
    return _viewsets


def partner_resources() -> list[str]:
    """The resources with a registered viewset, in the registry's order (the order of the dump)."""
    viewsets = _registered()
    return [spec.resource for spec in registry.all_tracked() if spec.resource in viewsets]


def partner_viewset(resource: str, request: Any) -> TrackedReadViewSet:
    """The viewset of `resource` set up to list what partners see, whoever `request` comes from:
    its `get_queryset()` and `serializer_class` give the partner view of the records."""
    viewset = _registered()[resource]()
    viewset.request, viewset.format_kwarg, viewset.action, viewset.kwargs, viewset.args = request, None, "list", {}, ()
    viewset.partner_view = lambda: True  # the feed is partner-visible data for everyone
    return viewset


# --- The feed -------------------------------------------------------------------------------------

CURSOR = re.compile(r"^[0-9]{1,18}$")
FEED_DESCRIPTION = """Every create, update and removal of partner-visible data in commit order.

Start with no `after`, apply each event (`upsert`: store `data` under resource and id; `delete`: drop it),
and call again with `after` = `next_cursor` until `has_more` is false; keep the cursor and poll with it
later. A record unpublished, retracted or deleted arrives as `delete`; replayed from the start, the feed
also holds `delete` events for records a new mirror never saw (they were visible once): ignore those.
A cursor beyond the feed's last event (the tracker was restored from an older backup) answers 409
`feed-cursor-ahead` with the feed's `last_seq`: rebuild the mirror from the start."""


def cursor_ahead(after: int, last_seq: int) -> Response:
    """A cursor the feed never handed out: the tracker went back in time (a restore), so the mirror
    holds events that no longer exist. Said loudly: an empty page would leave the mirror waiting forever."""
    detail = (
        f"Your cursor {after} is beyond the feed's last event {last_seq}: the tracker was restored from a "
        "backup since your last poll. Rebuild your mirror from the start (no `after`) or from a new dump."
    )
    body = problem_body("feed-cursor-ahead", detail, last_seq=last_seq)
    return Response(body, status=409, content_type=PROBLEM_JSON)


def _record_serializers() -> list[type[serializers.Serializer]]:
    viewsets = _registered()
    return [viewsets[resource].serializer_class for resource in partner_resources()]


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="ChangeRecord",
        serializers=_record_serializers,  # known once the apps have registered their viewsets
        resource_type_field_name=None,
        allow_null=True,
    )
)
class RecordField(serializers.DictField):
    """A record as its resource's GET shows it: one of the resources' schemas, `resource` says which."""


class ChangeSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    resource = serializers.ChoiceField(choices=[])
    id = serializers.IntegerField()
    op = serializers.ChoiceField(choices=["upsert", "delete"])
    data = RecordField(allow_null=True, help_text="The record as GET shows it; null for delete.")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # Known only once the apps have registered their viewsets, not when this module loads.
        fields["resource"].choices = sorted(partner_resources())
        return fields


class ChangePageSerializer(serializers.Serializer):
    results = ChangeSerializer(many=True)
    next_cursor = serializers.CharField()
    has_more = serializers.BooleanField()


class ChangeFeed(ConditionalGetMixin, RejectNulMixin, GenericAPIView):
    """GET /api/v1/changes/ (its public description is FEED_DESCRIPTION)."""

    pagination_class = None
    filter_backends = []

    @extend_schema(
        description=FEED_DESCRIPTION,
        parameters=[
            OpenApiParameter(
                "after",
                {"type": "string", "pattern": CURSOR.pattern},
                description="The `next_cursor` of the previous page; omit to start.",
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", **PAGE_SIZE_BOUNDS},
                description=f"Events per page, at most {MAX_PAGE_SIZE}.",
            ),
        ],
        responses=ChangePageSerializer,
    )
    def get(self, request):
        after_text = request.query_params.get("after", "0")
        if not CURSOR.fullmatch(after_text):
            raise serializers.ValidationError({"after": "Give the `next_cursor` of a previous page."})
        after, size = int(after_text), page_size_from(request)
        # Number what is pending before reading (one batch at most: a backlog is the worker's job, and
        # what is left is numbered after everything read here, so the next poll misses nothing).
        sequence_feed(max_batches=1)
        events = list(FeedEvent.objects.filter(seq__gt=after).order_by("seq")[: size + 1])
        has_more = len(events) > size
        events = events[:size]
        if not events and after:
            last_seq = FeedSequence.objects.values_list("last_seq", flat=True).first() or 0
            if after > last_seq:
                return cursor_ahead(after, last_seq)
        wanted: dict[str, set[int]] = defaultdict(set)
        for event in events:
            if event.op == "upsert":
                wanted[event.resource].add(event.object_id)
        rendered: dict[tuple[str, int], dict] = {}
        for resource, ids in wanted.items():
            viewset = partner_viewset(resource, request)
            rows = viewset.get_queryset().filter(pk__in=ids)
            serializer = viewset.serializer_class(rows, many=True, context=viewset.get_serializer_context())
            for row in serializer.data:
                rendered[(resource, row["id"])] = row
        results = []
        for event in events:
            data = rendered.get((event.resource, event.object_id))
            if event.op == "upsert" and data is None:
                continue  # no longer visible: a later event in the feed removes it
            results.append(
                {"seq": event.seq, "resource": event.resource, "id": event.object_id, "op": event.op, "data": data}
            )
        next_cursor = str(events[-1].seq if events else after)
        return Response({"results": results, "next_cursor": next_cursor, "has_more": has_more})
