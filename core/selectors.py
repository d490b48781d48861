"""Reads over the audit history: recent changes (keyset-paginated), a record's versions with diffs,
records as they stood. Parts registered as children of a record (a claim's citations) are read with it.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet

from core import registry
from core.audit import FieldChange, diff_versions, history_model, label_values, load_links, m2m_field_names, m2m_through
from core.history import current_at
from core.models import ChangeEntry

PAGE_SIZES = (50, 200, 500)
DEFAULT_PAGE_SIZE = 50

# --- Recent changes ---------------------------------------------------------------------------


def encode_cursor(entry: ChangeEntry) -> str:
    raw = f"{entry.history_date.isoformat()}|{entry.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime.datetime, int] | None:
    """(date, id) from a cursor; None when it is malformed (the list then starts from the newest)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        date_text, pk_text = raw.split("|", 1)
        date = datetime.datetime.fromisoformat(date_text)
        return (date, int(pk_text)) if date.tzinfo is not None else None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


@dataclass
class ChangePage:
    entries: list[ChangeEntry]
    next_cursor: str | None  # older changes
    previous_cursor: str | None  # newer changes
    is_first: bool


def recent_changes(
    queryset: QuerySet[ChangeEntry], *, after: str | None = None, before: str | None = None, size: int = 50
) -> ChangePage:
    """One page of `queryset` newest first, continuing from a cursor: no OFFSET, so deep pages cost what the first does.

    `after` walks to older changes, `before` back to newer ones. The condition is written as
    `date <= d AND (date < d OR id < i)` so the database can range-scan the (…, history_date, id)
    index from the cursor and stop after `size + 1` rows.
    """
    queryset = queryset.select_related("user", "patrolled_by")
    older, newer = decode_cursor(after) if after else None, decode_cursor(before) if before else None
    if newer is not None:
        date, pk = newer
        rows = list(
            queryset.filter(Q(history_date__gte=date), Q(history_date__gt=date) | Q(id__gt=pk)).order_by(
                "history_date", "id"
            )[: size + 1]
        )
        has_newer = len(rows) > size
        rows = rows[:size][::-1]
        return ChangePage(
            entries=rows,
            next_cursor=encode_cursor(rows[-1]) if rows else None,
            previous_cursor=encode_cursor(rows[0]) if rows and has_newer else None,
            is_first=not has_newer,
        )
    if older is not None:
        date, pk = older
        queryset = queryset.filter(Q(history_date__lte=date), Q(history_date__lt=date) | Q(id__lt=pk))
    rows = list(queryset.order_by("-history_date", "-id")[: size + 1])
    has_older = len(rows) > size
    rows = rows[:size]
    return ChangePage(
        entries=rows,
        next_cursor=encode_cursor(rows[-1]) if rows and has_older else None,
        previous_cursor=encode_cursor(rows[0]) if rows and older is not None else None,
        is_first=older is None,
    )


UNPATROLLED_COUNT_CAP = 1000


def unpatrolled_count(cap: int = UNPATROLLED_COUNT_CAP) -> tuple[int, bool]:
    """How many changes await review, counting at most `cap` (shown as "1000+"): the count stays cheap
    however large a backlog grows, since the partial index is read only up to the cap."""
    count = ChangeEntry.objects.filter(patrolled_at__isnull=True)[: cap + 1].count()
    return min(count, cap), count > cap


# --- Object history ---------------------------------------------------------------------------


@dataclass
class Version:
    """One history row of a record with what it changed against the row before it."""

    model: type[models.Model]
    record: Any
    changes: list[FieldChange]
    links: dict[str, frozenset[int]] = field(default_factory=dict)

    @property
    def model_name(self) -> str:
        return self.model._meta.model_name  # type: ignore[return-value]

    @property
    def action_label(self) -> str:
        return self.record.get_history_action_display()


