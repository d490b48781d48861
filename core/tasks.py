"""Background work of the kernel: numbering the changes feed."""

from __future__ import annotations

from celery import shared_task

from core import nudges
from core.feed import SEQUENCE_QUEUED_KEY, sequence_feed
from core.jobs import job_run


@shared_task(name="core.tasks.feed_sequence", acks_late=True, ignore_result=True)
def feed_sequence() -> int:
    """Number the pending changes (queued after tracked writes commit, one message at a time, and by beat)."""
    nudges.started(SEQUENCE_QUEUED_KEY)  # first: a write committing from now on queues another run
    return sequence_feed()


# An import of 10,000 rows takes a few minutes; the limits stay below the broker's visibility timeout
# (1 h), so a running job is never handed to a second worker as if its worker had died.
@shared_task(name="core.tasks.run_job", acks_late=True, ignore_result=True, soft_time_limit=20 * 60, time_limit=25 * 60)
def run_job(job_id: int) -> None:
    """Run one background job (an import, the reading of a pasted article): see core/jobs.py."""
    job_run(job_id)
