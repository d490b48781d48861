"""The partner changes feed: every change to partner-visible data, in commit order, resumable.

Ordering. Auto-increment ids are handed out when a row is inserted, not when its transaction
commits, so a reader could see event 12 before a slower transaction commits event 11 and would
skip it for ever. Here numbers come from one counter row (`FeedSequence`), locked when a change set
begins (`core.history.change_set_started`) and held until commit: tracked writes take turns, each
transaction's numbers follow every number committed before it, and a rolled-back transaction gives
its numbers back. So `seq` is commit order with no gaps, and `?after=N` never misses an event.
Taking the lock before any row lock means writers cannot deadlock on it. The price is that tracked
writes are serialised, which editorial write rates (a few per second at most) easily afford.

What is emitted. A history row for a record re-evaluates, inside the same transaction, the
partner visibility (core/visibility.py) of that record and of the records whose visibility or
representation depends on it, as the registry declares them (`shows`, `follows`, `embeds`): a
claim's speaker, topics, citations and their sources; the positions citing a claim as evidence;
roles of those actors... A record visible now
gets `upsert`; a record that was visible (its last event was an upsert) and is not any more gets
`delete` — a tombstone for deletion, unpublishing and retraction alike. A record never visible
produces nothing, so drafts leave no trace in the feed.

Reading (core/api/feed.py) renders each upsert with the record's current partner view, so
applying the events in order reproduces exactly what the list endpoints show.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.db.models import OuterRef, Subquery
from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

from core import registry
from core.audit import load_links
from core.history import change_set_started
from core.models import FeedEvent, FeedSequence
from core.visibility import visible


def lock_feed() -> FeedSequence:
    return FeedSequence.objects.select_for_update().get_or_create(pk=1)[0]


@receiver(change_set_started)
def _lock_feed_at_change_set_start(sender: Any, **kwargs: Any) -> None:
    lock_feed()


class Affected:
    """Records to re-evaluate, by model: `touched` ones changed their representation, `checked` ones
    may only have changed visibility."""

    def __init__(self) -> None:
        self.touched: dict[type[models.Model], set[int]] = defaultdict(set)
        self.checked: dict[type[models.Model], set[int]] = defaultdict(set)

    def touch(self, model: type[models.Model], ids: Iterable[Any]) -> None:
        self.touched[model].update(i for i in ids if i is not None)

    def check(self, model: type[models.Model], ids: Iterable[Any]) -> None:
        self.checked[model].update(i for i in ids if i is not None)

    def ids(self, model: type[models.Model]) -> set[int]:
        return self.touched[model] | self.checked[model]


def _changed_fields(model: type[models.Model], row: Any, prev: Any) -> set[str] | None:
    """The fields a history row changed; None means all (a creation or a deletion)."""
    if prev is None or row.history_type == "-":
        return None
    return {
        f.name for f in model._meta.concrete_fields if getattr(row, f.attname, None) != getattr(prev, f.attname, None)
    }


def _targets(model: type[models.Model], name: str, row: Any) -> set[Any]:
    """The ids a historical row's foreign key `name` pointed to (None for an M2M field)."""
    f = model._meta.get_field(name)
    return {getattr(row, f.attname, None)} if row is not None and not f.many_to_many else set()


def _referrers(
    spec: registry.Tracked, embeds: registry.Embeds, model: type[models.Model], row: Any, prev: Any
) -> set[Any]:
    """The `spec` records whose representation embeds the changed `model` row through `embeds.path`."""
    first = spec.model._meta.get_field(embeds.path.split("__")[0])
    if "__" not in embeds.path and first.one_to_many and first.related_model is model:
        # A part of me (a claim's citation): its own foreign key says whose part it was, even after deletion.
        attname = first.remote_field.attname  # type: ignore[union-attr]
        return {getattr(row, attname, None), getattr(prev, attname, None)}
    return set(spec.model._default_manager.filter(**{embeds.path: row.id}).values_list("pk", flat=True))


def _path_target(model: type[models.Model], path: str) -> type[models.Model]:
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model  # type: ignore[assignment]
    return model


