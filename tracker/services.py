"""Writes to actors, roles, topics and claims. Every path (admin, forms, API, tasks, commands) calls these."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet

from core import registry
from core.editing import (
    assign,
    delete_checked,
    lock_current,
    require_own_draft,
    require_perm,
    restore_as,
    save_validated,
    unique_slug,
)
from core.history import change_set, clean_reason
from core.registry import Embeds
from core.visibility import related_visible, shown
from tracker.choices import EDITORIAL_TRANSITIONS, EditorialStatus
from tracker.models import Actor, Claim, Role, Topic

ACTOR_FIELDS = ("name", "slug", "kind", "summary", "aliases", "wikidata_id", "country_code")
ROLE_FIELDS = ("actor", "organisation", "title", "start_on", "end_on", "source", "excerpt")
TOPIC_FIELDS = ("title", "slug", "question", "summary", "parent")
CLAIM_FIELDS = (
    "speaker",
    "text",
    "kind",
    "stated_on",
    "stated_on_precision",
    "stated_on_inferred",
    "context",
    "attribution_status",
    "veracity",
    "veracity_rationale",
)
# Statuses in which an editor (without publish rights) may still change a record.
EDITABLE_BY_EDITORS = (EditorialStatus.DRAFT, EditorialStatus.IN_REVIEW)


# --- Actors -----------------------------------------------------------------------------------


def actor_create(*, user: Any, reason: str, data: Mapping[str, Any], restore_pk: int | None = None) -> Actor:
    require_perm(user, "tracker.add_actor")
    actor = Actor()
    assign(actor, data, editable=ACTOR_FIELDS)
    restore_as(actor, restore_pk)
    if not actor.slug and actor.name:
        actor.slug = unique_slug(Actor, actor.name)
    save_validated(actor, user=user, reason=reason)
    return actor


def actor_update(
    *, actor: Actor, user: Any, reason: str, data: Mapping[str, Any], expected_version: int | None
) -> Actor:
    require_perm(user, "tracker.change_actor")
    with change_set():
        actor = lock_current(actor, expected_version=expected_version)
        if assign(actor, data, editable=ACTOR_FIELDS):
            save_validated(actor, user=user, reason=reason)
    return actor


def actor_delete(*, actor: Actor, user: Any, reason: str, expected_version: int | None = None) -> None:
    require_perm(user, "tracker.delete_actor")
    with change_set():
        actor = lock_current(actor, expected_version=expected_version)
        delete_checked(actor, user=user, reason=reason)


# --- Roles ------------------------------------------------------------------------------------


def role_create(*, user: Any, reason: str, data: Mapping[str, Any], restore_pk: int | None = None) -> Role:
    require_perm(user, "tracker.add_role")
    role = Role()
    assign(role, data, editable=ROLE_FIELDS)
    restore_as(role, restore_pk)
    save_validated(role, user=user, reason=reason)
    return role


def role_update(*, role: Role, user: Any, reason: str, data: Mapping[str, Any], expected_version: int | None) -> Role:
    require_perm(user, "tracker.change_role")
    with change_set():
        role = lock_current(role, expected_version=expected_version)
        if assign(role, data, editable=ROLE_FIELDS):
            save_validated(role, user=user, reason=reason)
    return role


def role_delete(*, role: Role, user: Any, reason: str, expected_version: int | None = None) -> None:
    require_perm(user, "tracker.delete_role")
    with change_set():
        role = lock_current(role, expected_version=expected_version)
        delete_checked(role, user=user, reason=reason)


# --- Topics -----------------------------------------------------------------------------------


def topic_create(*, user: Any, reason: str, data: Mapping[str, Any], restore_pk: int | None = None) -> Topic:
    require_perm(user, "tracker.add_topic")
    topic = Topic()
    assign(topic, data, editable=TOPIC_FIELDS)
    restore_as(topic, restore_pk)
    if not topic.slug and topic.title:
        topic.slug = unique_slug(Topic, topic.title)
    save_validated(topic, user=user, reason=reason)
    return topic


def topic_update(
    *, topic: Topic, user: Any, reason: str, data: Mapping[str, Any], expected_version: int | None
) -> Topic:
    require_perm(user, "tracker.change_topic")
    with change_set():
        topic = lock_current(topic, expected_version=expected_version)
        if assign(topic, data, editable=TOPIC_FIELDS):
            save_validated(topic, user=user, reason=reason)
    return topic


def topic_delete(*, topic: Topic, user: Any, reason: str, expected_version: int | None = None) -> None:
    require_perm(user, "tracker.delete_topic")
    with change_set():
        topic = lock_current(topic, expected_version=expected_version)
        if topic.claims.exists():
            raise ValidationError(f"Topic “{topic}” is used by claims; remove it from them first.")
        delete_checked(topic, user=user, reason=reason)


# --- Claims -----------------------------------------------------------------------------------


def _require_claim_editable(user: Any, claim: Claim) -> None:
    if claim.status == EditorialStatus.RETRACTED:
        raise ValidationError({"status": "A retracted claim cannot be edited; return it to draft first."})
    if claim.status not in EDITABLE_BY_EDITORS:
        require_perm(user, "tracker.publish_claim", "Only reviewers can change a published claim.")


def claim_create(
    *,
    user: Any,
    reason: str,
    data: Mapping[str, Any],
    topics: Iterable[Topic] = (),
    citations: Sequence[Mapping[str, Any]] = (),
    restore_pk: int | None = None,
) -> Claim:
    """Create a draft claim with its topics and citations (through the citation services), as one change."""
    require_perm(user, "tracker.add_claim")
    with change_set():
        claim = Claim()
        assign(claim, data, editable=CLAIM_FIELDS)
        restore_as(claim, restore_pk)
        save_validated(claim, user=user, reason=reason, m2m={"topics": list(topics)})
        citation = registry.get(Claim).child("citations") if citations else None
        for index, values in enumerate(citations):
            try:
                citation.create(user=user, reason=reason, claim=claim, data=values)  # type: ignore[union-attr]
            except ValidationError as error:
                raise ValidationError({f"citations[{index}]": error.messages}) from error
    return claim


def claim_update(
    *,
    claim: Claim,
    user: Any,
    reason: str,
    data: Mapping[str, Any],
    expected_version: int | None,
    topics: Iterable[Topic] | None = None,
) -> Claim:
    require_perm(user, "tracker.change_claim")
    with change_set():
        claim = lock_current(claim, expected_version=expected_version)
        _require_claim_editable(user, claim)
        changed = assign(claim, data, editable=CLAIM_FIELDS)
        m2m = None
        if topics is not None:
            topics = list(topics)
            if {t.pk for t in topics} != set(claim.topics.values_list("pk", flat=True)):
                m2m = {"topics": topics}
        if changed or m2m:
            save_validated(claim, user=user, reason=reason, m2m=m2m)
    return claim


def check_transition(current: str, target: str) -> str:
    action = EDITORIAL_TRANSITIONS.get((current, target))
    if action is None:
        raise ValidationError(
            {
                "status": f"A {EditorialStatus(current).label.lower()} item cannot become "
                f"{EditorialStatus(target).label.lower()}."
            }
        )
    return action


def claim_transition(
    *, claim: Claim, to_status: str, user: Any, reason: str, expected_version: int | None = None
) -> Claim:
    """Move a claim through the review workflow; submitting needs edit rights, the rest reviewer rights."""
    reason = clean_reason(reason)
    with change_set():
        claim = lock_current(claim, expected_version=expected_version)
        action = check_transition(claim.status, to_status)
        if to_status == EditorialStatus.IN_REVIEW:
            require_perm(user, "tracker.change_claim")
        else:
            require_perm(user, "tracker.publish_claim", "Only reviewers can publish, return or retract claims.")
        if to_status == EditorialStatus.PUBLISHED and not claim.citations.exists():
            raise ValidationError({"citations": "A claim is published only with at least one citation."})
        if claim.status == EditorialStatus.PUBLISHED:
            # `claim.positions`: the positions citing the claim as evidence (declared by the positions app).
            orphaned = claim.positions.filter(status=EditorialStatus.PUBLISHED).exclude(
                evidence__in=Claim.objects.filter(status=EditorialStatus.PUBLISHED).exclude(pk=claim.pk)
            )
            if orphaned.exists():
                names = "; ".join(str(position) for position in orphaned[:5])
                raise ValidationError(
                    {
                        "status": f"This claim is the only published evidence of published positions ({names}); "
                        "retract or re-source those positions first."
                    }
                )
        claim.status = to_status
        save_validated(claim, user=user, reason=reason, action=action)
    return claim


def claim_submit(*, claim: Claim, user: Any, reason: str, expected_version: int | None = None) -> Claim:
    return claim_transition(
        claim=claim, to_status=EditorialStatus.IN_REVIEW, user=user, reason=reason, expected_version=expected_version
    )


def claim_publish(*, claim: Claim, user: Any, reason: str, expected_version: int | None = None) -> Claim:
    return claim_transition(
        claim=claim, to_status=EditorialStatus.PUBLISHED, user=user, reason=reason, expected_version=expected_version
    )


def claim_return(*, claim: Claim, user: Any, reason: str, expected_version: int | None = None) -> Claim:
    """Send a claim back to draft with the reviewer's comment as the reason."""
    return claim_transition(
        claim=claim, to_status=EditorialStatus.DRAFT, user=user, reason=reason, expected_version=expected_version
    )


