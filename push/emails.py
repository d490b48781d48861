"""Notification email: one message per notification, or one daily digest, as each person prefers.

Sent with Django's email (SMTP settings from the environment; the console backend under `make run`).
Every message carries a one-click unsubscribe link (RFC 8058 `List-Unsubscribe-Post`), signed with
django.core.signing, so it works without logging in and cannot be forged for someone else.
A notification is marked emailed in the transaction that sends it; a crash between the SMTP answer
and the commit sends it again (at least once, like the webhooks).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from push.choices import EmailMode
from push.models import Notification, NotificationPreference
from push.services import mark_emailed, unsubscribe_token

DIGEST_EVERY = datetime.timedelta(hours=23)  # daily, with an hour of slack for beat's timing


def site_url(path: str) -> str:
    return settings.SITE_URL + path


def _message(user: Any, subject: str, template: str, context: dict[str, Any], connection: Any) -> EmailMessage:
    unsubscribe = site_url(reverse("push:unsubscribe", args=[unsubscribe_token(user)]))
    body = render_to_string(
        template, {**context, "user": user, "unsubscribe_url": unsubscribe, "site_url": site_url("")}
    )
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        connection=connection,
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def send_event_emails(event_key: str) -> int:
    """Mail one event's notifications to the people who want every event by email."""
    immediate = NotificationPreference.objects.filter(email_mode=EmailMode.IMMEDIATE).values("user_id")
    sent = 0
    with transaction.atomic():
        notifications = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .filter(event_key=event_key, emailed_at__isnull=True, user_id__in=immediate)
            .exclude(user__email="")
        )
        if not notifications:
            return 0
        with get_connection() as connection:
            for notification in notifications:
                subject = f"[Tracker] {notification.title}"[:250]
                _message(
                    notification.user,
                    subject,
                    "push/email/notification.txt",
                    {"notification": notification, "link": site_url(notification.url)},
                    connection,
                ).send()
                sent += 1
        mark_emailed(n.pk for n in notifications)
    return sent


def digest_recipients(now: datetime.datetime) -> list[int]:
    """People on the daily digest (the default) with something unmailed and no digest in the last day."""
    not_digest = NotificationPreference.objects.filter(~Q(email_mode=EmailMode.DIGEST)).values("user_id")
    recent = NotificationPreference.objects.filter(last_digest_at__gt=now - DIGEST_EVERY).values("user_id")
    return list(
        get_user_model()
        .objects.filter(is_active=True, notifications__emailed_at__isnull=True)
        .exclude(email="")
        .exclude(pk__in=not_digest)
        .exclude(pk__in=recent)
        .values_list("pk", flat=True)
        .distinct()
    )


def send_digest(user_id: int, *, now: datetime.datetime | None = None) -> int:
    """Mail one person their unmailed notifications in one message; returns how many it lists."""
    now = now or timezone.now()
    with transaction.atomic():
        preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user_id=user_id)
        if preference.email_mode != EmailMode.DIGEST:
            return 0
        if preference.last_digest_at and preference.last_digest_at > now - DIGEST_EVERY:
            return 0  # another run sent today's digest
        notifications: Sequence[Notification] = list(
            Notification.objects.filter(user_id=user_id, emailed_at__isnull=True).order_by("created_at", "id")
        )
        if not notifications:
            return 0
        user = preference.user
        items = [{"notification": n, "link": site_url(n.url)} for n in notifications]
        count = len(notifications)
        subject = f"[Tracker] Your daily digest: {count} notification{'s' if count != 1 else ''}"
        with get_connection() as connection:
            _message(user, subject, "push/email/digest.txt", {"items": items, "count": count}, connection).send()
        mark_emailed((n.pk for n in notifications), at=now)
        preference.last_digest_at = now
        preference.save(update_fields=["last_digest_at", "updated_at"])
    return count


def send_endpoint_disabled_notice(endpoint: Any) -> bool:
    """Tell the partner, at its contact address, that an endpoint was disabled and why."""
    partner = endpoint.partner
    if not partner.contact_email:
        return False
    body = render_to_string("push/email/endpoint_disabled.txt", {"endpoint": endpoint, "partner": partner})
    EmailMessage(
        subject=f"[Tracker] Webhook endpoint disabled: {endpoint.url}"[:250],
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[partner.contact_email],
    ).send()
    return True
