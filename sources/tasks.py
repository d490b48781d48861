"""Celery tasks for source checks. Thin: they take ids, call sources.checking, and retry.

Reliability (docs/design.md, "Source checks"):
- `acks_late` + `reject_on_worker_lost`: a worker killed mid-check leaves the message unacknowledged,
  so the check runs again; `SourceCheck.task_id` makes a second run of a finished check a no-op.
- A check that keeps killing its worker would be redelivered forever; `record_delivery` counts starts
  and after SOURCE_CHECK_MAX_DELIVERIES the task records an "abandoned" check and stops.
- Retries wait at most SOURCE_CHECK_MAX_RETRY_COUNTDOWN, kept (by the settings' own check) below the
  broker's visibility timeout, so a waiting retry is never redelivered as if its worker had died.
"""

from __future__ import annotations

import datetime
import logging
import random

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q
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


def enqueue_check(source_id: int) -> None:
    """Queue a check of one source once the current transaction commits (now, outside one).

    One check per source per transaction: the seed loader adds 15 citations of one article in one
    transaction. `robust`: a broker that is down must not turn a committed edit into an error page;
    the source is then checked when it next comes due.
    """
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        getattr(callback, "source_check_id", None) == source_id for _sids, callback, _robust in connection.run_on_commit
    ):
        return

    def send() -> None:
        check_source.delay(source_id)

    send.source_check_id = source_id  # type: ignore[attr-defined]
    transaction.on_commit(send, robust=True)


def due_sources_query(now: datetime.datetime):
    """Sources whose next check is due; never-checked sources are due at once."""
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
    lease = datetime.timedelta(seconds=2 * settings.CELERY_BROKER_VISIBILITY_TIMEOUT)
    sources = list(
        due_sources_query(now)
        .order_by("next_check_at", "pk")
        .select_for_update(skip_locked=True)
        .only("pk", "next_check_at")[:limit]
    )
    for source in sources:
        source.next_check_at = now + lease
        save_bookkeeping(source, fields=["next_check_at"])
    return [source.pk for source in sources]


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def dispatch_due_sources() -> int:
    """Beat task: queue a check for every due source (at most one batch per run)."""
    with transaction.atomic():
        ids = book_due_sources()
        for source_id in ids:
            enqueue_check(source_id)
    if ids:
        logger.info("Queued %s source checks", len(ids))
    return len(ids)