def _versions(model: type[models.Model], records: list[Any], previous: dict[int, Any]) -> list[Version]:
    """Diffs for `records` (newest first) of one model; `previous` maps a record's history_id to the row before it."""
    ids = {r.history_id for r in records} | {p.history_id for p in previous.values() if p is not None}
    links = load_links(model, ids) if m2m_field_names(model) else {hid: {} for hid in ids}
    versions = []
    for record in records:
        before = previous.get(record.history_id)
        if record.history_type == "-":
            changes: list[FieldChange] = []
        else:
            changes = diff_versions(
                model,
                before if record.history_type != "+" else None,
                record,
                old_links=links[before.history_id] if before is not None and record.history_type != "+" else None,
                new_links=links[record.history_id],
            )
        versions.append(Version(model=model, record=record, changes=changes, links=links[record.history_id]))
    return versions


def _with_previous(history: QuerySet, records: list[Any], older: Any | None = None) -> dict[int, Any]:
    """The row before each record of the same object: from the list itself or `older` (the row just past
    the page), else one query per object. A creation has none."""
    previous: dict[int, Any] = {}
    oldest_by_object: dict[int, Any] = {}
    for record in records:  # newest first
        if record.id in oldest_by_object:
            previous[oldest_by_object[record.id].history_id] = record
        oldest_by_object[record.id] = record
    for object_id, oldest in oldest_by_object.items():
        if oldest.history_type == "+":
            previous[oldest.history_id] = None
        elif older is not None and older.id == object_id:
            previous[oldest.history_id] = older
        else:
            previous[oldest.history_id] = (
                history.filter(id=object_id, history_id__lt=oldest.history_id).order_by("-history_id").first()
            )
    return previous


@dataclass
class ObjectHistory:
    versions: list[Version]  # newest first; a claim's citation changes interleaved by date
    next_cursor: int | None  # history_id of the last version shown, when older ones exist


def object_history(model: type[models.Model], pk: int, *, before: int | None = None, size: int = 50) -> ObjectHistory:
    """Every version of one record (page by page, newest first) with field-level and M2M diffs.

    For a claim, the history rows of its citations are interleaved, each diffed against that
    citation's previous row, so one page answers "what did this claim and its sources say".
    """
    history = history_model(model)._default_manager.all()
    rows = history.filter(id=pk).select_related("history_user").order_by("-history_date", "-history_id")
    anchor = None
    if before is not None:
        anchor = history.filter(id=pk, history_id=before).values_list("history_date", flat=True).first()
        if anchor is not None:
            rows = rows.filter(Q(history_date__lt=anchor) | Q(history_date=anchor, history_id__lt=before))
    fetched = list(rows[: size + 1])
    more = len(fetched) > size
    records = fetched[:size]
    versions = _versions(model, records, _with_previous(history, records, fetched[size] if more else None))

    for child in registry.get(model).children() if records else ():
        child_history = history_model(child.model)._default_manager.all()
        # Pages split the child rows at the dates of the parent rows that end them, so none falls between.
        newest = anchor
        oldest = records[-1].history_date if more else None
        child_rows = child_history.filter(**{f"{child.parent}_id": pk}).select_related(
            "history_user", *child.str_related
        )
        if newest is not None:
            child_rows = child_rows.filter(history_date__lt=newest)
        if oldest is not None:
            child_rows = child_rows.filter(history_date__gte=oldest)
        child_records = list(child_rows.order_by("-history_date", "-history_id"))
        versions += _versions(child.model, child_records, _with_previous(child_history, child_records))
        versions.sort(key=lambda v: (v.record.history_date, v.record.history_id), reverse=True)
    for version_model in {v.model for v in versions}:
        label_values(version_model, [c for v in versions if v.model is version_model for c in v.changes])
    return ObjectHistory(versions=versions, next_cursor=records[-1].history_id if more else None)


def get_version(model: type[models.Model], pk: int, history_id: int) -> Any:
    return history_model(model)._default_manager.select_related("history_user").get(id=pk, history_id=history_id)


def version_moment(model: type[models.Model], record: Any) -> datetime.datetime:
    """The end of the change that wrote `record`: its children (a claim's citations) saved in the same
    change count as part of it."""
    moment = record.history_date
    if record.history_change_id is None:
        return moment
    for child in registry.get(model).children():
        last = (
            history_model(child.model)
            ._default_manager.filter(**{f"{child.parent}_id": record.id}, history_change_id=record.history_change_id)
            .aggregate(last=models.Max("history_date"))["last"]
        )
        moment = max(moment, last) if last else moment
    return moment


