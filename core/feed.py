"""The partner changes feed: every change to partner-visible data, in commit order, resumable.

Writers never wait for one another here. A tracked write records, in its own transaction, one
`FeedPending` row per history row (or per record a source check touched): an insert, no lock shared
with any other writer. Numbering happens afterwards, in `sequence_feed()`, run by a Celery task queued
when the writing transaction commits, by every read of the feed (one batch), by the dump and by beat as a safety
net; a burst of writes queues one run, not one each (core/nudges.py). Sequencers take turns on the
one `FeedSequence` row (held until their commit); writers never touch it.

Why no event is skipped and a mirror ends on the latest state (docs/design.md, "Changes feed"):
- `seq` numbers are handed out only by sequencers, one at a time, each continuing from the last
  number committed before it; a rolled-back sequencer gives its numbers back. So seq order is commit
  order with no gaps, and `?after=N` never passes over an event that commits later.
- A pending row commits atomically with the change it records and is deleted only by the sequencer
  transaction that emits its events. A change whose transaction is still open (or stalled for
  minutes) is simply not there yet; it is numbered after it commits, after everything committed
  before it was numbered. Nobody else waits for it.
- Events do not carry the writer's view: the sequencer decides upsert or delete from the state it
  reads (which includes every change whose pending row it took), and reading renders each upsert from
  the current partner view. Two writers that commit in either order leave pending rows that are
  re-evaluated against the state after both, so the last event of a record always matches it.

What is emitted. For each pending history row, the record itself and the records whose visibility
or representation depends on it, as the registry declares them (`shows`, `follows`, `embeds`: a
claim's speaker, topics, citations and their sources; the positions citing a claim as evidence;
roles of those actors...) are re-evaluated against partner visibility (core/visibility.py). A record
visible now gets `upsert` (when touched, or when it was not visible before); a record that was
visible (its last event was an upsert) and is not any more gets `delete` — a tombstone for deletion,
unpublishing and retraction alike. A record never visible produces nothing, so drafts leave no trace.

Reading (core/api/feed.py) renders each upsert with the record's current partner view, so applying
the events in order reproduces exactly what the list endpoints show.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.db.models import OuterRef, Subquery
from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

from core import nudges, registry
from core.audit import history_model, load_links
from core.models import FeedEvent, FeedPending, FeedSequence
from core.visibility import visible

# Pending changes numbered per sequencer transaction: bounds its duration and memory.
SEQUENCE_BATCH = 500
# Set while a sequencing message waits in the queue (core/nudges.py).
SEQUENCE_QUEUED_KEY = "core:feed-sequence-queued"


def _lock_sequence() -> FeedSequence:
    """The sequencers' turn: only sequencers lock this row, never a writer."""
    return FeedSequence.objects.select_for_update().get_or_create(pk=1)[0]


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


def add_affected(affected: Affected, model: type[models.Model], row: Any, prev: Any) -> None:
    """Add what one history row of `model` may change in the feed (before the closure over dependents)."""
    spec = registry.get(model)
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


def _emit(affected: Affected, sequence: FeedSequence) -> int:
    """Write the events `affected` calls for, numbered from `sequence` (locked by the caller)."""
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
        return 0
    first = sequence.last_seq + 1
    FeedEvent.objects.bulk_create(  # FeedEvent is not a tracked model
        FeedEvent(seq=first + index, resource=resource, object_id=pk, op=op)
        for index, (resource, pk, op) in enumerate(events)
    )
    sequence.last_seq += len(events)
    sequence.save(update_fields=["last_seq"])
    return len(events)


def _add_pending(affected: Affected, item: FeedPending) -> None:
    spec = registry.get(item.model)
    row = None
    if item.history_id is not None:
        row = history_model(spec.model)._default_manager.filter(history_id=item.history_id).first()
    if row is None:  # a touched record (or a history row pruned since)
        affected.touch(spec.model, [item.object_id])
        return
    add_affected(affected, spec.model, row, row.prev_record)


def sequence_feed(*, max_batches: int | None = None) -> int:
    """Number pending changes: write their events and drop them. Returns the number of events written.

    Safe to call from anywhere at any time (after each tracked write's commit, before each read);
    concurrent calls take turns, and the one that finds nothing pending returns at once. A web
    request passes `max_batches=1`, so a backlog (a 10,000-row import) never holds it for long."""
    written, batches = 0, 0
    # Most calls (every read of the feed) find nothing to do: say so in one query, without the lock.
    while (max_batches is None or batches < max_batches) and FeedPending.objects.exists():
        batches += 1
        with transaction.atomic():
            sequence = _lock_sequence()
            pending = list(FeedPending.objects.order_by("id")[:SEQUENCE_BATCH])
            if not pending:  # another sequencer numbered them while this one waited for its turn
                return written
            affected = Affected()
            for item in pending:
                _add_pending(affected, item)
            _close_over_dependents(affected)
            written += _emit(affected, sequence)
            FeedPending.objects.filter(pk__in=[item.pk for item in pending]).delete()
    return written


def _sequence_after_commit() -> None:
    """Queue one sequencing run when the current transaction commits (once per transaction).

    `robust`: a broker that is down must not turn a committed edit into an error page; the change
    stays pending and the next run (the next write, a read of the feed, beat) numbers it."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        getattr(callback, "is_feed_sequencing", False) for _sids, callback, _robust in connection.run_on_commit
    ):
        return

    def send() -> None:
        from celery import current_app

        # By name: the task module (core.tasks) imports this one. One message waits at a time: the
        # run it starts numbers every change committed before it (core/nudges.py says why).
        nudges.queue_once(SEQUENCE_QUEUED_KEY, current_app.tasks["core.tasks.feed_sequence"].delay)

    send.is_feed_sequencing = True  # type: ignore[attr-defined]
    transaction.on_commit(send, robust=True)


@receiver(post_create_historical_record)
def _pending_for_history_row(sender: Any, instance: Any, history_instance: Any, **kwargs: Any) -> None:
    spec = registry.find(type(instance))
    if spec is None:
        return
    FeedPending.objects.create(model=spec.label, object_id=instance.pk, history_id=history_instance.history_id)
    _sequence_after_commit()


def feed_backfill() -> int:
    """Emit an upsert for every partner-visible record without one (data that predates the feed)."""
    sequence_feed()
    count = 0
    with transaction.atomic():
        sequence = _lock_sequence()
        for spec in registry.all_tracked():
            affected = Affected()
            affected.check(spec.model, visible(spec.model, partner=True).values_list("pk", flat=True))
            count += _emit(affected, sequence)
    return count


def feed_touch(touched: dict[type[models.Model], Iterable[Any]]) -> None:
    """Re-send partner-visible records whose representation changed without a history row.

    A source check's results (a source's health and latest check, a citation's quote status) are
    bookkeeping, not edits, so no history row records them; this records them as pending instead."""
    rows = [FeedPending(model=registry.get(model).label, object_id=pk) for model, ids in touched.items() for pk in ids]
    # Inside the caller's transaction (a check's) no savepoint: the insert is one statement.
    with transaction.atomic(savepoint=False):
        FeedPending.objects.bulk_create(rows)
        _sequence_after_commit()
