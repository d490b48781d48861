"""Writes of the push app: follows, notifications and their preferences, webhook endpoints.

These rows are not tracked records (push/models.py says why), so the services are plain atomic
functions that validate with `full_clean()`; the database constraints back the rules up.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.models import FeedSequence, Partner
from push.choices import DeliveryStatus, EmailMode, EventKind, FollowKind, FollowReason
from push.models import Follow, Notification, NotificationPreference, WebhookDelivery, WebhookEndpoint
from push.webhooks.sending import check_url
from push.webhooks.signing import new_secret, secret_problem

UNSUBSCRIBE_SALT = "push.unsubscribe"
EVENT_OPS = ("upsert", "delete")
TEAM_PERMISSION = "tracker.view_claim"

# --- Watchlists ------------------------------------------------------------------------------------


def follow_add(*, user: Any, kind: str, object_id: int, reason: str = FollowReason.CHOSEN) -> Follow:
    """Follow a record (again: a second follow is a no-op that keeps the first)."""
    if kind not in FollowKind.values:
        raise ValidationError({"kind": f"Cannot follow a {kind!r}."})
    if not user.has_perm(TEAM_PERMISSION):
        raise PermissionDenied("Only team members follow records.")
    with transaction.atomic():
        follow, _created = Follow.objects.get_or_create(
            user=user, kind=kind, object_id=object_id, defaults={"reason": reason}
        )
    return follow


def follow_remove(*, user: Any, kind: str, object_id: int) -> bool:
    deleted, _ = Follow.objects.filter(user=user, kind=kind, object_id=object_id).delete()
    return bool(deleted)


# --- Notifications ---------------------------------------------------------------------------------


def notify(
    *,
    user_ids: Iterable[int],
    kind: str,
    event_key: str,
    title: str,
    body: str = "",
    url: str = "",
    actor_id: int | None = None,
) -> int:
    """Notify each user once of one event, in the caller's transaction; mail the ones who want every
    event once it commits. Returns how many notifications this call added (0 for a repeated event)."""
    user_ids = sorted(set(user_ids) - {actor_id})
    if not user_ids:
        return 0
    with transaction.atomic():
        known = set(
            Notification.objects.filter(event_key=event_key, user_id__in=user_ids).values_list("user_id", flat=True)
        )
        rows = [
            Notification(
                user_id=user_id,
                kind=kind,
                event_key=event_key,
                title=title[:300],
                body=body,
                url=url[:500],
                actor_id=actor_id,
            )
            for user_id in user_ids
            if user_id not in known
        ]
        # The unique constraint settles a race between two processings of the same event.
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        if rows:
            _mail_after_commit(event_key)
    return len(rows)


def _mail_after_commit(event_key: str) -> None:
    def send() -> None:
        from push.tasks import send_event_emails

        send_event_emails.delay(event_key)

    transaction.on_commit(send, robust=True)


def notification_mark_read(*, user: Any, notification_id: int) -> bool:
    updated = Notification.objects.filter(pk=notification_id, user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return bool(updated)


def notification_mark_all_read(*, user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def preference_for(user: Any) -> NotificationPreference:
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)


def preference_set(*, user: Any, email_mode: str) -> NotificationPreference:
    with transaction.atomic():
        preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        preference.email_mode = email_mode
        preference.full_clean()
        preference.save()
    return preference


def unsubscribe_token(user: Any) -> str:
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_user(token: str) -> Any | None:
    """The user a signed unsubscribe token names, or None for a forged or damaged one."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()


def unsubscribe(*, token: str) -> Any | None:
    """Stop all notification email for the user the token names (one click, no login)."""
    user = unsubscribe_user(token)
    if user is not None:
        preference_set(user=user, email_mode=EmailMode.OFF)
    return user


# --- Webhook endpoints ------------------------------------------------------------------------------


def event_types() -> list[str]:
    """Every event type an endpoint may ask for: `<resource>.upsert` and `<resource>.delete`."""
    from core.api.feed import partner_resources

    return [f"{resource}.{op}" for resource in partner_resources() for op in EVENT_OPS]


def endpoint_validate(endpoint: WebhookEndpoint) -> None:
    """Refuse a URL that may not receive webhooks, unknown event types and a malformed secret."""
    errors: dict[str, str] = {}
    if not isinstance(endpoint.event_types, list) or not all(isinstance(t, str) for t in endpoint.event_types):
        errors["event_types"] = "Give a list of event types."
    else:
        unknown = sorted(set(endpoint.event_types) - set(event_types()))
        if unknown:
            errors["event_types"] = f"Unknown event types: {', '.join(unknown)}."
        endpoint.event_types = sorted(set(endpoint.event_types))
    problem = secret_problem(endpoint.secret)
    if problem:
        errors["secret"] = problem
    if not errors.get("url"):
        problem = check_url(endpoint.url)
        if problem:
            errors["url"] = problem
    try:
        endpoint.full_clean(exclude=["cursor"])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, " ".join(messages))
    if errors:
        raise ValidationError(errors)


