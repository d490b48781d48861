"""Recording history: every tracked write leaves exactly one history row with a user and a reason.

django-simple-history records a row on every `save()` and on every M2M signal, so a service that
saves a claim and then sets its topics would leave two or three rows, the first without the
topics. Services call `save_tracked()` instead: it saves with history switched off, applies the
M2M values, then writes one history row that snapshots fields and links together.

Rows written by one service call share a `history_change_id`, so a claim and its citations
edited together can be shown, reviewed and reverted as one change.
"""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, models, router, transaction
from django.db.models import Q, QuerySet
from django.dispatch import receiver
from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record, pre_create_historical_record

from core.choices import HistoryAction
from core.roles import SYSTEM

REASON_MAX_LENGTH = 500

# Inside `reverting()`, rows written without an explicit action say `reverted` (or `restored` for a
# re-created record) instead of `changed` and `created`: a revert calls the ordinary services.
_reverting: contextvars.ContextVar[bool] = contextvars.ContextVar("tracker_history_reverting", default=False)

_current_change_id: contextvars.ContextVar[uuid.UUID | None] = contextvars.ContextVar(
    "tracker_history_change_id", default=None
)
# The records the current change set created ((model, pk)): see `created_in_this_change`.
_created_here: contextvars.ContextVar[set[tuple[type, Any]] | None] = contextvars.ContextVar(
    "tracker_history_created", default=None
)


