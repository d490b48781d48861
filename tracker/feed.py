"""The partner changes feed: every change to partner-visible data, in commit order, resumable.

Ordering. Auto-increment ids are handed out when a row is inserted, not when its transaction
commits, so a reader could see event 12 before a slower transaction commits event 11 and would
skip it for ever. Here numbers come from one counter row (`FeedSequence`), locked when a change set
begins (`tracker.history.change_set_started`) and held until commit: tracked writes take turns, each
transaction's numbers follow every number committed before it, and a rolled-back transaction gives
its numbers back. So `seq` is commit order with no gaps, and `?after=N` never misses an event.
Taking the lock before any row lock means writers cannot deadlock on it. The price is that tracked
writes are serialised, which editorial write rates (a few per second at most) easily afford.

What is emitted. A history row for a record re-evaluates, inside the same transaction, the
partner visibility (tracker/visibility.py) of that record and of the records whose visibility or
representation depends on it (a claim's speaker, topics, citations and sources; a position's actor
and topic; the positions citing a claim as evidence; roles of those actors...). A record visible now
gets `upsert`; a record that was visible (its last event was an upsert) and is not any more gets
`delete` — a tombstone for deletion, unpublishing and retraction alike. A record never visible
produces nothing, so drafts leave no trace in the feed.

Reading (tracker/api/feed.py) renders each upsert with the record's current partner view, so
applying the events in order reproduces exactly what the list endpoints show.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

from core.history import change_set_started
from core.models import FeedEvent, FeedSequence
from positions.models import Position
from sources.models import Citation, Source
from tracker import visibility
from tracker.models import Actor, Claim, Role, Topic

RESOURCES: dict[type, str] = {
    Actor: "actors",
    Role: "roles",
    Topic: "topics",
    Claim: "claims",
    Position: "positions",
    Source: "sources",
    Citation: "citations",
}
VISIBLE = {
    "actors": visibility.visible_actors,
    "roles": visibility.visible_roles,
    "topics": visibility.visible_topics,
    "claims": visibility.visible_claims,
    "positions": visibility.visible_positions,
    "sources": visibility.visible_sources,
    "citations": visibility.visible_citations,
}


def lock_feed() -> FeedSequence:
    return FeedSequence.objects.select_for_update().get_or_create(pk=1)[0]


@receiver(change_set_started)
def _lock_feed_at_change_set_start(sender: Any, **kwargs: Any) -> None:
    lock_feed()


class _Affected:
    """Records to re-evaluate: `touched` ones changed their representation, `checked` ones may only
    have changed visibility."""

    def __init__(self) -> None:
        self.touched: dict[str, set[int]] = defaultdict(set)
        self.checked: dict[str, set[int]] = defaultdict(set)

    def touch(self, resource: str, ids: Iterable[Any]) -> None:
        self.touched[resource].update(i for i in ids if i is not None)

    def check(self, resource: str, ids: Iterable[Any]) -> None:
        self.checked[resource].update(i for i in ids if i is not None)


def _changed(row: Any, prev: Any, *fields: str) -> bool:
    return prev is None or row.history_type == "-" or any(getattr(row, f) != getattr(prev, f) for f in fields)


def _historic_m2m(row: Any, name: str, column: str) -> set[int]:
    return set(getattr(row, name).values_list(column, flat=True)) if row is not None else set()


def _affected_by(model: type, row: Any, prev: Any) -> _Affected:
    affected = _Affected()
    pk = row.id
    resource = RESOURCES[model]
    affected.touch(resource, [pk])
    if model is Claim:
        actors = {row.speaker_id, getattr(prev, "speaker_id", None)}
        affected.check("actors", actors)
        topics = _historic_m2m(row, "topics", "topic_id") | _historic_m2m(prev, "topics", "topic_id")
        topics |= set(Claim.topics.through.objects.filter(claim_id=pk).values_list("topic_id", flat=True))
        affected.check("topics", topics)
        citations = list(Citation.objects.filter(claim_id=pk).values_list("pk", "source_id"))
        affected.check("citations", [c for c, _ in citations])
        affected.check("sources", [s for _, s in citations])
        affected.touch(
            "positions", Position.evidence.through.objects.filter(claim_id=pk).values_list("position_id", flat=True)
        )
    elif model is Position:
        affected.check("actors", {row.actor_id, getattr(prev, "actor_id", None)})
        affected.check("topics", {row.topic_id, getattr(prev, "topic_id", None)})
    elif model is Citation:
        affected.touch("claims", {row.claim_id})
        affected.check("sources", {row.source_id, getattr(prev, "source_id", None)})
    elif model is Source:
        if _changed(row, prev, "url", "title"):
            affected.touch("claims", Citation.objects.filter(source_id=pk).values_list("claim_id", flat=True))
    elif model is Actor:
        if _changed(row, prev, "slug"):
            affected.touch("claims", Claim.objects.filter(speaker_id=pk).values_list("pk", flat=True))
            affected.touch("positions", Position.objects.filter(actor_id=pk).values_list("pk", flat=True))
            affected.touch(
                "roles", Role.objects.filter(Q(actor_id=pk) | Q(organisation_id=pk)).values_list("pk", flat=True)
            )
    elif model is Topic:
        affected.check("topics", {row.parent_id, getattr(prev, "parent_id", None)})
        if _changed(row, prev, "slug"):
            affected.touch(
                "claims", Claim.topics.through.objects.filter(topic_id=pk).values_list("claim_id", flat=True)
            )
            affected.touch("positions", Position.objects.filter(topic_id=pk).values_list("pk", flat=True))
            affected.touch("topics", Topic.objects.filter(parent_id=pk).values_list("pk", flat=True))
    _close_over_dependents(affected)
    return affected


def _close_over_dependents(affected: _Affected) -> None:
    """Visibility that follows from other visibility: topic ancestors, roles of actors and sources."""
    topics = affected.checked["topics"] | affected.touched["topics"]
    if topics:
        ancestors = Topic.objects.filter(pk__in=topics).values_list("parent_id", "parent__parent_id")
        affected.check("topics", [pk for pair in ancestors for pk in pair])
    actors = affected.checked["actors"]
    sources = affected.checked["sources"]
    if actors or sources:
        roles = Role.objects.filter(Q(actor_id__in=actors) | Q(organisation_id__in=actors) | Q(source_id__in=sources))
        affected.check("roles", roles.values_list("pk", flat=True))


def _emit(affected: _Affected) -> None:
    events: list[tuple[str, int, str]] = []
    for resource in VISIBLE:
        touched, checked = affected.touched[resource], affected.checked[resource] - affected.touched[resource]
        ids = touched | checked
        if not ids:
            continue
        visible = set(VISIBLE[resource](partner=True).filter(pk__in=ids).values_list("pk", flat=True))
        latest = FeedEvent.objects.filter(resource=resource, object_id=OuterRef("object_id")).order_by("-seq")
        last_ops = dict(
            FeedEvent.objects.filter(
                resource=resource, object_id__in=ids, seq=Subquery(latest.values("seq")[:1])
            ).values_list("object_id", "op")
        )
        for pk in sorted(ids):
            was_visible = last_ops.get(pk) == "upsert"
            if pk in visible and (pk in touched or not was_visible):
                events.append((resource, pk, "upsert"))
            elif pk not in visible and was_visible:
                events.append((resource, pk, "delete"))
    if not events:
        return
    sequence = lock_feed()
    first = sequence.last_seq + 1
    FeedEvent.objects.bulk_create(  # FeedEvent is not a tracked model
        FeedEvent(seq=first + index, resource=resource, object_id=pk, op=op)
        for index, (resource, pk, op) in enumerate(events)
    )
    sequence.last_seq += len(events)
    sequence.save(update_fields=["last_seq"])


@receiver(post_create_historical_record)
def _feed_events_for_history_row(sender: Any, instance: Any, history_instance: Any, **kwargs: Any) -> None:
    model = type(instance)
    if model not in RESOURCES:
        return
    with transaction.atomic():  # services are already inside one; this covers stray ORM saves
        _emit(_affected_by(model, history_instance, history_instance.prev_record))


def feed_backfill() -> int:
    """Emit an upsert for every partner-visible record without one (data that predates the feed)."""
    count = 0
    with transaction.atomic():
        lock_feed()
        for resource, visible in VISIBLE.items():
            affected = _Affected()
            affected.check(resource, visible(partner=True).values_list("pk", flat=True))
            before = FeedEvent.objects.count()
            _emit(affected)
            count += FeedEvent.objects.count() - before
    return count


def feed_touch(touched: dict[str, Iterable[Any]]) -> None:
    """Upserts for partner-visible records whose representation changed without a history row.

    A source check's results (a source's health and latest check, a citation's quote status) are
    bookkeeping, not edits, so no history row emits them. Called after the check commits, in a
    transaction of its own that takes only the feed lock: taking it inside the check, after the
    source's row lock, could deadlock with an editor who holds the feed lock and wants that row.
    """
    affected = _Affected()
    for resource, ids in touched.items():
        affected.touch(resource, ids)
    with transaction.atomic():
        _emit(affected)
