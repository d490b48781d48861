"""Turning the changes feed's events into deliveries, per endpoint, in feed order.

Each endpoint keeps its own cursor: the last feed sequence number it has turned into deliveries.
A fan-out locks the endpoint rows, reads the feed after the cursor (at most a batch), writes one
`WebhookDelivery` per event each endpoint wants and moves the cursors, in one transaction: an event is
queued for an endpoint exactly once (the unique constraint backs this up), and a crash rolls the
batch back whole. Endpoints at the same cursor (all that keep up) share that transaction; one replaying
from far back has its own, so it holds back no other.

Events are what GET /api/v1/changes/ shows: the same sequence numbers, the same partner view
(rendered by the resource's partner viewset), and an upsert of a record no longer visible is skipped
exactly as the feed skips it (its delete follows).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.test import RequestFactory

from core.api.feed import partner_viewset
from core.models import FeedEvent
from push import conf
from push.models import WebhookDelivery, WebhookEndpoint


def _request() -> Any:
    """A request standing for "a partner", whose links name the public origin (as `exportdump` does)."""
    scheme, _, host = settings.SITE_URL.partition("://")
    request = RequestFactory().get("/api/v1/changes/", secure=scheme == "https")
    request.get_host = lambda: host.rstrip("/") or "localhost"
    return request


def render_events(events: list[FeedEvent]) -> list[dict[str, Any]]:
    """The feed's own entries for `events` (seq, resource, id, op, data), skipping invisible upserts."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.op == "upsert":
            wanted[event.resource].add(event.object_id)
    rendered: dict[tuple[str, int], dict] = {}
    request = _request()
    for resource, ids in wanted.items():
        viewset = partner_viewset(resource, request)
        rows = viewset.get_queryset().filter(pk__in=ids)
        serializer = viewset.serializer_class(rows, many=True, context=viewset.get_serializer_context())
        for row in serializer.data:
            rendered[(resource, row["id"])] = row
    entries = []
    for event in events:
        data = rendered.get((event.resource, event.object_id))
        if event.op == "upsert" and data is None:
            continue
        entries.append(
            {"seq": event.seq, "resource": event.resource, "id": event.object_id, "op": event.op, "data": data}
        )
    return entries


def payload_for(entry: dict[str, Any], *, at: datetime) -> dict[str, Any]:
    """A Standard Webhooks payload: `type`, `timestamp` and the feed entry as `data`."""
    return {
        "type": f"{entry['resource']}.{entry['op']}",
        "timestamp": at.isoformat().replace("+00:00", "Z"),
        "data": _plain(entry),
    }


def _plain(value: Any) -> Any:
    """The rendered entry as plain JSON types (serializers give ordered dicts, dates, decimals)."""
    import json

    from rest_framework.utils.encoders import JSONEncoder

    return json.loads(json.dumps(value, cls=JSONEncoder))


class RenderCache:
    """Feed entries rendered once per fan-out run, shared by the endpoints it serves."""

    def __init__(self) -> None:
        self.entries: dict[int, dict[str, Any] | None] = {}

    def entries_for(self, events: list[FeedEvent]) -> list[dict[str, Any]]:
        missing = [event for event in events if event.seq not in self.entries]
        if missing:
            rendered = {entry["seq"]: entry for entry in render_events(missing)}
            for event in missing:
                self.entries[event.seq] = rendered.get(event.seq)
        return [entry for event in events if (entry := self.entries[event.seq]) is not None]


def fan_out_endpoints(endpoint_ids: list[int], *, cache: RenderCache | None = None) -> tuple[dict[int, int], bool]:
    """Queue the next batch of feed events for endpoints that stand at the same cursor (usually all of
    them), in one transaction: one read of the feed, one insert, one cursor update however many
    endpoints there are. Returns (deliveries written per endpoint, more left for any of them)."""
    cache = cache or RenderCache()
    batch = int(conf.number("WEBHOOK_FANOUT_BATCH"))
    with transaction.atomic():
        # Locked in id order, so two fan-outs never wait on each other crosswise.
        locked = list(
            WebhookEndpoint.objects.select_for_update().filter(pk__in=endpoint_ids, is_active=True).order_by("pk")
        )
        if not locked:
            return {}, False
        # A cursor moved since it was read (a replay, another fan-out): the lowest serves now, the rest
        # next round.
        cursor = min(endpoint.cursor for endpoint in locked)
        endpoints = [endpoint for endpoint in locked if endpoint.cursor == cursor]
        events = list(FeedEvent.objects.filter(seq__gt=cursor).order_by("seq")[: batch + 1])
        more = len(events) > batch or len(endpoints) < len(locked)
        events = events[:batch]
        if not events:
            return {}, more
        now = datetime.now(tz=UTC)
        entries = [(entry, payload_for(entry, at=now)) for entry in cache.entries_for(events)]
        rows = [
            WebhookDelivery(
                endpoint=endpoint,
                seq=entry["seq"],
                round=endpoint.replay_round,
                event_type=payload["type"],
                payload=payload,
                next_attempt_at=now,
            )
            for endpoint in endpoints
            for entry, payload in entries
            if endpoint.wants(payload["type"])
        ]
        WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        WebhookEndpoint.objects.filter(pk__in=[endpoint.pk for endpoint in endpoints]).update(
            cursor=events[-1].seq, updated_at=now
        )
    written = {endpoint.pk: 0 for endpoint in endpoints}
    for row in rows:
        written[row.endpoint_id] += 1
    return written, more


def endpoints_behind() -> list[list[int]]:
    """Active endpoints whose cursor is behind the feed, grouped by cursor (one fan-out each)."""
    last = FeedEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    groups: dict[int, list[int]] = defaultdict(list)
    for pk, cursor in WebhookEndpoint.objects.filter(is_active=True, cursor__lt=last).values_list("pk", "cursor"):
        groups[cursor].append(pk)
    return [groups[cursor] for cursor in sorted(groups)]
