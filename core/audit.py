"""The audit trail over every tracked model: which models, how two versions differ, the change index.

Each history row written by `core.history` also gets one `ChangeEntry` (same transaction, via
simple-history's `post_create_historical_record` signal) holding what the recent-changes list shows:
who, when, what, the reason and a one-line summary of the fields the change touched.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

from core import registry
from core.choices import HistoryAction
from core.models import ChangeEntry

# Bookkeeping columns every version has; a diff that only touched these is no change to show.
NOT_DIFFED = {"id", "version", "created_at", "updated_at"}
SUMMARY_MAX_LENGTH = 300


def tracked_model(name: str) -> type[models.Model]:
    """The tracked model named in a URL (`claim`) or by label (`tracker.claim`); LookupError if none."""
    return registry.get(name).model


def model_choices() -> list[tuple[str, str]]:
    return [(spec.label, str(spec.model._meta.verbose_name).capitalize()) for spec in registry.all_tracked()]


def for_display(model: type[models.Model]) -> models.QuerySet:
    """The model's rows with what their names need."""
    spec = registry.find(model)
    return model._default_manager.select_related(*(spec.str_related if spec else ()))


@functools.cache
def history_model(model: type[models.Model]) -> type[models.Model]:
    # Cached: simple-history's `model.history` builds a new manager class (with inspect) on every access.
    return model.history.model  # type: ignore[attr-defined]


def m2m_field_names(model: type[models.Model]) -> list[str]:
    return [f if isinstance(f, str) else f.name for f in model._tracked_history.m2m_fields]  # type: ignore[attr-defined]


def m2m_through(model: type[models.Model], name: str) -> type[models.Model]:
    """The historical through table of an M2M field: one row per link per history row."""
    return model._tracked_history.m2m_models[model._meta.get_field(name)]  # type: ignore[attr-defined]


