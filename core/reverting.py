"""Reverting a record to an earlier version, and restoring a deleted one, through its own services.

A revert writes forwards: it never edits or removes history. It calls the model's registered update
service with the chosen version's editable fields and links, then makes the record's children (a
claim's citations) match that version through their own create, update and delete services; a
deleted record is restored through its create service under its old id. So a revert is an ordinary
edit: every invariant (a published claim keeps a citation, a published position a published claim
as evidence, a retracted record is not edited) and every effect (an edited excerpt's verdict reset
and a check queued) applies. The history rows say `reverted` and `restored`.

Editorial status is not reverted: publishing and retracting keep their own checks in the workflow
services, and a restored claim or position comes back as a draft.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from core import registry
from core.audit import load_links
from core.editing import require_perm
from core.history import change_set, clean_reason, reverting
from core.models import ChangeEntry
from core.selectors import children_at, version_moment


def _values(spec: registry.Tracked, version: Any) -> dict[str, Any]:
    return {name: getattr(version, spec.model._meta.get_field(name).attname) for name in spec.fields}


def _links(spec: registry.Tracked, version: Any) -> dict[str, list[models.Model]]:
    """The M2M targets the version linked, refusing by name any that no longer exist."""
    if not spec.links:
        return {}
    recorded = load_links(spec.model, [version.history_id])[version.history_id]
    links = {}
    for name in spec.links:
        ids = recorded.get(name, frozenset())
        related = spec.model._meta.get_field(name).related_model
        found = related._default_manager.in_bulk(list(ids))  # type: ignore[union-attr]
        missing = sorted(set(ids) - set(found))
        if missing:
            raise ValidationError(
                {
                    name: f"This version links {related._meta.verbose_name} "  # type: ignore[union-attr]
                    f"{', '.join(f'#{pk}' for pk in missing)}, which no longer exist; restore them first."
                }
            )
        links[name] = [found[pk] for pk in sorted(found)]
    return links


def _sync_children(spec: registry.Tracked, parent: models.Model, moment: Any, *, user: Any, reason: str) -> None:
    """Make each child relation of `parent` match what it was at `moment`, through the child's services.

    Re-created and updated children come first and deletions last, so a published claim never passes
    through a state with no citation (its services would refuse that)."""
    for child in spec.children():
        wanted = {row.id: row for row in children_at(child, parent.pk, moment)}
        current = {c.pk: c for c in getattr(parent, spec.children_relation(child)).all()}
        for pk, row in wanted.items():
            data = _values(child, row)
            if pk not in current:
                child.create(user=user, reason=reason, data=data, restore_pk=pk, **{child.parent: parent})
                continue
            record = current[pk]
            if any(getattr(record, child.model._meta.get_field(n).attname) != v for n, v in data.items()):
                child.update(
                    **{child.name: record}, user=user, reason=reason, data=data, expected_version=record.version
                )
        for pk, record in current.items():
            if pk not in wanted:
                child.delete(**{child.name: record}, user=user, reason=reason, expected_version=record.version)


def record_revert(
    *,
    model: type[models.Model] | str,
    version: Any,
    user: Any,
    reason: str,
    expected_version: int | None = None,
) -> models.Model:
    """Set a record (fields, links, children) to what `version` recorded, as one new change.

    If the record has been deleted it is restored from `version` (action `restored`).
    """
    spec = registry.get(model)
    require_perm(user, "core.revert_history", "Only reviewers can revert records.")
    reason = clean_reason(reason)
    if version.history_type == "-":
        raise ValidationError({"version": "This version records the deletion; choose the version before it."})
    with change_set() as change_id, reverting():
        current = spec.model._default_manager.filter(pk=version.id).first()
        links = _links(spec, version)
        data = _values(spec, version)
        if current is None:
            record = _restore(spec, version, data, links, user=user, reason=reason)
        else:
            record = spec.update(
                **{spec.name: current},
                user=user,
                reason=reason,
                data=data,
                expected_version=expected_version,
                **links,
            )
        _sync_children(spec, record, version_moment(spec.model, version), user=user, reason=reason)
        if not ChangeEntry.objects.filter(change_id=change_id).exists():
            raise ValidationError("The record already matches this version; nothing to revert.")
    return record


def _restore(spec: registry.Tracked, version: Any, data: dict, links: dict, *, user: Any, reason: str) -> models.Model:
    extra = {}
    if spec.parent:
        parent_model = spec.parent_model()
        parent = parent_model._default_manager.filter(pk=getattr(version, f"{spec.parent}_id")).first()  # type: ignore[union-attr]
        if parent is None:
            raise ValidationError(
                {spec.parent: f"The {spec.parent} of this {spec.name} was deleted; restore the {spec.parent} instead."}
            )
        extra[spec.parent] = parent
    return spec.create(user=user, reason=reason, data=data, restore_pk=version.id, **links, **extra)