def children_at(child: registry.Tracked, parent_id: int, moment: datetime.datetime) -> list[Any]:
    """The child records of a parent as they stood at `moment`: each one's latest history row, deletions dropped."""
    return list(
        current_at(child.model.history.filter(**{f"{child.parent}_id": parent_id}), moment)  # type: ignore[attr-defined]
        .select_related(*child.str_related)
        .order_by("id")
    )


def compare_versions(model: type[models.Model], old: Any, new: Any) -> list[FieldChange]:
    """Field-level and M2M differences between any two versions of one record, and of its children."""
    links = load_links(model, [old.history_id, new.history_id])
    changes = diff_versions(model, old, new, old_links=links[old.history_id], new_links=links[new.history_id])
    label_values(model, changes)
    for child in registry.get(model).children():
        change = _children_change(model, child, old, new)
        if change is not None:
            changes.append(change)
    return changes


def _children_change(model: type[models.Model], child: registry.Tracked, old: Any, new: Any) -> FieldChange | None:
    """A claim's citations added, removed or edited between two versions, as one line per citation."""
    before = {c.id: c for c in children_at(child, old.id, version_moment(model, old))}
    after = {c.id: c for c in children_at(child, new.id, version_moment(model, new))}
    changed = sorted(pk for pk in before.keys() & after.keys() if _key(child, before[pk]) != _key(child, after[pk]))
    if before.keys() == after.keys() and not changed:
        return None
    added = [str(after[pk].instance) for pk in sorted(after.keys() - before.keys())]
    removed = [str(before[pk].instance) for pk in sorted(before.keys() - after.keys())]
    name = registry.get(model).children_relation(child)
    return FieldChange(
        name=name,
        label=name,
        is_m2m=True,
        added=added,
        removed=removed,
        added_display=list(added),
        removed_display=list(removed),
        changed_display=[(str(before[pk].instance), str(after[pk].instance)) for pk in changed],
    )


def _key(child: registry.Tracked, record: Any) -> tuple:
    return tuple(getattr(record, child.model._meta.get_field(name).attname) for name in child.fields)


# --- As our records stood ---------------------------------------------------------------------


def as_of(model: type[models.Model], moment: datetime.datetime) -> QuerySet:
    """The latest history row of each record at `moment`, deleted records dropped (historical rows, not instances)."""
    return current_at(history_model(model)._default_manager.all(), moment)


def records_with_link_as_of(
    model: type[models.Model], name: str, target_id: int, moment: datetime.datetime
) -> QuerySet:
    """Rows of `model` whose version current at `moment` linked `target_id` through M2M field `name`."""
    through = m2m_through(model, name)
    target = model._meta.get_field(name).related_model._meta.model_name  # type: ignore[union-attr]
    return as_of(model, moment).filter(
        history_id__in=through._default_manager.filter(**{f"{target}_id": target_id}).values("history_id")
    )


def find_as_of(model: type[models.Model], slug: str) -> int | None:
    """The pk of the record that has (or last had) `slug`."""
    current = model._default_manager.filter(slug=slug).values_list("pk", flat=True).first()
    if current is not None:
        return current
    return (
        history_model(model)
        ._default_manager.filter(slug=slug)
        .order_by("-history_date")
        .values_list("id", flat=True)
        .first()
    )


def snapshot(model: type[models.Model], record: Any) -> list[FieldChange]:
    """Every field and link of one version, with display values, for "the record as it stood"."""
    links = load_links(model, [record.history_id])[record.history_id]
    skipped = {"id", "created_at", "updated_at", *model._tracked_history.excluded_fields}  # type: ignore[attr-defined]
    values = [
        FieldChange(name=f.name, label=str(f.verbose_name), new=getattr(record, f.attname))
        for f in model._meta.concrete_fields
        if f.name not in skipped
    ]
    values += [
        FieldChange(
            name=name,
            label=str(model._meta.get_field(name).verbose_name),
            is_m2m=True,
            added=sorted(ids),
        )
        for name, ids in links.items()
    ]
    label_values(model, values)
    return values
