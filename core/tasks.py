"""Background work of the kernel: numbering the changes feed."""

from __future__ import annotations

from celery import shared_task

from core.feed import sequence_feed


@shared_task(name="core.tasks.feed_sequence", acks_late=True, ignore_result=True)
def feed_sequence() -> int:
    """Number the pending changes (queued after every tracked write's commit, and by beat)."""
    return sequence_feed()
