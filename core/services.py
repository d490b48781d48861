"""Writes the kernel owns: partners and their API keys, and marking changes as reviewed."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.choices import APIKeyScope
from core.editing import require_perm, unique_slug
from core.models import APIKey, ChangeEntry, Partner
from core.roles import PARTNER_SUBMITTERS

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


MAX_PATROL_BATCH = 500


def change_patrol(*, user: Any, entry_ids: Iterable[int]) -> PatrolResult:
    """Mark changes as reviewed by `user`. Already reviewed changes keep their first reviewer.

    With TRACKER_REQUIRE_SECOND_REVIEWER on, a reviewer cannot mark their own changes: another
    reviewer has to look at them.
    """
    require_perm(user, "core.patrol_history", "Only reviewers can mark changes as reviewed.")
    entry_ids = sorted({int(pk) for pk in entry_ids})
    if not entry_ids:
        raise ValidationError({"entries": "Select at least one change to mark as reviewed."})
    if len(entry_ids) > MAX_PATROL_BATCH:
        raise ValidationError({"entries": f"Mark at most {MAX_PATROL_BATCH} changes at once (the longest page)."})
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
