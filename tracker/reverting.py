"""Reverting a record to an earlier version, and restoring a deleted one, as new tracked changes.

A revert writes forwards: it never edits or removes history. It sets the record's editable fields,
its M2M links and (for a claim) its citations to what a chosen version recorded, through the same
write mechanics as the services (`lock_current`, `assign`, `save_validated`), with action
`reverted`, or `restored` for a record that had been deleted.

Editorial status is not reverted: publishing and retracting keep their own checks in the workflow
services. The invariants of a published record are checked against the reverted state instead.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from core.audit import history_model, m2m_field_names, tracked_model
from core.choices import HistoryAction
from core.editing import assign, delete_checked, lock_current, require_perm, save_validated
from core.history import change_set, clean_reason
from positions.services import POSITION_FIELDS, _check_evidence
from sources.services import CITATION_FIELDS, SOURCE_FIELDS
from tracker.choices import EditorialStatus
from tracker.selectors import citations_at, version_moment
from tracker.services import ACTOR_FIELDS, CLAIM_FIELDS, ROLE_FIELDS, TOPIC_FIELDS

EDITABLE_FIELDS = {
    "tracker.Actor": ACTOR_FIELDS,
    "tracker.Role": ROLE_FIELDS,
    "tracker.Topic": TOPIC_FIELDS,
    "tracker.Claim": CLAIM_FIELDS,
    "positions.Position": POSITION_FIELDS,
    "sources.Source": SOURCE_FIELDS,
    "sources.Citation": CITATION_FIELDS,
}


def _values(model: type[models.Model], version: Any) -> dict[str, Any]:
    data = {}
    for name in EDITABLE_FIELDS[model._meta.label]:
        f = model._meta.get_field(name)
        data[name] = getattr(version, f.attname)
    return data


def _links(model: type[models.Model], version: Any) -> dict[str, list[models.Model]]:
    """The M2M targets the version linked, refusing by name any that no longer exist."""
    from core.audit import load_links

    if not m2m_field_names(model):
        return {}
    recorded = load_links(model, [version.history_id])[version.history_id]
    links = {}
    for name, ids in recorded.items():
        related = model._meta.get_field(name).related_model
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


def _refuse_closed(instance: models.Model) -> None:
    if getattr(instance, "status", None) == EditorialStatus.RETRACTED:
        raise ValidationError(
            {"status": f"A retracted {instance._meta.verbose_name} cannot be reverted; return it to draft first."}
        )


def _check_published(instance: models.Model, links: dict[str, list[Any]], citations: list[Any] | None) -> None:
    """A revert must not leave a published record in a state the workflow would have refused."""
    if getattr(instance, "status", None) != EditorialStatus.PUBLISHED:
        return
    if instance._meta.label == "tracker.Claim" and not citations:
        raise ValidationError(
            {
                "citations": "This claim is published and the chosen version has no citations; a published claim "
                "keeps at least one. Retract the claim first, or choose a version with a citation."
            }
        )
    if instance._meta.label == "positions.Position":
        try:
            _check_evidence(instance, links.get("evidence", []))  # type: ignore[arg-type]
        except ValidationError:
            raise ValidationError(
                {
                    "evidence": "This position is published and the chosen version has no published claim as "
                    "evidence; retract the position first, or choose another version."
                }
            ) from None


def _citation_of(claim: Any, version: Any) -> Any:
    from sources.models import Citation

    citation = version.instance
    citation.claim = claim
    citation._state.adding = True
    citation.version = _next_version(Citation, citation.pk)
    return citation


def _next_version(model: type[models.Model], pk: Any) -> int:
    latest = history_model(model)._default_manager.filter(id=pk).order_by("-history_id").first()
    return (latest.version + 1) if latest is not None else 1


def _apply_citations(claim: Any, targets: list[Any], *, user: Any, reason: str) -> bool:
    """Make the claim's citations match the historical rows `targets`; return whether anything changed."""
    from sources.models import Citation

    current = {c.pk: c for c in Citation.objects.select_for_update().filter(claim=claim)}
    wanted = {t.id: t for t in targets}
    changed = False
    for pk, citation in current.items():
        if pk not in wanted:
            delete_checked(citation, user=user, reason=reason)
            changed = True
    for pk, target in wanted.items():
        if pk in current:
            citation = current[pk]
            if assign(citation, _values(Citation, target), editable=CITATION_FIELDS):
                save_validated(citation, user=user, reason=reason, action=HistoryAction.REVERTED)
                changed = True
        else:
            save_validated(_citation_of(claim, target), user=user, reason=reason, action=HistoryAction.RESTORED)
            changed = True
    return changed


def record_revert(
    *,
    model: type[models.Model] | str,
    version: Any,
    user: Any,
    reason: str,
    expected_version: int | None = None,
) -> models.Model:
    """Set a record (fields, M2M links, a claim's citations) to what `version` recorded, as one new change.

    If the record has been deleted it is restored from `version` (action `restored`); a restored
    claim or position comes back as a draft and is published again through review.
    """
    if isinstance(model, str):
        model = tracked_model(model)
    require_perm(user, "core.revert_history", "Only reviewers can revert records.")
    reason = clean_reason(reason)
    if version.history_type == "-":
        raise ValidationError({"version": "This version records the deletion; choose the version before it."})
    with change_set():
        current = model._default_manager.filter(pk=version.id).first()
        if current is None:
            return _restore(model, version, user=user, reason=reason)
        require_perm(user, f"{model._meta.app_label}.change_{model._meta.model_name}")
        current = lock_current(current, expected_version=expected_version)
        _refuse_closed(current)
        if model._meta.label == "sources.Citation":
            _refuse_closed(current.claim)  # type: ignore[attr-defined]
        changed = assign(current, _values(model, version), editable=EDITABLE_FIELDS[model._meta.label])
        links = _links(model, version)
        m2m = {
            name: targets
            for name, targets in links.items()
            if {t.pk for t in targets} != set(getattr(current, name).values_list("pk", flat=True))
        }
        citations = None
        if model._meta.label == "tracker.Claim":
            citations = citations_at(current.pk, version_moment(model, version))
        _check_published(current, links, citations)
        if changed or m2m:
            save_validated(current, user=user, reason=reason, action=HistoryAction.REVERTED, m2m=m2m or None)
        citations_changed = citations is not None and _apply_citations(current, citations, user=user, reason=reason)
        if not (changed or m2m or citations_changed):
            raise ValidationError("The record already matches this version; nothing to revert.")
    return current


def _restore(model: type[models.Model], version: Any, *, user: Any, reason: str) -> models.Model:
    require_perm(user, f"{model._meta.app_label}.add_{model._meta.model_name}")
    instance = version.instance
    instance._state.adding = True
    instance.version = _next_version(model, instance.pk)
    if hasattr(instance, "status"):
        instance.status = EditorialStatus.DRAFT
    if model._meta.label == "sources.Citation":
        from tracker.models import Claim

        claim = Claim.objects.filter(pk=instance.claim_id).first()
        if claim is None:
            raise ValidationError({"claim": "The claim of this citation was deleted; restore the claim instead."})
        _refuse_closed(claim)
        if claim.status == EditorialStatus.PUBLISHED:
            require_perm(user, "tracker.publish_claim", "Only reviewers can change the citations of a published claim.")
    links = _links(model, version)
    save_validated(instance, user=user, reason=reason, action=HistoryAction.RESTORED, m2m=links or None)
    if model._meta.label == "tracker.Claim":
        for target in citations_at(instance.pk, version_moment(model, version)):
            save_validated(_citation_of(instance, target), user=user, reason=reason, action=HistoryAction.RESTORED)
    return instance
