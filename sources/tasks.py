"""Celery tasks for source checks. Thin: they take ids, call sources.checking, and retry.

Reliability (docs/design.md, "Source checks"):
- `acks_late` + `reject_on_worker_lost`: a worker killed mid-check leaves the message unacknowledged,
  so the check runs again; `SourceCheck.task_id` makes a second run of a finished check a no-op.
- A check that keeps killing its worker would be redelivered forever; `record_delivery` counts starts
  and after SOURCE_CHECK_MAX_DELIVERIES the task records an "abandoned" check and stops.
- Retries wait at most SOURCE_CHECK_MAX_RETRY_COUNTDOWN, kept (by the settings' own check) below the
  broker's visibility timeout, so a waiting retry is never redelivered as if its worker had died.
- The database decides what is due, not the broker: asking for a check marks the source due in the
  asking transaction (`enqueue_check`), the message sent on commit is only a nudge, and the dispatcher
  on beat picks up every due source, so a message lost while Redis was down only delays the check.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import random

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone

from core.history import save_bookkeeping
from sources import checking
from sources.models import Source
from sources.politeness import HostBusy, backoff_seconds

logger = logging.getLogger(__name__)

MAX_RETRIES = 8


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def check_source(self, source_id: int) -> str | None:
    task_id = self.request.id
    if task_id:
        deliveries = checking.record_delivery(task_id=task_id, retries=self.request.retries, source_id=source_id)
        if deliveries > settings.SOURCE_CHECK_MAX_DELIVERIES:
            logger.error("Check of source %s delivered %s times; giving up", source_id, deliveries)
            check = checking.source_check_abandon(
                source_id=source_id,
                task_id=task_id,
                reason=f"Started {deliveries - 1} times without finishing (the worker died each time); gave up.",
            )
            return check.outcome if check else None
    try:
        check = checking.source_check(source_id=source_id, task_id=task_id)
    except HostBusy as busy:
        countdown = busy.retry_in_seconds + random.uniform(0, 1)  # noqa: S311 - jitter, not security
        if countdown > settings.SOURCE_CHECK_MAX_RETRY_COUNTDOWN or self.request.retries >= MAX_RETRIES:
            checking.source_check_defer(
                source_id=source_id, until=timezone.now() + datetime.timedelta(seconds=countdown)
            )
            return None
        raise self.retry(countdown=countdown, exc=busy) from None
    except DatabaseError as error:
        countdown = backoff_seconds(self.request.retries, base=5, cap=settings.SOURCE_CHECK_MAX_RETRY_COUNTDOWN)
        raise self.retry(countdown=countdown, exc=error) from None
    return check.outcome if check else None


def check_lease() -> datetime.timedelta:
    """How long a source handed to a worker stays booked: a lost message makes it due again after this."""
    return datetime.timedelta(seconds=2 * settings.CELERY_BROKER_VISIBILITY_TIMEOUT)


@dataclasses.dataclass
class CheckRequest:
    """A check asked for: the source is due since `requested_at`; `sent` says whether a worker was
    nudged (None until the asking transaction commits)."""

    source_id: int
    requested_at: datetime.datetime
    sent: bool | None = None


def send_check(source_id: int) -> bool:
    """Hand a check to the broker; False, with a log line, when it cannot be reached."""
    try:
        check_source.delay(source_id)
    except Exception:  # whatever the broker raised (kombu, redis, socket): the source stays due in the database
        logger.warning("Could not queue a check of source %s; the dispatcher will pick it up", source_id, exc_info=True)
        return False
    return True


def enqueue_check(source_id: int) -> CheckRequest | None:
    """Ask for a check of one source: mark it due in the current transaction, nudge a worker on commit.

    The nudge is an optimisation: if the broker is down the source stays due and the dispatcher
    queues it at its next run once the broker is back. One nudge per source per transaction (the seed
    loader adds 15 citations of one article in one transaction). None when there is nothing to check.
    Outside a transaction the nudge is sent before this returns, so `sent` tells the caller the truth.
    """
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        for _sids, callback, _robust in connection.run_on_commit:
            asked = getattr(callback, "check_request", None)
            if asked is not None and asked.source_id == source_id:
                return asked
    due = checking.source_check_request(source_id=source_id, burst=datetime.timedelta(seconds=BURST_SECONDS))
    if due is None:
        return None
    if due.folded:
        return CheckRequest(source_id=source_id, requested_at=due.requested_at, sent=True)
    requested_at = due.requested_at
    asked = CheckRequest(source_id=source_id, requested_at=requested_at)

    def nudge() -> None:
        asked.sent = send_check(source_id)
        if asked.sent:
            # A worker has it: book the source as the dispatcher would, so the dispatcher does not queue
            # a second check before this one is recorded. Only if nothing changed it since: the check
            # may be done already (a fast worker; eager in tests).
            Source.objects.filter(pk=source_id, check_requested_at=requested_at, next_check_at=requested_at).update(
                next_check_at=timezone.now() + check_lease()
            )

    nudge.source_check_id = source_id  # type: ignore[attr-defined]
    nudge.check_request = asked  # type: ignore[attr-defined]
    transaction.on_commit(nudge, robust=True)
    return asked


# A burst of edits (four citations of one new URL saved one after the other) asks for one check.
BURST_SECONDS = 60


def due_sources_query(now: datetime.datetime):
    """Sources whose next check is due (asked-for checks are due since they were asked for);
    never-checked sources are due at once."""
    checkable = ~Q(url="") | ~Q(stored_text="")
    return Source.objects.filter(checkable).filter(
        Q(next_check_at__lte=now) | Q(next_check_at__isnull=True, last_checked_at__isnull=True)
    )


def book_due_sources(*, now: datetime.datetime | None = None, limit: int | None = None) -> list[int]:
    """Claim due sources for checking: lock them, push their next check past the lease, return ids.

    On PostgreSQL `FOR UPDATE SKIP LOCKED` lets two dispatchers run at once without booking the
    same source: each skips the rows the other holds, and a booked row is no longer due once it
    commits. SQLite has no row locks; it serialises the two transactions instead.
    Call inside a transaction; queue the checks with `transaction.on_commit`.
    """
    now = now or timezone.now()
    limit = limit or settings.SOURCE_CHECK_DISPATCH_BATCH
    # A booked source whose task was lost (a broker without acks_late) comes due again after the lease.
    lease = check_lease()
    sources = list(
        due_sources_query(now)
        # What people asked for first, then the longest overdue.
        .order_by(F("check_requested_at").asc(nulls_last=True), "next_check_at", "pk")
        .select_for_update(skip_locked=True)
        .only("pk", "next_check_at")[:limit]
    )
    for source in sources:
        source.next_check_at = now + lease
        save_bookkeeping(source, fields=["next_check_at"])
    return [source.pk for source in sources]


@dataclasses.dataclass
class _Broker:
    down: bool = False


def _send_booked(source_id: int, *, booked_until: datetime.datetime, due_at: datetime.datetime, broker: _Broker):
    """On commit of the booking: send the check; if the broker cannot take it, make the source due again."""

    def send() -> None:
        # After one failure the rest of the batch is not tried: each try waits for the broker's timeout.
        if broker.down or not send_check(source_id):
            broker.down = True
            Source.objects.filter(pk=source_id, next_check_at=booked_until).update(next_check_at=due_at)

    send.source_check_id = source_id  # type: ignore[attr-defined]
    return send


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def dispatch_due_sources() -> int:
    """Beat task: book every due source (at most one batch per run) and queue its check; returns how many.

    A source whose message the broker refused is not left booked: it is due again at the next run.
    """
    now = timezone.now()
    broker = _Broker()
    with transaction.atomic():
        ids = book_due_sources(now=now)
        for source_id in ids:
            transaction.on_commit(
                _send_booked(source_id, booked_until=now + check_lease(), due_at=now, broker=broker), robust=True
            )
    if ids:
        logger.info("Booked %s source checks", len(ids))
    return len(ids)