def affected_by(model: type[models.Model], row: Any, prev: Any) -> Affected:
    """What one history row of `model` may change in the feed."""
    spec = registry.get(model)
    affected = Affected()
    affected.touch(model, [row.id])
    # What I showed before and show now may have changed visibility (the current links are added
    # when the closure reads them; a deleted record has only its history).
    links = [name for name in spec.shows if model._meta.get_field(name).many_to_many]
    recorded = load_links(model, [r.history_id for r in (row, prev) if r is not None]) if links else {}
    for name in spec.shows:
        target = model._meta.get_field(name).related_model
        if name in links:
            affected.check(target, {pk for ids in recorded.values() for pk in ids.get(name, ())})
        else:
            affected.check(target, _targets(model, name, row) | _targets(model, name, prev))
    for other in registry.all_tracked():
        for name in other.follows:
            f = other.model._meta.get_field(name)
            if f.one_to_many and f.related_model is model:
                # The record I belonged to (a topic's parent, before and after a move) may change visibility.
                attname = f.remote_field.attname  # type: ignore[union-attr]
                affected.check(other.model, {getattr(row, attname, None), getattr(prev, attname, None)})
    changed = _changed_fields(model, row, prev)
    for other in registry.all_tracked():
        for embeds in other.embeds:
            if _path_target(other.model, embeds.path) is not model:
                continue
            if changed is None or embeds.fields == registry.ALL_FIELDS or embeds.fields & changed:
                affected.touch(other.model, _referrers(other, embeds, model, row, prev))
    _close_over_dependents(affected)
    return affected


def _close_over_dependents(affected: Affected) -> None:
    """Visibility that follows from other visibility, to a fixed point: what the affected records show
    now, and the records that follow them (a claim's citations, an actor's roles, a topic's parent)."""
    done: dict[type[models.Model], set[int]] = defaultdict(set)
    while True:
        pending = {m: affected.ids(m) - done[m] for m in list(affected.touched) + list(affected.checked)}
        pending = {m: ids for m, ids in pending.items() if ids}
        if not pending:
            return
        for model, ids in pending.items():
            done[model] |= ids
            spec = registry.get(model)
            for name in spec.shows:
                target = model._meta.get_field(name).related_model
                rows = model._default_manager.filter(pk__in=ids).values_list(name, flat=True)
                affected.check(target, rows)
            for other in registry.all_tracked():
                for name in other.follows:
                    if other.model._meta.get_field(name).related_model is model:
                        found = other.model._default_manager.filter(**{f"{name}__in": ids}).values_list("pk", flat=True)
                        affected.check(other.model, found)


def _emit(affected: Affected) -> None:
    events: list[tuple[str, int, str]] = []
    for spec in registry.all_tracked():
        resource = spec.resource
        touched = affected.touched[spec.model]
        ids = affected.ids(spec.model)
        if not ids:
            continue
        shown = set(visible(spec.model, partner=True).filter(pk__in=ids).values_list("pk", flat=True))
        latest = FeedEvent.objects.filter(resource=resource, object_id=OuterRef("object_id")).order_by("-seq")
        last_ops = dict(
            FeedEvent.objects.filter(
                resource=resource, object_id__in=ids, seq=Subquery(latest.values("seq")[:1])
            ).values_list("object_id", "op")
        )
        for pk in sorted(ids):
            was_visible = last_ops.get(pk) == "upsert"
            if pk in shown and (pk in touched or not was_visible):
                events.append((resource, pk, "upsert"))
            elif pk not in shown and was_visible:
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
    if registry.find(model) is None:
        return
    with transaction.atomic():  # services are already inside one; this covers stray ORM saves
        _emit(affected_by(model, history_instance, history_instance.prev_record))


def feed_backfill() -> int:
    """Emit an upsert for every partner-visible record without one (data that predates the feed)."""
    count = 0
    with transaction.atomic():
        lock_feed()
        for spec in registry.all_tracked():
            affected = Affected()
            affected.check(spec.model, visible(spec.model, partner=True).values_list("pk", flat=True))
            before = FeedEvent.objects.count()
            _emit(affected)
            count += FeedEvent.objects.count() - before
    return count


def feed_touch(touched: dict[type[models.Model], Iterable[Any]]) -> None:
    """Upserts for partner-visible records whose representation changed without a history row.

    A source check's results (a source's health and latest check, a citation's quote status) are
    bookkeeping, not edits, so no history row emits them. Called after the check commits, in a
    transaction of its own that takes only the feed lock: taking it inside the check, after the
    source's row lock, could deadlock with an editor who holds the feed lock and wants that row.
    """
    affected = Affected()
    for model, ids in touched.items():
        affected.touch(model, ids)
    with transaction.atomic():
        _emit(affected)