def claim_retract(*, claim: Claim, user: Any, reason: str, expected_version: int | None = None) -> Claim:
    return claim_transition(
        claim=claim, to_status=EditorialStatus.RETRACTED, user=user, reason=reason, expected_version=expected_version
    )


def claim_delete(*, claim: Claim, user: Any, reason: str, expected_version: int | None = None) -> None:
    """Delete an unpublished claim and its citations. Published claims are retracted, never deleted."""
    require_perm(user, "tracker.delete_claim")
    with change_set():
        claim = lock_current(claim, expected_version=expected_version)
        if claim.status == EditorialStatus.PUBLISHED:
            raise PermissionDenied("A published claim cannot be deleted; retract it instead.")
        require_own_draft(claim, user, reviewer_perm="tracker.publish_claim")
        if claim.positions.exists():
            raise ValidationError("This claim is evidence for positions; remove it from them first.")
        spec = registry.get(Claim)
        for child in spec.children():
            for part in getattr(claim, spec.children_relation(child)).all():
                child.delete(**{child.name: part}, user=user, reason=reason, parent_checked=True)
        delete_checked(claim, user=user, reason=reason)


# --- Registration with the kernel ---------------------------------------------------------------
# One declaration per model: what its services edit, how partners see it, what its feed entry
# embeds. Audit, the feed, revert and the dump read these (core/registry.py).


