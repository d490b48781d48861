"""Writes to sources and citations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError

from core import registry
from core.editing import assign, delete_checked, lock_current, require_perm, restore_as, save_validated
from core.history import change_set
from core.registry import Embeds
from sources.choices import QuoteStatus
from sources.models import Citation, Source
from sources.normalise import normalise_url
from tracker.choices import EditorialStatus
from tracker.models import Claim

SOURCE_FIELDS = (
    "url",
    "title",
    "publisher",
    "author",
    "published_on",
    "published_on_precision",
    "kind",
    "language",
    "stored_text",
)
CITATION_FIELDS = ("source", "excerpt", "locator", "relation", "accessed_on")


def source_find_by_url(url: str) -> Source | None:
    try:
        return Source.objects.filter(url=normalise_url(url)).first()
    except ValueError:
        return None


def source_create(*, user: Any, reason: str, data: Mapping[str, Any], restore_pk: int | None = None) -> Source:
    require_perm(user, "sources.add_source")
    source = Source()
    assign(source, data, editable=SOURCE_FIELDS)
    restore_as(source, restore_pk)
    save_validated(source, user=user, reason=reason)
    return source


def source_update(
    *, source: Source, user: Any, reason: str, data: Mapping[str, Any], expected_version: int | None
) -> Source:
    require_perm(user, "sources.change_source")
    with change_set():
        source = lock_current(source, expected_version=expected_version)
        if "url" in data and data["url"]:
            try:
                data = {**data, "url": normalise_url(data["url"])}
            except ValueError as error:
                raise ValidationError({"url": str(error)}) from None
        # A changed URL or stored text queues a check of the source (attached in sources/apps.py).
        if assign(source, data, editable=SOURCE_FIELDS):
            save_validated(source, user=user, reason=reason)
    return source


def source_delete(*, source: Source, user: Any, reason: str, expected_version: int | None = None) -> None:
    require_perm(user, "sources.delete_source")
    with change_set():
        source = lock_current(source, expected_version=expected_version)
        delete_checked(source, user=user, reason=reason)


def _require_claim_open(user: Any, claim: Claim) -> None:
    if claim.status == EditorialStatus.RETRACTED:
        raise ValidationError({"claim": "The citations of a retracted claim cannot change."})
    if claim.status == EditorialStatus.PUBLISHED:
        require_perm(user, "tracker.publish_claim", "Only reviewers can change the citations of a published claim.")


def _lock_sources(*source_ids: int | None) -> None:
    """Lock sources before their citations, in the order a check takes them (sources.checking._record
    holds the source, then writes each citation's verdict). A changed excerpt marks its source due
    (sources/apps.py); locking the citation first would deadlock with a check of that source."""
    ids = sorted({source_id for source_id in source_ids if source_id is not None})
    list(Source.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def citation_create(
    *, user: Any, reason: str, claim: Claim, data: Mapping[str, Any], restore_pk: int | None = None
) -> Citation:
    """A citation of `claim`; its excerpt is checked against the source once this commits (sources/apps.py)."""
    require_perm(user, "sources.add_citation")
    _require_claim_open(user, claim)
    citation = Citation(claim=claim)
    assign(citation, data, editable=CITATION_FIELDS)
    restore_as(citation, restore_pk)
    save_validated(citation, user=user, reason=reason)
    return citation


def citation_update(
    *, citation: Citation, user: Any, reason: str, data: Mapping[str, Any], expected_version: int | None
) -> Citation:
    require_perm(user, "sources.change_citation")
    with change_set():
        new_source = data.get("source")
        _lock_sources(citation.source_id, getattr(new_source, "pk", new_source))
        citation = lock_current(citation, expected_version=expected_version)
        _require_claim_open(user, citation.claim)
        changed = assign(citation, data, editable=CITATION_FIELDS)
        if changed:
            # The verdict was about the old excerpt; the new one is checked once this commits (sources/apps.py).
            if {"excerpt", "source"} & set(changed):
                citation.quote_status, citation.quote_check = QuoteStatus.UNVERIFIED, None
            save_validated(citation, user=user, reason=reason)
    return citation


def citation_delete(
    *,
    citation: Citation,
    user: Any,
    reason: str,
    expected_version: int | None = None,
    parent_checked: bool = False,
) -> None:
    """Delete a citation; `parent_checked` when the claim's own delete has locked and checked the claim."""
    require_perm(user, "sources.delete_citation")
    with change_set():
        citation = lock_current(citation, expected_version=expected_version)
        claim = citation.claim
        if not parent_checked:
            # Lock the claim so two reviewers cannot each delete one of its last two citations.
            claim = lock_current(claim, expected_version=None)
            _require_claim_open(user, claim)
            if claim.status == EditorialStatus.PUBLISHED and claim.citations.count() <= 1:
                raise ValidationError({"citations": "A published claim keeps at least one citation."})
        delete_checked(citation, user=user, reason=reason)


def source_get_or_create_by_url(*, user: Any, reason: str, url: str, title: str = "") -> Source:
    """The source with this URL (after normalisation), created if new; web forms and imports paste URLs."""
    try:
        normalised = normalise_url(url)
    except ValueError as error:
        raise ValidationError({"url": str(error)}) from None
    existing = Source.objects.filter(url=normalised).first()
    if existing is not None:
        return existing
    return source_create(user=user, reason=reason, data={"url": normalised, "title": title.strip()})


# --- Registration with the kernel (core/registry.py) ---------------------------------------------

registry.register(
    Source,
    reviewed_when_public=True,
    resource="sources",
    fields=SOURCE_FIELDS,
    create=source_create,
    update=source_update,
    delete=source_delete,
)
registry.register(
    Citation,
    resource="citations",
    fields=CITATION_FIELDS,
    parent="claim",
    create=citation_create,
    update=citation_update,
    delete=citation_delete,
    visible=lambda: Citation.objects.filter(claim__status=EditorialStatus.PUBLISHED),
    shows=("source",),
    follows=("claim",),
    str_related=("source",),
)
# A claim as partners read it (the claims API) lists its citations and their sources' URL and title.
registry.extend(Claim, embeds=(Embeds("citations"), Embeds("citations__source", frozenset({"url", "title"}))))