class HistoryBase(models.Model):
    """Fields added to every historical table."""

    history_action = models.CharField(
        max_length=20,
        choices=HistoryAction.choices,
        default=HistoryAction.CHANGED,
        db_index=True,
    )
    history_change_id = models.UUIDField(null=True, blank=True, db_index=True)
    # When the record's next row was written: this row is the record as it stood from `history_date`
    # until then (None: until now). Derived, set once by `_close_previous_row`, so that "the row at
    # T" is a range condition (`current_at`) instead of a search for the latest row of each record.
    history_valid_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    # History is written once and never edited (but for `history_valid_until`, set when the next row
    # comes); retention is `manage.py prunehistory` alone.
    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionDenied("History rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionDenied("History rows cannot be deleted; retention is `manage.py prunehistory`.")


class _HistoryDescriptor(HistoryDescriptor):
    """simple-history's descriptor with its manager class built once. The original builds a new class
    (with `inspect`) on every access, and writing one history row reads it twice or more: 0.7 ms of
    a claim write's CPU."""

    def __get__(self, instance: Any, owner: Any) -> Any:
        built = self.__dict__.get("built_manager_class")
        if built is None:
            built = self.built_manager_class = self.manager_class.from_queryset(self.queryset_class)
        return built(self.model, instance)


def _caching(descriptor: HistoryDescriptor) -> _HistoryDescriptor:
    return _HistoryDescriptor(descriptor.model, manager=descriptor.manager_class, queryset=descriptor.queryset_class)


class TrackedHistory(HistoricalRecords):
    """HistoricalRecords that stays reachable from its model so services can write rows directly."""

    def finalize(self, sender: type[models.Model], **kwargs: Any) -> None:
        super().finalize(sender, **kwargs)
        if sender is self.cls:
            sender._tracked_history = self  # type: ignore[attr-defined]
            history = _caching(sender.__dict__[self.manager_name])
            setattr(sender, self.manager_name, history)
            for field in self.m2m_models:  # simple-history shares this dict between models
                if field.model is sender:
                    setattr(history.model, field.name, _caching(history.model.__dict__[field.name]))


def tracked_history(*, m2m_fields: Iterable[str] = (), excluded_fields: Iterable[str] = ()) -> TrackedHistory:
    """The one way models declare history, so every historical table has the same shape.

    `excluded_fields` is for machine bookkeeping that changes on every background run (a source's
    check schedule); such fields are written with `save_bookkeeping()` and leave no history row.
    """
    return TrackedHistory(
        bases=[HistoryBase],
        m2m_fields=list(m2m_fields),
        excluded_fields=list(excluded_fields),
        history_change_reason_field=models.TextField(null=True),
        cascade_delete_history=False,
    )


@contextlib.contextmanager
def change_set() -> Iterator[uuid.UUID]:
    """One atomic change: every history row written inside shares an id. Nesting reuses the outer id.

    A nested change set is part of the outer one: it opens no savepoint of its own (a write through
    the services nests five to seven of them, and each savepoint is two round trips). An error inside
    still undoes the whole change, since it leaves through the outer set; code that wants to go on
    after one part failed wraps that part in its own `transaction.atomic()` (sources.imports does).
    """
    outer = _current_change_id.get()
    if outer is not None:
        with transaction.atomic(savepoint=False):
            yield outer
        return
    change_id = uuid.uuid4()
    token, created = _current_change_id.set(change_id), _created_here.set(set())
    try:
        with transaction.atomic():
            yield change_id
    finally:
        _current_change_id.reset(token)
        _created_here.reset(created)


def created_in_this_change(instance: models.Model) -> bool:
    """Whether the change set being written created `instance` (a claim and its first citations are
    one change: what is true of a new record, such as who follows it, needs no query)."""
    created = _created_here.get()
    return created is not None and (type(instance), instance.pk) in created


@contextlib.contextmanager
def reverting() -> Iterator[None]:
    """Mark the history rows written inside as a revert (`reverted`, `restored`)."""
    token = _reverting.set(True)
    try:
        yield
    finally:
        _reverting.reset(token)


def _default_action(created: bool) -> str:
    if _reverting.get():
        return HistoryAction.RESTORED if created else HistoryAction.REVERTED
    return HistoryAction.CREATED if created else HistoryAction.CHANGED


def clean_reason(reason: str | None) -> str:
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why you are making this change (an edit summary is required)."})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"Keep the edit summary under {REASON_MAX_LENGTH} characters."})
    return reason


def _require_user(user: Any) -> None:
    if user is None or not getattr(user, "pk", None):
        raise ValueError("A tracked write needs a saved user; background work uses get_system_user().")


@contextlib.contextmanager
def _history_off(instance: models.Model) -> Iterator[None]:
    instance.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        yield
    finally:
        del instance.skip_history_when_saving  # type: ignore[attr-defined]


def _stamp(instance: models.Model, *, user: Any, reason: str, action: str) -> None:
    instance._history_user = user  # type: ignore[attr-defined]
    instance._change_reason = reason  # type: ignore[attr-defined]
    instance._history_action = action  # type: ignore[attr-defined]


def _unstamp(instance: models.Model) -> None:
    for attr in ("_history_user", "_change_reason", "_history_action", "_history_id"):
        instance.__dict__.pop(attr, None)


def save_tracked(
    instance: models.Model,
    *,
    user: Any,
    reason: str,
    action: str | None = None,
    m2m: dict[str, Iterable[Any]] | None = None,
) -> None:
    """Save `instance` (and set its M2M fields) leaving exactly one history row."""
    _require_user(user)
    reason = clean_reason(reason)
    created = instance._state.adding
    action = action or _default_action(created)
    with change_set():
        with _history_off(instance):
            instance.save()
            for name, values in (m2m or {}).items():
                # A new record has no links yet: adding them skips set()'s read of the current ones.
                manager = getattr(instance, name)
                if created:
                    manager.add(*values)
                else:
                    manager.set(list(values))
        _stamp(instance, user=user, reason=reason, action=action)
        if created and (created_here := _created_here.get()) is not None:
            created_here.add((type(instance), instance.pk))
        try:
            type(instance)._tracked_history.create_historical_record(instance, "+" if created else "~")  # type: ignore[attr-defined]
        finally:
            _unstamp(instance)


def save_bookkeeping(instance: models.Model, *, fields: Iterable[str]) -> None:
    """Save only history-excluded bookkeeping fields, without a history row or a version bump.

    Refuses any field that history records, so this cannot become a way around `save_tracked()`.
    One UPDATE of those columns, no signals (nothing listens to bookkeeping: what a check concludes is
    told by its own rows and `sources.signals`).
    """
    model = type(instance)
    values = {name: getattr(instance, model._meta.get_field(name).attname) for name in _bookkeeping_only(model, fields)}
    model._default_manager.filter(pk=instance.pk).update(**values)


def save_bookkeeping_many(instances: Sequence[models.Model], *, fields: Iterable[str]) -> None:
    """`save_bookkeeping` for many records of one model, in one UPDATE.

    Written as SQL (`SET column = CASE id WHEN … END`): Django's bulk_update builds the same
    statement from expression objects at eight times the CPU (1.6 ms for a check's three citations,
    0.2 ms here), and a source check runs it every time.
    """
    if not instances:
        return
    model = type(instances[0])
    connection = connections[router.db_for_write(model)]
    quote, pk = connection.ops.quote_name, model._meta.pk
    keys = [pk.get_db_prep_value(instance.pk, connection) for instance in instances]
    assignments, params = [], []
    for name in _bookkeeping_only(model, fields):
        field = model._meta.get_field(name)
        cast = f"CAST(%s AS {field.cast_db_type(connection)})"
        whens = " ".join(f"WHEN %s THEN {cast}" for _ in instances)
        assignments.append(f"{quote(field.column)} = CASE {quote(pk.column)} {whens} END")
        for key, instance in zip(keys, instances, strict=True):
            params += [key, field.get_db_prep_save(getattr(instance, field.attname), connection)]
    placeholders = ", ".join(["%s"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET {', '.join(assignments)}"  # noqa: S608 - our names only
            f" WHERE {quote(pk.column)} IN ({placeholders})",
            [*params, *keys],
        )


def _bookkeeping_only(model: type[models.Model], fields: Iterable[str]) -> list[str]:
    fields = list(fields)
    excluded = set(model._tracked_history.excluded_fields)  # type: ignore[attr-defined]
    recorded = sorted(set(fields) - excluded)
    if recorded:
        raise ValueError(f"{', '.join(recorded)} are recorded in history; save them with save_tracked().")
    return fields


def delete_tracked(instance: models.Model, *, user: Any, reason: str) -> None:
    """Delete `instance`; simple-history's post_delete handler writes the one `-` row."""
    _require_user(user)
    reason = clean_reason(reason)
    with change_set():
        _stamp(instance, user=user, reason=reason, action=HistoryAction.DELETED)
        try:
            instance.delete()
        finally:
            _unstamp(instance)


@receiver(pre_create_historical_record)
def _fill_history_extras(sender: Any, instance: models.Model, history_instance: Any, **kwargs: Any) -> None:
    action = getattr(instance, "_history_action", None)
    if action is None:
        action = {"+": HistoryAction.CREATED, "-": HistoryAction.DELETED}.get(
            history_instance.history_type, HistoryAction.CHANGED
        )
    history_instance.history_action = action
    history_instance.history_change_id = _current_change_id.get() or uuid.uuid4()


@receiver(post_create_historical_record)
def _close_previous_row(sender: Any, instance: models.Model, history_instance: Any, **kwargs: Any) -> None:
    """The record's previous row stood until this one was written. Writes to one record are serialised
    by its row lock (the services' version check), so there is one open row to close. A new record has
    none (a restored one has its deletion row)."""
    if history_instance.history_action == HistoryAction.CREATED:
        return
    sender._default_manager.filter(
        id=history_instance.id, history_valid_until__isnull=True, history_id__lt=history_instance.history_id
    ).update(history_valid_until=history_instance.history_date)


def current_at(rows: QuerySet, moment: Any) -> QuerySet:
    """Of history `rows`, each record's row current at `moment` (the latest at or before it), deleted
    records dropped: one range condition on `history_date` and `history_valid_until`."""
    return (
        rows.filter(history_date__lte=moment)
        .filter(Q(history_valid_until__gt=moment) | Q(history_valid_until__isnull=True))
        .exclude(history_type="-")
    )


def fill_valid_until(history: type[models.Model], using: str = DEFAULT_DB_ALIAS) -> None:
    """Set `history_valid_until` of every row of a historical table from the row after it, for rows
    written without `create_historical_record` (migrations of existing tables, bulk loaders)."""
    connection = connections[using]
    table = connection.ops.quote_name(history._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET history_valid_until = later.next_date FROM ("  # noqa: S608 (table names only)
            "SELECT history_id, LEAD(history_date) OVER (PARTITION BY id ORDER BY history_date, history_id)"
            f" AS next_date FROM {table}) AS later"
            f" WHERE {table}.history_id = later.history_id AND later.next_date IS NOT NULL"
        )


def get_system_user() -> Any:
    """The named account recorded for background work (Celery, seed loader, commands) — never a null user."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=settings.TRACKER_SYSTEM_USERNAME,
        defaults={"first_name": "Tracker", "last_name": "system", "is_active": True},
    )
    if created:
        # Not a superuser: background work gets the rights of its own group (core/roles.py), and the
        # services check them as for anyone.
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get_or_create(name=SYSTEM)[0])
    return user


def created_by(model: type[models.Model], user: Any) -> QuerySet:
    """The ids of `model`'s records that `user` created (a creation history row of theirs): "my drafts"
    on the dashboard, and the drafts an editor may delete (core.editing.require_own_draft)."""
    return model.history.filter(history_type="+", history_user=user).values("id")  # type: ignore[attr-defined]
