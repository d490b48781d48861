"""Writes to actors, roles, topics and claims. Every path (admin, forms, API, tasks, commands) calls these."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify

from tracker.choices import EDITORIAL_TRANSITIONS, APIKeyScope, EditorialStatus
from tracker.editing import assign, delete_checked, lock_current, require_perm, save_validated
from tracker.history import change_set, clean_reason
from tracker.models import Actor, APIKey, Claim, Partner, Role, Topic
from tracker.roles import PARTNER_SUBMITTERS

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


def unique_slug(model: type[Model], text: str, *, exclude_pk: Any = None) -> str:
    base = slugify(text)[:180] or "item"
    slug, counter = base, 2
    queryset = model._default_manager.all()
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    while queryset.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


# --- Actors -----------------------------------------------------------------------------------


def actor_create(*, user: Any, reason: str, data: Mapping[str, Any]) -> Actor:
    require_perm(user, "tracker.add_actor")
    actor = Actor()
    assign(actor, data, editable=ACTOR_FIELDS)
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


def role_create(*, user: Any, reason: str, data: Mapping[str, Any]) -> Role:
    require_perm(user, "tracker.add_role")
    role = Role()
    assign(role, data, editable=ROLE_FIELDS)
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


def topic_create(*, user: Any, reason: str, data: Mapping[str, Any]) -> Topic:
    require_perm(user, "tracker.add_topic")
    topic = Topic()
    assign(topic, data, editable=TOPIC_FIELDS)
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
) -> Claim:
    """Create a draft claim with its topics and citations, as one change."""
    from sources.services import citation_create

    require_perm(user, "tracker.add_claim")
    with change_set():
        claim = Claim()
        assign(claim, data, editable=CLAIM_FIELDS)
        save_validated(claim, user=user, reason=reason, m2m={"topics": list(topics)})
        for index, citation in enumerate(citations):
            try:
                citation_create(user=user, reason=reason, claim=claim, data=citation)
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
    from positions.models import Position

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
            orphaned = Position.objects.filter(evidence=claim, status=EditorialStatus.PUBLISHED).exclude(
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
    from sources.services import citation_delete

    require_perm(user, "tracker.delete_claim")
    with change_set():
        claim = lock_current(claim, expected_version=expected_version)
        if claim.status == EditorialStatus.PUBLISHED:
            raise PermissionDenied("A published claim cannot be deleted; retract it instead.")
        if claim.positions.exists():
            raise ValidationError("This claim is evidence for positions; remove it from them first.")
        for citation in claim.citations.all():
            citation_delete(citation=citation, user=user, reason=reason, _claim_locked=True)
        delete_checked(claim, user=user, reason=reason)


# --- Partners and API keys ----------------------------------------------------------------------
# Keys are 32 random bytes, so one SHA-256 is enough to make a leaked table useless; a slow password
# hash would cost ~100 ms on every request for no gain in security.

API_KEY_PREFIX_LENGTH = 8


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def partner_create(*, name: str, contact_email: str = "") -> Partner:
    """A partner organisation and the account its keys act as (no password, no team role)."""
    from django.contrib.auth import get_user_model

    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "A partner needs a name."})
    slug = unique_slug(Partner, name)
    with transaction.atomic():
        user = get_user_model()(username=f"partner-{slug}"[:150], first_name=name[:150], is_staff=False)
        user.set_unusable_password()
        user.save()
        partner = Partner(name=name, slug=slug, contact_email=contact_email, user=user)
        partner.full_clean()
        partner.save()
    return partner


def apikey_create(
    *,
    name: str,
    scope: str,
    partner: Partner | None = None,
    user: Any = None,
    expires_at: datetime.datetime | None = None,
) -> tuple[APIKey, str]:
    """Create a key and return it with the full secret, which is not stored and cannot be shown again."""
    from django.contrib.auth.models import Group

    if (partner is None) == (user is None):
        raise ValidationError("A key belongs to either a partner or a team member.")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "The expiry must be in the future."})
    prefix = secrets.token_hex(API_KEY_PREFIX_LENGTH // 2)
    secret = f"tk_{prefix}_{secrets.token_urlsafe(32)}"
    key = APIKey(
        name=name or "API key",
        partner=partner,
        user=partner.user if partner else user,
        prefix=prefix,
        hashed_key=hash_api_key(secret),
        scope=scope,
        expires_at=expires_at,
    )
    key.full_clean()
    with transaction.atomic():
        key.save()
        if partner is not None and scope == APIKeyScope.SUBMIT:
            partner.user.groups.add(Group.objects.get(name=PARTNER_SUBMITTERS))
    return key, secret


def apikey_revoke(*, key: APIKey) -> APIKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def apikey_find(secret: str) -> APIKey | None:
    """The live key for `secret`, or None. Looked up by the hash, so timing reveals nothing of the secret."""
    if not secret.startswith("tk_") or len(secret) > 200:
        return None
    key = (
        APIKey.objects.select_related("user", "partner")
        .filter(hashed_key=hash_api_key(secret), revoked_at__isnull=True)
        .first()
    )
    if key is None or (key.expires_at is not None and key.expires_at <= timezone.now()):
        return None
    if key.partner_id and not key.partner.is_active:
        return None
    return key


LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def apikey_touch(key: APIKey) -> None:
    """Record use at most once a minute, so reading does not turn every request into a write."""
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        APIKey.objects.filter(pk=key.pk).update(last_used_at=now)  # not a tracked model
        key.last_used_at = now


# --- Patrolling (reviewing changes) -------------------------------------------------------------


@dataclass
class PatrolResult:
    marked: int
    refused: list[str]


def change_patrol(*, user: Any, entry_ids: Iterable[int]) -> PatrolResult:
    """Mark changes as reviewed by `user`. Already reviewed changes keep their first reviewer.

    With TRACKER_REQUIRE_SECOND_REVIEWER on, a reviewer cannot mark their own changes: another
    reviewer has to look at them.
    """
    from tracker.models import ChangeEntry

    require_perm(user, "tracker.patrol_history", "Only reviewers can mark changes as reviewed.")
    entry_ids = sorted({int(pk) for pk in entry_ids})
    if not entry_ids:
        raise ValidationError({"entries": "Select at least one change to mark as reviewed."})
    refused = []
    with transaction.atomic():
        pending = ChangeEntry.objects.select_for_update().filter(pk__in=entry_ids, patrolled_at__isnull=True)
        if settings.TRACKER_REQUIRE_SECOND_REVIEWER:
            own = list(pending.filter(user=user).values_list("object_repr", flat=True))
            refused = [f"“{name}”: your own change needs another reviewer." for name in own]
            pending = pending.exclude(user=user)
        # ChangeEntry is the review index, not a tracked record: a guarded bulk update is the safe write here.
        marked = ChangeEntry.objects.filter(pk__in=list(pending.values_list("pk", flat=True))).update(
            patrolled_by=user, patrolled_at=timezone.now()
        )
    return PatrolResult(marked=marked, refused=refused)
