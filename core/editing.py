"""The mechanics every service shares: permissions, locking, applying changes, saving with history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, models
from django.db.models import Model, ProtectedError
from django.utils.text import slugify

from core import registry
from core.exceptions import ConflictError
from core.history import change_set, created_by, delete_tracked, save_tracked
from core.visibility import visible

M = TypeVar("M", bound=models.Model)


def require_perm(user: Any, perm: str, message: str | None = None) -> None:
    if user is None or not user.has_perm(perm):
        raise PermissionDenied(message or f"You do not have permission to do this ({perm}).")


def lock_current(instance: M, *, expected_version: int | None) -> M:
    """Re-read `instance` under a row lock and refuse if it moved past `expected_version`.

    The lock (PostgreSQL; SQLite serialises writers anyway) makes check-then-write atomic: two
    editors saving the same version cannot both pass the check.
    """
    current = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    if expected_version is not None and current.version != expected_version:
        raise ConflictError(instance=current, expected_version=expected_version)
    return current


def assign(instance: models.Model, data: Mapping[str, Any], *, editable: Iterable[str]) -> list[str]:
    """Set the given fields, refusing unknown ones by name; return the names whose value changed."""
    editable = set(editable)
    unknown = sorted(set(data) - editable)
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in unknown})
    changed = []
    for name, value in data.items():
        try:
            field = instance._meta.get_field(name)
        except FieldDoesNotExist:
            raise ValidationError({name: "Unknown field."}) from None
        if isinstance(field, models.ForeignKey):
            # Compare ids: reading an unset relation raises, and a read costs a query.
            new_id = value.pk if isinstance(value, models.Model) else value
            if getattr(instance, field.attname) != new_id or (new_id is None and value is not None):
                setattr(instance, name if isinstance(value, models.Model) else field.attname, value)
                changed.append(name)
        elif getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def validate(instance: models.Model, *, exclude: Iterable[str] = ()) -> None:
    instance.full_clean(exclude=set(exclude))


def save_validated(
    instance: models.Model,
    *,
    user: Any,
    reason: str,
    action: str | None = None,
    m2m: dict[str, Iterable[Any]] | None = None,
) -> None:
    """full_clean, bump the version, save with one history row; a lost race becomes a ValidationError.

    A record that partners see, or would see after the change, changes only with reviewer rights when
    its registration says so (`reviewed_when_public`): an editor's edit would otherwise reach partners
    unreviewed (docs/design.md, "Review of what partners see").
    """
    validate(instance)
    reviewed = _needs_review_rights(instance, user)
    with change_set():
        if reviewed and not instance._state.adding:
            _refuse_if_public(instance)  # as it stands before the change
        if not instance._state.adding:
            instance.version += 1
        try:
            save_tracked(instance, user=user, reason=reason, action=action, m2m=m2m)
        except IntegrityError as error:
            # Check constraints are enforced by the database alone (TrackedModel.validate_constraints).
            message = type(instance).check_constraint_message(error)  # type: ignore[attr-defined]
            if message:
                raise ValidationError(message) from error
            # full_clean checked the unique constraints; this is a concurrent insert that won the race.
            raise ValidationError(f"The change conflicts with data saved at the same moment: {error}") from error
        if reviewed:
            _refuse_if_public(instance)  # as it would stand after it: rolled back with the change


REVIEW_RIGHTS = "core.change_published"


def _needs_review_rights(instance: models.Model, user: Any) -> bool:
    spec = registry.get(type(instance))
    return spec.reviewed_when_public and not (user is not None and user.has_perm(REVIEW_RIGHTS))


def _refuse_if_public(instance: models.Model) -> None:
    if visible(type(instance), partner=True).filter(pk=instance.pk).exists():
        noun = instance._meta.verbose_name
        raise PermissionDenied(
            f"Partners see this {noun} through published work, so only a reviewer can change it. "
            "Ask a reviewer to make the change."
        )


def require_own_draft(instance: models.Model, user: Any, *, reviewer_perm: str) -> None:
    """Editors delete only what they created; reviewers (`reviewer_perm`) delete anyone's."""
    if user.has_perm(reviewer_perm):
        return
    if not created_by(type(instance), user).filter(id=instance.pk).exists():
        noun = instance._meta.verbose_name
        raise PermissionDenied(f"Only a reviewer can delete a {noun} someone else created; yours you may delete.")


def delete_checked(instance: models.Model, *, user: Any, reason: str) -> None:
    try:
        delete_tracked(instance, user=user, reason=reason)
    except ProtectedError as error:
        names = sorted({str(obj._meta.verbose_name_plural) for obj in error.protected_objects})
        raise ValidationError(
            f"{instance._meta.verbose_name.capitalize()} “{instance}” is still used by {', '.join(names)}; "
            "remove those references first."
        ) from error


def unique_slug(model: type[Model], text: str, *, exclude_pk: Any = None) -> str:
    base = slugify(text)[:180] or "item"
    slug, counter = base, 2
    queryset = model._default_manager.all()
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    while queryset.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


def restore_as(instance: models.Model, pk: Any | None) -> None:
    """Give a new instance the id of a deleted record it restores (revert), and the version after the
    last one history knows, so its history continues rather than starting again."""
    if pk is None:
        return
    if type(instance)._default_manager.filter(pk=pk).exists():
        raise ValidationError(
            f"{instance._meta.verbose_name.capitalize()} {pk} exists; only a deleted record is restored."
        )
    latest = type(instance).history.model._default_manager.filter(id=pk).order_by("-history_id").first()  # type: ignore[attr-defined]
    instance.pk = pk
    instance.version = (latest.version + 1) if latest is not None else 1  # type: ignore[attr-defined]
