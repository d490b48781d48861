"""Celery tasks of the push app. Thin: ids in, the work is in push.webhooks and push.emails.

Guarantees (as the source checks have them; docs/design.md, "Push"):
- `acks_late` + `reject_on_worker_lost`: a worker killed mid-task leaves its message to be redelivered.
- The database decides what is due: deliveries are rows with `next_attempt_at`, endpoints have a
  feed cursor; messages are nudges, and `dispatch_webhooks` on beat repairs any that were lost.
- Idempotent per event and recipient: one delivery per (endpoint, event, replay round) and one
  notification per (user, event), by unique constraints; a chain per endpoint by a lease.
- Time limits stay below the broker's visibility timeout (checked in settings for the defaults).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.signals import task_postrun

from core import nudges
from push import conf, emails
from push.models import WebhookEndpoint
from push.webhooks import delivering, fanout

logger = logging.getLogger(__name__)

FEED_SEQUENCE_TASK = "core.tasks.feed_sequence"


def _eager() -> bool:
    return bool(deliver_endpoint.app.conf.task_always_eager)


def _send(task: Any, *args: Any, countdown: float | None = None) -> bool:
    """Queue a nudge; a broker that is down only delays the work (beat's dispatcher repairs it)."""
    try:
        task.apply_async(args=args, countdown=countdown)
    except Exception:  # whatever the broker raised (kombu, redis, socket)
        logger.warning("Could not queue %s%s; the dispatcher will pick it up", task.name, args, exc_info=True)
        return False
    return True


FAN_OUT_QUEUED_KEY = "push:fan-out-queued"


def queue_fan_out() -> None:
    """Queue one fan-out, unless one is queued and not started yet (it will see these events too):
    every tracked write's sequencing would otherwise queue its own (core/nudges.py)."""
    nudges.queue_once(FAN_OUT_QUEUED_KEY, lambda: _send(fan_out))


@shared_task(name="push.tasks.fan_out", acks_late=True, reject_on_worker_lost=True, soft_time_limit=60, time_limit=90)
def fan_out() -> int:
    """Turn new feed events into deliveries for every endpoint behind the feed; start their chains.

    An endpoint whose chain is running gets no new task: the chain reads its pending deliveries until
    none is left, and looks once more after letting go of the endpoint (deliver_endpoint)."""
    nudges.started(FAN_OUT_QUEUED_KEY)
    renders = fanout.RenderCache()
    written, more = 0, False
    for endpoint_ids in fanout.endpoints_behind():
        counts, left = fanout.fan_out_endpoints(endpoint_ids, cache=renders)
        written += sum(counts.values())
        more = more or left
        running = delivering.chains_running([pk for pk, count in counts.items() if count])
        for endpoint_id, count in counts.items():
            if count and endpoint_id not in running:
                _send(deliver_endpoint, endpoint_id)
    if more:
        queue_fan_out()
    return written


def _chain_limits() -> tuple[float, float]:
    soft = conf.number("WEBHOOK_CHAIN_SECONDS") + conf.number("WEBHOOK_TIMEOUT_SECONDS") + 10
    return soft, soft + 20


@shared_task(
    name="push.tasks.deliver_endpoint",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=_chain_limits()[0],
    time_limit=_chain_limits()[1],
)
def deliver_endpoint(endpoint_id: int) -> int:
    """Send one endpoint's due deliveries in order (push.webhooks.delivering)."""
    result = delivering.deliver_chain(endpoint_id)
    # Deliveries written while the chain was letting go of the endpoint were left to it by the fan-out:
    # look once more now that the lease is free.
    while not result.busy and not result.more and result.wait_seconds is None and delivering.has_due(endpoint_id):
        sent = result.sent
        result = delivering.deliver_chain(endpoint_id)
        result.sent += sent
    if result.more:
        _send(deliver_endpoint, endpoint_id)
    elif result.wait_seconds is not None and not _eager():
        # A short wait is a countdown; a longer one is left to the dispatcher, so no message waits in
        # a worker past the broker's visibility timeout (it would be redelivered as if lost).
        if result.wait_seconds <= conf.number("WEBHOOK_MAX_COUNTDOWN_SECONDS"):
            _send(deliver_endpoint, endpoint_id, countdown=max(result.wait_seconds, 0.05))
    return result.sent


@shared_task(name="push.tasks.dispatch_webhooks", acks_late=True, soft_time_limit=60, time_limit=90)
def dispatch_webhooks() -> int:
    """Beat: fan out what the feed numbered, and start a chain for every endpoint whose head is due."""
    fan_out()
    due = delivering.due_endpoints()
    for endpoint_id in due:
        _send(deliver_endpoint, endpoint_id)
    return len(due)


@task_postrun.connect
def _fan_out_after_sequencing(sender: Any = None, retval: Any = None, **kwargs: Any) -> None:
    """The feed's sequencer (a kernel task) just numbered events: hand them to the endpoints at once
    rather than at the next beat. A Celery signal, so the kernel names no app above it."""
    if getattr(sender, "name", None) == FEED_SEQUENCE_TASK and retval and WebhookEndpoint.objects.exists():
        queue_fan_out()


@shared_task(name="push.tasks.send_event_emails", acks_late=True, reject_on_worker_lost=True, max_retries=5, bind=True)
def send_event_emails(self, event_key: str) -> int:
    try:
        return emails.send_event_emails(event_key)
    except OSError as error:  # SMTP server unreachable or refusing: try again later
        raise self.retry(countdown=60 * 2**self.request.retries, exc=error) from None


@shared_task(name="push.tasks.send_digests", acks_late=True, soft_time_limit=600, time_limit=660)
def send_digests() -> int:
    """Beat (hourly): everyone on the daily digest whose last one is a day old gets the next."""
    sent = 0
    for user_id in emails.digest_recipients(emails.timezone.now()):
        try:
            sent += 1 if emails.send_digest(user_id) else 0
        except OSError:
            logger.warning("Could not mail the digest of user %s; the next run tries again", user_id, exc_info=True)
    return sent


@shared_task(name="push.tasks.send_endpoint_disabled_notice", acks_late=True, max_retries=5, bind=True)
def send_endpoint_disabled_notice(self, endpoint_id: int) -> bool:
    endpoint = WebhookEndpoint.objects.select_related("partner").filter(pk=endpoint_id).first()
    if endpoint is None:
        return False
    try:
        return emails.send_endpoint_disabled_notice(endpoint)
    except OSError as error:
        raise self.retry(countdown=60 * 2**self.request.retries, exc=error) from None
