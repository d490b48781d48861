"""Sending an endpoint's deliveries: in feed order, one chain per endpoint, retried for about three days.

**Order.** An endpoint's deliveries go strictly by sequence number: the oldest pending one (the head)
must succeed before the next is sent. A failing head waits (exponential back-off) and everything
behind it waits with it, so a receiver never sees event N+1 before N.

**One chain per endpoint.** A chain holds a lease on its endpoint row (a conditional UPDATE, atomic
on PostgreSQL and SQLite alike); a second task for the same endpoint finds the lease taken and
returns at once. A slow or dead endpoint therefore ties up one worker slot for at most one POST's
deadline per attempt, and its waits are countdowns or beat, never a sleeping worker: every other
endpoint's chain runs beside it. A chain sends for at most `WEBHOOK_CHAIN_SECONDS` and then hands
back to the queue, so a busy endpoint does not hold a slot forever.

**At least once, never lost.** The database decides what is due (`next_attempt_at`), not the
broker: a chain's countdown message is a nudge, and the dispatcher on beat starts a chain for every
endpoint whose head is due and whose lease is free. A worker killed mid-send leaves the lease to run
out (`lease_seconds()`) and the delivery pending: it is sent again, with the same `webhook-id`, so
the receiver can drop the duplicate. Attempts are recorded in short transactions after the POSTs,
never around them: a failure at once, successes in small batches (a crash before a batch is recorded
re-sends it, which at-least-once allows).

**Giving up.** A head still failing `WEBHOOK_GIVE_UP_AFTER_HOURS` (72) after its first attempt is
marked failed and the endpoint disabled, with a notice (push.services.webhook_endpoint_disable).
"""

from __future__ import annotations

import datetime
import random
import time
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from push import conf
from push.choices import DeliveryStatus
from push.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from push.webhooks.sending import PostResult, post
from push.webhooks.signing import body_of, signed_headers


def lease_seconds() -> float:
    """Longer than any chain can run (its budget plus one POST's deadline), so a live chain keeps it."""
    return conf.number("WEBHOOK_CHAIN_SECONDS") + conf.number("WEBHOOK_TIMEOUT_SECONDS") + 30


def backoff_seconds(attempts: int) -> float:
    """Wait after the `attempts`-th failure: base, doubling, capped, with ±10 % jitter."""
    base, cap = conf.number("WEBHOOK_RETRY_BASE_SECONDS"), conf.number("WEBHOOK_RETRY_MAX_SECONDS")
    wait = min(cap, base * 2 ** min(max(attempts - 1, 0), 40))
    return wait * random.uniform(0.9, 1.1)  # noqa: S311 - jitter, not security


def acquire(endpoint_id: int) -> str | None:
    """Take the endpoint's lease; None when another chain holds it (or the endpoint is disabled)."""
    now = timezone.now()
    token = uuid.uuid4().hex
    taken = (
        WebhookEndpoint.objects.filter(pk=endpoint_id, is_active=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + datetime.timedelta(seconds=lease_seconds()), lease_token=token)
    )
    return token if taken else None


def release(endpoint_id: int, token: str) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint_id, lease_token=token).update(lease_until=None, lease_token="")


@dataclass
class ChainResult:
    sent: int = 0
    busy: bool = False  # another chain holds the endpoint
    wait_seconds: float | None = None  # the head is not due yet: try again after this
    more: bool = False  # out of time with due deliveries left


# Deliveries read per query, and successes recorded per transaction (or per FLUSH_SECONDS): a chain
# costs a few queries per batch rather than five per event, so one worker keeps up with the feed.
BATCH = 50
FLUSH_EVERY = 25
FLUSH_SECONDS = 0.5


def deliver_chain(endpoint_id: int) -> ChainResult:
    """Send the endpoint's due deliveries in order until none is due, one fails, or time runs out."""
    token = acquire(endpoint_id)
    if token is None:
        return ChainResult(busy=True)
    result = ChainResult()
    stop_at = time.monotonic() + conf.number("WEBHOOK_CHAIN_SECONDS")
    successes: list[tuple[WebhookDelivery, datetime.datetime, PostResult]] = []
    try:
        while True:
            endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id, is_active=True).first()
            batch = list(
                WebhookDelivery.objects.filter(endpoint_id=endpoint_id, status=DeliveryStatus.PENDING).order_by(
                    "seq", "round"
                )[:BATCH]
            )
            if endpoint is None or not batch:
                return result
            flushed_at = time.monotonic()
            for delivery in batch:
                now = timezone.now()
                if delivery.next_attempt_at and delivery.next_attempt_at > now:
                    result.wait_seconds = (delivery.next_attempt_at - now).total_seconds()
                    return result
                if time.monotonic() >= stop_at:
                    result.more = True
                    return result
                answer = send(endpoint, delivery)
                if not answer.ok:
                    _record_successes(successes)
                    record_attempt(delivery_id=delivery.pk, attempted_at=now, answer=answer)
                    refreshed = WebhookDelivery.objects.filter(pk=delivery.pk).values_list("next_attempt_at", flat=True)
                    wait_until = refreshed.first()
                    if wait_until is not None:
                        result.wait_seconds = max((wait_until - timezone.now()).total_seconds(), 0.0)
                    return result
                successes.append((delivery, now, answer))
                result.sent += 1
                if len(successes) >= FLUSH_EVERY or time.monotonic() - flushed_at >= FLUSH_SECONDS:
                    _record_successes(successes)
                    flushed_at = time.monotonic()
            _record_successes(successes)
    finally:
        _record_successes(successes)
        release(endpoint_id, token)