def _last_seq() -> int:
    return FeedSequence.objects.values_list("last_seq", flat=True).first() or 0


def webhook_endpoint_create(
    *,
    partner: Partner,
    url: str,
    event_types: list[str] | None = None,
    description: str = "",
    secret: str = "",
    after: int | None = None,
) -> WebhookEndpoint:
    """Register an endpoint. It receives the events numbered after `after` (default: from now on)."""
    endpoint = WebhookEndpoint(
        partner=partner,
        url=url,
        description=description,
        event_types=list(event_types or []),
        secret=secret or new_secret(),
        cursor=_last_seq() if after is None else after,
    )
    endpoint_validate(endpoint)
    with transaction.atomic():
        endpoint.save()
        _fan_out_after_commit()
    return endpoint


def webhook_endpoint_update(*, endpoint: WebhookEndpoint, data: Mapping[str, Any]) -> WebhookEndpoint:
    """Change url, description, event types, secret or `is_active`. Re-enabling resumes at the event
    that failed, with a fresh three days of retries; events since then follow in order."""
    allowed = {"url", "description", "event_types", "secret", "is_active"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError({name: "This field cannot be changed." for name in unknown})
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        enabling = data.get("is_active") is True and not endpoint.is_active
        for name, value in data.items():
            setattr(endpoint, name, value)
        endpoint_validate(endpoint)
        if enabling:
            endpoint.disabled_at = None
            endpoint.disabled_reason = ""
            WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.FAILED).update(
                status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), first_attempted_at=None
            )
        elif data.get("is_active") is False and endpoint.disabled_at is None:
            endpoint.disabled_at = timezone.now()
            endpoint.disabled_reason = "Disabled by the partner."
        endpoint.save()
        if endpoint.is_active:
            _fan_out_after_commit()
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


def webhook_endpoint_replay(*, endpoint: WebhookEndpoint, after: int) -> WebhookEndpoint:
    """Send again every event numbered after `after` (a feed cursor), in order, as a new round with
    fresh `webhook-id`s. Deliveries still pending from before are superseded (they are in the replay)."""
    if after < 0:
        raise ValidationError({"after": "Give a feed cursor (0 or more)."})
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if not endpoint.is_active:
            raise ValidationError({"is_active": "Enable the endpoint before replaying to it."})
        WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SUPERSEDED, next_attempt_at=None
        )
        endpoint.replay_round += 1
        endpoint.cursor = min(after, _last_seq())
        endpoint.save(update_fields=["replay_round", "cursor", "updated_at"])
        _fan_out_after_commit()
    return endpoint


def webhook_endpoint_disable(*, endpoint: WebhookEndpoint, reason: str) -> WebhookEndpoint:
    """Stop sending to an endpoint that keeps failing; tell the partner (email, if it gave an address,
    and the endpoint's `disabled_reason` in the API) and the team (a notification to reviewers)."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().select_related("partner").get(pk=endpoint.pk)
        if not endpoint.is_active:
            return endpoint
        endpoint.is_active = False
        endpoint.disabled_at = timezone.now()
        endpoint.disabled_reason = reason
        endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason", "updated_at"])

        def tell_partner() -> None:
            from push.tasks import send_endpoint_disabled_notice

            send_endpoint_disabled_notice.delay(endpoint.pk)

        transaction.on_commit(tell_partner, robust=True)
    return endpoint


def _fan_out_after_commit() -> None:
    def send() -> None:
        from push.tasks import fan_out

        fan_out.delay()

    transaction.on_commit(send, robust=True)


def mark_emailed(notification_ids: Iterable[int], *, at: datetime.datetime | None = None) -> int:
    return Notification.objects.filter(pk__in=list(notification_ids), emailed_at__isnull=True).update(
        emailed_at=at or timezone.now()
    )


__all__ = [
    "EventKind",
    "event_types",
    "follow_add",
    "follow_remove",
    "notification_mark_all_read",
    "notification_mark_read",
    "notify",
    "preference_for",
    "preference_set",
    "unsubscribe",
    "unsubscribe_token",
    "webhook_endpoint_create",
    "webhook_endpoint_delete",
    "webhook_endpoint_disable",
    "webhook_endpoint_replay",
    "webhook_endpoint_update",
]
