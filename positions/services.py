"""Writes to positions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from core import registry
from core.editing import (
    assign,
    delete_checked,
    lock_current,
    require_own_draft,
    require_perm,
    restore_as,
    save_validated,
)
from core.history import change_set, clean_reason
from core.registry import Embeds
from positions.models import Position
from tracker.choices import EditorialStatus
from tracker.models import Claim
from tracker.services import EDITABLE_BY_EDITORS, check_transition

POSITION_FIELDS = ("actor", "topic", "stance", "as_of", "as_of_precision", "as_of_inferred", "summary", "conditions")


def _check_evidence(position: Position, evidence: list[Claim]) -> None:
    if position.status == EditorialStatus.PUBLISHED and not any(
        claim.status == EditorialStatus.PUBLISHED for claim in evidence
    ):
        raise ValidationError({"evidence": "A published position needs at least one published claim as evidence."})


def position_create(
    *,
    user: Any,
    reason: str,
    data: Mapping[str, Any],
    evidence: Iterable[Claim] = (),
    restore_pk: int | None = None,
) -> Position:
    require_perm(user, "positions.add_position")
    position = Position()
    assign(position, data, editable=POSITION_FIELDS)
    restore_as(position, restore_pk)
    evidence = list(evidence)
    save_validated(position, user=user, reason=reason, m2m={"evidence": evidence})
    return position


def position_update(
    *,
    position: Position,
    user: Any,
    reason: str,
    data: Mapping[str, Any],
    expected_version: int | None,
    evidence: Iterable[Claim] | None = None,
) -> Position:
    require_perm(user, "positions.change_position")
    with change_set():
        position = lock_current(position, expected_version=expected_version)
        if position.status == EditorialStatus.RETRACTED:
            raise ValidationError({"status": "A retracted position cannot be edited; return it to draft first."})
        if position.status not in EDITABLE_BY_EDITORS:
            require_perm(user, "positions.publish_position", "Only reviewers can change a published position.")
        changed = assign(position, data, editable=POSITION_FIELDS)
        m2m = None
        current_evidence = list(position.evidence.all())
        if evidence is not None:
            evidence = list(evidence)
            if {c.pk for c in evidence} != {c.pk for c in current_evidence}:
                m2m = {"evidence": evidence}
        if changed or m2m:
            _check_evidence(position, evidence if m2m else current_evidence)
            save_validated(position, user=user, reason=reason, m2m=m2m)
    return position


def position_transition(
    *, position: Position, to_status: str, user: Any, reason: str, expected_version: int | None = None
) -> Position:
    reason = clean_reason(reason)
    with change_set():
        position = lock_current(position, expected_version=expected_version)
        action = check_transition(position.status, to_status)
        if to_status == EditorialStatus.IN_REVIEW:
            require_perm(user, "positions.change_position")
        else:
            require_perm(user, "positions.publish_position", "Only reviewers can publish, return or retract positions.")
        position.status = to_status
        if to_status == EditorialStatus.PUBLISHED:
            _check_evidence(position, list(position.evidence.all()))
        save_validated(position, user=user, reason=reason, action=action)
    return position


def position_submit(*, position: Position, user: Any, reason: str, expected_version: int | None = None) -> Position:
    return position_transition(
        position=position,
        to_status=EditorialStatus.IN_REVIEW,
        user=user,
        reason=reason,
        expected_version=expected_version,
    )


def position_publish(*, position: Position, user: Any, reason: str, expected_version: int | None = None) -> Position:
    return position_transition(
        position=position,
        to_status=EditorialStatus.PUBLISHED,
        user=user,
        reason=reason,
        expected_version=expected_version,
    )


def position_return(*, position: Position, user: Any, reason: str, expected_version: int | None = None) -> Position:
    return position_transition(
        position=position,
        to_status=EditorialStatus.DRAFT,
        user=user,
        reason=reason,
        expected_version=expected_version,
    )


def position_retract(*, position: Position, user: Any, reason: str, expected_version: int | None = None) -> Position:
    return position_transition(
        position=position,
        to_status=EditorialStatus.RETRACTED,
        user=user,
        reason=reason,
        expected_version=expected_version,
    )


def position_delete(*, position: Position, user: Any, reason: str, expected_version: int | None = None) -> None:
    require_perm(user, "positions.delete_position")
    with change_set():
        position = lock_current(position, expected_version=expected_version)
        if position.status == EditorialStatus.PUBLISHED:
            raise PermissionDenied("A published position cannot be deleted; retract it instead.")
        require_own_draft(position, user, reviewer_perm="positions.publish_position")
        delete_checked(position, user=user, reason=reason)


# --- Registration with the kernel (core/registry.py) ---------------------------------------------

registry.register(
    Position,
    resource="positions",
    fields=POSITION_FIELDS,
    links=("evidence",),
    create=position_create,
    update=position_update,
    delete=position_delete,
    visible=lambda: Position.objects.filter(status=EditorialStatus.PUBLISHED),
    shows=("actor", "topic"),
    # A position lists its evidence as the claims a partner may see, so any change to one is re-sent.
    embeds=(Embeds("actor", frozenset({"slug"})), Embeds("topic", frozenset({"slug"})), Embeds("evidence")),
    str_related=("actor", "topic"),
)