def send(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> PostResult:
    """POST one delivery, signed; the same body and `webhook-id` on every attempt."""
    body = body_of(delivery.payload)
    headers = signed_headers(secret=endpoint.secret, message_id=delivery.message_id, body=body)
    return post(endpoint.url, body=body, headers=headers)


def _record_successes(successes: list[tuple[WebhookDelivery, datetime.datetime, PostResult]]) -> None:
    """Log the attempts that succeeded and mark their deliveries delivered, in one transaction.

    A crash before this runs re-sends them (same `webhook-id`): at least once, never lost."""
    if not successes:
        return
    now = timezone.now()
    with transaction.atomic():
        WebhookAttempt.objects.bulk_create(
            WebhookAttempt(
                delivery=delivery,
                attempted_at=attempted_at,
                outcome=answer.outcome,
                status_code=answer.status_code,
                elapsed_ms=answer.elapsed_ms,
                response_excerpt=answer.response_excerpt,
            )
            for delivery, attempted_at, answer in successes
        )
        by_status: dict[int | None, list[int]] = {}
        for delivery, _at, answer in successes:
            by_status.setdefault(answer.status_code, []).append(delivery.pk)
        for status_code, ids in by_status.items():
            # Only still-pending rows: one superseded by a replay meanwhile keeps its status.
            WebhookDelivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(
                status=DeliveryStatus.DELIVERED,
                attempts=F("attempts") + 1,
                first_attempted_at=Coalesce("first_attempted_at", Value(successes[0][1])),
                last_attempted_at=now,
                delivered_at=now,
                next_attempt_at=None,
                last_status_code=status_code,
                last_error="",
            )
    successes.clear()


def record_attempt(*, delivery_id: int, attempted_at: datetime.datetime, answer: PostResult) -> WebhookDelivery | None:
    """Log the attempt and move the delivery on: delivered, retry later, or give up and disable."""
    from push.services import webhook_endpoint_disable

    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            return None
        WebhookAttempt.objects.create(
            delivery=delivery,
            attempted_at=attempted_at,
            outcome=answer.outcome,
            status_code=answer.status_code,
            elapsed_ms=answer.elapsed_ms,
            error=answer.error[:2000],
            response_excerpt=answer.response_excerpt,
        )
        if delivery.status != DeliveryStatus.PENDING:
            return delivery  # superseded by a replay while it was in flight: only the attempt is logged
        now = timezone.now()
        delivery.attempts += 1
        delivery.first_attempted_at = delivery.first_attempted_at or attempted_at
        delivery.last_attempted_at = attempted_at
        delivery.last_status_code = answer.status_code
        delivery.last_error = answer.error[:2000]
        if answer.ok:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
        else:
            give_up_after = datetime.timedelta(hours=conf.number("WEBHOOK_GIVE_UP_AFTER_HOURS"))
            if now - delivery.first_attempted_at >= give_up_after:
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt_at = None
            else:
                delivery.next_attempt_at = now + datetime.timedelta(seconds=backoff_seconds(delivery.attempts))
        delivery.save()
        if delivery.status == DeliveryStatus.FAILED:
            first = timezone.localtime(delivery.first_attempted_at)
            webhook_endpoint_disable(
                endpoint=delivery.endpoint,
                reason=(
                    f"Event {delivery.seq} ({delivery.event_type}) failed {delivery.attempts} times since "
                    f"{first:%Y-%m-%d %H:%M %Z}; the last attempt: {answer.error or answer.outcome}."
                ),
            )
    return delivery


def chains_running(endpoint_ids: list[int]) -> set[int]:
    """Those of the endpoints whose chain holds its lease."""
    if not endpoint_ids:
        return set()
    leased = WebhookEndpoint.objects.filter(pk__in=endpoint_ids, lease_until__gte=timezone.now())
    return set(leased.values_list("pk", flat=True))


def has_due(endpoint_id: int) -> bool:
    """Whether the endpoint's head is due now (an active endpoint)."""
    return endpoint_id in due_endpoints(only=endpoint_id)


def due_endpoints(now: datetime.datetime | None = None, *, only: int | None = None) -> list[int]:
    """Active endpoints whose head is due and whose lease is free: what the dispatcher starts."""
    now = now or timezone.now()
    endpoints = WebhookEndpoint.objects.filter(pk=only) if only is not None else WebhookEndpoint.objects.all()
    head_due_at = (
        WebhookDelivery.objects.filter(endpoint=OuterRef("pk"), status=DeliveryStatus.PENDING)
        .order_by("seq", "round")
        .values("next_attempt_at")[:1]
    )
    return list(
        endpoints.filter(is_active=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .annotate(head_due_at=Subquery(head_due_at))
        .filter(head_due_at__lte=now)
        .values_list("pk", flat=True)
    )