def _published_claims() -> QuerySet[Claim]:
    return Claim.objects.filter(status=EditorialStatus.PUBLISHED)


def _partner_topics() -> QuerySet[Topic]:
    # A topic used by published work is visible, and so are its parent and grandparent, so the tree a
    # partner sees has no dangling parent (topic trees here are at most three levels deep).
    child_used = Topic.objects.filter(parent=OuterRef("pk")).filter(shown(Topic, "pk"))
    grandchild_used = Topic.objects.filter(parent__parent=OuterRef("pk")).filter(shown(Topic, "pk"))
    return Topic.objects.filter(shown(Topic, "pk") | Q(Exists(child_used)) | Q(Exists(grandchild_used)))


def _partner_roles() -> QuerySet[Role]:
    return Role.objects.filter(
        related_visible(Role, "actor"),
        related_visible(Role, "organisation"),
        Q(source__isnull=True) | related_visible(Role, "source"),
    )


registry.register(
    Actor,
    reviewed_when_public=True,
    resource="actors",
    fields=ACTOR_FIELDS,
    create=actor_create,
    update=actor_update,
    delete=actor_delete,
)
registry.register(
    Role,
    reviewed_when_public=True,
    resource="roles",
    fields=ROLE_FIELDS,
    create=role_create,
    update=role_update,
    delete=role_delete,
    visible=_partner_roles,
    follows=("actor", "organisation", "source"),
    embeds=(Embeds("actor", frozenset({"slug"})), Embeds("organisation", frozenset({"slug"}))),
    str_related=("actor", "organisation"),
)
registry.register(
    Topic,
    reviewed_when_public=True,
    resource="topics",
    fields=TOPIC_FIELDS,
    create=topic_create,
    update=topic_update,
    delete=topic_delete,
    visible=_partner_topics,
    follows=("children",),
    embeds=(Embeds("parent", frozenset({"slug"})),),
)
registry.register(
    Claim,
    resource="claims",
    fields=CLAIM_FIELDS,
    links=("topics",),
    create=claim_create,
    update=claim_update,
    delete=claim_delete,
    visible=_published_claims,
    shows=("speaker", "topics"),
    embeds=(Embeds("speaker", frozenset({"slug"})), Embeds("topics", frozenset({"slug"}))),
    str_related=("speaker",),
)
