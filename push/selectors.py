"""Reads of the push app: unread counts, a person's notifications and watchlist, a partner's endpoints."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from positions.models import Position
from push.choices import FollowKind
from push.models import Follow, Notification, WebhookDelivery, WebhookEndpoint
from sources.models import Source
from tracker.models import Actor, Claim, Topic

MODELS = {
    FollowKind.ACTOR: Actor,
    FollowKind.TOPIC: Topic,
    FollowKind.CLAIM: Claim,
    FollowKind.SOURCE: Source,
    FollowKind.POSITION: Position,
}


def unread_count(user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_for(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.filter(user=user).select_related("actor")
    return notifications.filter(read_at__isnull=True) if unread_only else notifications


def follow_of(user: Any, kind: str, object_id: int) -> Follow | None:
    return Follow.objects.filter(user=user, kind=kind, object_id=object_id).first()


def record_exists(kind: str, object_id: int) -> bool:
    model = MODELS.get(kind)  # type: ignore[call-overload]
    return model is not None and model.objects.filter(pk=object_id).exists()


def watchlist(user: Any) -> list[tuple[Follow, Any]]:
    """The user's follows with the records they name (a deleted record shows as None)."""
    follows = list(Follow.objects.filter(user=user).order_by("kind", "-created_at"))
    records: dict[tuple[str, int], Any] = {}
    for kind, model in MODELS.items():
        ids = [f.object_id for f in follows if f.kind == kind]
        if ids:
            for pk, obj in model.objects.in_bulk(ids).items():
                records[(kind, pk)] = obj
    return [(follow, records.get((follow.kind, follow.object_id))) for follow in follows]


def endpoints_of(partner_id: int) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(partner_id=partner_id).select_related("partner")


def deliveries_of(endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint=endpoint).prefetch_related("attempt_log")
