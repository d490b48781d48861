"""Coalesced task messages: at most one queued and not yet started per kind of catch-up work.

Some tasks do everything pending when they run, whoever asked: numbering the changes feed
(core.tasks.feed_sequence), fanning feed events out to webhook endpoints (push.tasks.fan_out). Every
committed write asks for one, so a burst of writes would queue a message each, and the queue would
hold hundreds of runs that find nothing to do in front of the work behind them. `queue_once` sends a
message only when no message for that work is waiting; the task calls `started` first thing.

Why no request is lost. The task clears the flag *before* it reads what is pending. A writer that
finds the flag set committed its rows before it looked, hence before the clear, hence before the
queued task's read: that task sees them. The flag expires (`expires`), so a message lost after the
flag was set (the broker down, a worker killed before the task started) holds back the next one for
at most that long; beat's periodic run of the same task is the safety net either way. With the cache
unreachable every request queues its message, as before coalescing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.cache import cache

from core.middleware import CACHE_ERRORS

logger = logging.getLogger(__name__)

QUEUED_FLAG_SECONDS = 10


def queue_once(key: str, send: Callable[[], object], *, expires: float = QUEUED_FLAG_SECONDS) -> bool:
    """Call `send` (queue the task) unless a message for `key` is queued and not started yet.

    `send` returns something true when the broker took the message (an AsyncResult does). Returns
    whether it did. When it did not, or raised (propagated), the flag is cleared again: nothing is
    waiting, so the next request must queue."""
    try:
        if not cache.add(key, 1, timeout=expires):
            return False
    except CACHE_ERRORS:
        logger.warning("Cache unreachable; queueing %s without coalescing", key, exc_info=True)
    sent = False
    try:
        sent = bool(send())
    finally:
        if not sent:
            started(key)
    return sent


def started(key: str) -> None:
    """The task for `key` has started: the next request queues a new message."""
    try:
        cache.delete(key)
    except CACHE_ERRORS:
        logger.warning("Cache unreachable; could not clear %s (it expires by itself)", key, exc_info=True)