def diffed_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields history records and diffs show: machine bookkeeping excluded from history is left out."""
    excluded = set(getattr(getattr(model, "_tracked_history", None), "excluded_fields", ()) or ())
    return [f for f in model._meta.concrete_fields if f.name not in NOT_DIFFED and f.name not in excluded]


def load_links(model: type[models.Model], history_ids: Iterable[int]) -> dict[int, dict[str, frozenset[int]]]:
    """M2M links as each history row recorded them: {history_id: {field: {ids}}}, one query per M2M field."""
    history_ids = list(history_ids)
    links: dict[int, dict[str, frozenset[int]]] = {hid: {} for hid in history_ids}
    for name in m2m_field_names(model):
        through = m2m_through(model, name)
        target = model._meta.get_field(name).related_model._meta.model_name  # type: ignore[union-attr]
        found: dict[int, set[int]] = defaultdict(set)
        if history_ids:
            rows = through._default_manager.filter(history_id__in=history_ids).values_list("history_id", f"{target}_id")
            for history_id, target_id in rows:
                found[history_id].add(target_id)
        for hid in history_ids:
            links[hid][name] = frozenset(found.get(hid, ()))
    return links


@dataclass
class FieldChange:
    """One field that differs between two versions. For M2M fields, `added` and `removed` hold ids."""

    name: str
    label: str
    old: Any = None
    new: Any = None
    is_m2m: bool = False
    added: Sequence[Any] = ()
    removed: Sequence[Any] = ()
    # Filled by `label_values` for display: related objects' names instead of ids, choice labels.
    old_display: str = ""
    new_display: str = ""
    added_display: list[str] = field(default_factory=list)
    removed_display: list[str] = field(default_factory=list)
    changed_display: list[tuple[str, str]] = field(default_factory=list)  # linked rows edited in place


def diff_versions(
    model: type[models.Model],
    old: Any | None,
    new: Any,
    *,
    old_links: dict[str, frozenset[int]] | None = None,
    new_links: dict[str, frozenset[int]] | None = None,
) -> list[FieldChange]:
    """The fields (and M2M links) that differ from `old` to `new`; every field when `old` is None."""
    changes = []
    for f in diffed_fields(model):
        before = getattr(old, f.attname) if old is not None else None
        after = getattr(new, f.attname)
        if old is None and after in (None, "", [], False) and not f.has_default():
            continue
        if old is None or before != after:
            changes.append(FieldChange(name=f.name, label=str(f.verbose_name), old=before, new=after))
    for name in m2m_field_names(model):
        before_ids = (old_links or {}).get(name, frozenset())
        after_ids = (new_links or {}).get(name, frozenset())
        if before_ids != after_ids:
            changes.append(
                FieldChange(
                    name=name,
                    label=str(model._meta.get_field(name).verbose_name),
                    old=sorted(before_ids),
                    new=sorted(after_ids),
                    is_m2m=True,
                    added=sorted(after_ids - before_ids),
                    removed=sorted(before_ids - after_ids),
                )
            )
    return changes


def summarise(changes: Sequence[FieldChange], action: str, model: type[models.Model] | None = None) -> str:
    """One line: 'Status: In review → Published' for the workflow field (the labels the record pages
    show), field names for the rest, link counts."""
    if action in (HistoryAction.CREATED, HistoryAction.DELETED, HistoryAction.RESTORED):
        line = HistoryAction(action).label
    else:
        parts = []
        for change in changes:
            if change.is_m2m:
                counts = [f"+{len(change.added)}"] if change.added else []
                counts += [f"−{len(change.removed)}"] if change.removed else []
                parts.append(f"{change.label} ({' '.join(counts)})")
            elif change.name == "status":
                labels = dict(model._meta.get_field("status").flatchoices) if model is not None else {}
                parts.append(f"Status: {labels.get(change.old, change.old)} → {labels.get(change.new, change.new)}")
            else:
                parts.append(change.label)
        line = ", ".join(parts) or "no field changed"
    return line if len(line) <= SUMMARY_MAX_LENGTH else line[: SUMMARY_MAX_LENGTH - 1] + "…"


def _display(f: models.Field, value: Any, names: dict[tuple[type[models.Model], Any], str]) -> str:
    if value is None or value == "":
        return "—"
    if f.is_relation:
        return names.get((f.related_model, value), f"#{value} (deleted)")  # type: ignore[arg-type]
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S %Z")
    return str(value)


def label_values(model: type[models.Model], changes: Iterable[FieldChange]) -> None:
    """Fill the display values of `changes`, naming related objects with one query per related model."""
    changes = list(changes)
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for change in changes:
        f = model._meta.get_field(change.name)
        if change.is_m2m:
            wanted[f.related_model].update(change.added, change.removed)  # type: ignore[index]
        elif f.is_relation:
            wanted[f.related_model].update(v for v in (change.old, change.new) if v is not None)  # type: ignore[index]
    names: dict[tuple[type[models.Model], Any], str] = {}
    for related, ids in wanted.items():
        if ids:
            for pk, obj in for_display(related).in_bulk(list(ids)).items():
                names[(related, pk)] = str(obj)
    for change in changes:
        f = model._meta.get_field(change.name)
        if change.is_m2m:
            change.added_display = [names.get((f.related_model, pk), f"#{pk} (deleted)") for pk in change.added]  # type: ignore[misc]
            change.removed_display = [names.get((f.related_model, pk), f"#{pk} (deleted)") for pk in change.removed]  # type: ignore[misc]
        else:
            change.old_display = _display(f, change.old, names)
            change.new_display = _display(f, change.new, names)


def object_repr(instance: models.Model) -> str:
    text = str(instance)
    return text if len(text) <= 200 else text[:199] + "…"


@receiver(post_create_historical_record)
def index_history_row(sender: Any, instance: models.Model, history_instance: Any, **kwargs: Any) -> None:
    """Write the ChangeEntry of a new history row, in the same transaction."""
    model = type(instance)
    spec = registry.find(model)
    if spec is None:
        return
    action = history_instance.history_action
    changes: list[FieldChange] = []
    if history_instance.history_type == "~":
        previous = (
            sender._default_manager.filter(id=instance.pk, history_id__lt=history_instance.history_id)
            .order_by("-history_id")
            .first()
        )
        if previous is not None:
            links = load_links(model, [previous.history_id, history_instance.history_id])
            changes = diff_versions(
                model,
                previous,
                history_instance,
                old_links=links[previous.history_id],
                new_links=links[history_instance.history_id],
            )
    ChangeEntry.objects.create(
        model=model._meta.label_lower,
        history_id=history_instance.history_id,
        object_id=instance.pk,
        object_repr=object_repr(instance),
        history_date=history_instance.history_date,
        user_id=history_instance.history_user_id,
        action=action,
        history_type=history_instance.history_type,
        reason=history_instance.history_change_reason or "",
        summary=summarise(changes, action, model),
        change_id=history_instance.history_change_id,
    )
    instance._history_id = history_instance.history_id  # type: ignore[attr-defined]  # for the effects; unstamped with the rest
    _run_effects(spec, instance, history_instance.history_type, changes)


def _run_effects(spec: registry.Tracked, instance: models.Model, history_type: str, changes: list[FieldChange]) -> None:
    """The registered after-change behaviour (e.g. queue a check of an edited excerpt's source).

    Keyed on what the history row recorded, so every write that leaves one (an edit, a revert, a
    restore) has the same effects."""
    if history_type == "-" or not spec.effects:
        return
    if getattr(instance, "_history_action", None) is None:
        return  # not written through the services (core.history stamps every tracked write): no effects
    changed = {change.name for change in changes}
    for fields, effect, on_create in spec.effects:
        if (history_type == "+" and on_create) or (history_type != "+" and fields & changed):
            effect(instance)
