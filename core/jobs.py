"""Long work as background jobs: a request starts a `Job`, a Celery worker runs it, the page follows it.

An app registers a runner per kind (`register("claim-import", runner)`, in its AppConfig.ready), and
optionally the page a successful job leads on to (`onward`: the job's page forwards there by itself).
`job_start` records the job and queues `core.tasks.run_job` once the request's transaction commits;
the worker marks it running, calls `runner(job, progress)` and stores what the runner returns (a
JSON-able dict) as the result, or the error. The runner's own writes are its business (an import is
one all-or-nothing change set); the job's bookkeeping is written in short transactions of its own.

Progress (`progress(done, total)`) goes to the cache, not the job row: the runner's transaction may
hold the work for a minute, and a row written inside it would be invisible until it commits. With
Redis (production) or the file cache (`make run`) a page in another process sees it live. Progress is
only a nicety: with the cache down the page shows the row's figures and the job runs on regardless.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from core.middleware import CACHE_ERRORS
from core.models import Job

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Runner = Callable[[Job, Progress], dict[str, Any]]
Onward = Callable[[Job], str | None]

_runners: dict[str, Runner] = {}
_onwards: dict[str, Onward] = {}
PROGRESS_EVERY_SECONDS = 0.5


def register(kind: str, runner: Runner, *, onward: Onward | None = None) -> None:
    """The runner of jobs of `kind` (registering again replaces it: ready() may run twice in tests), and
    `onward`: given a succeeded job, the address of the page its result leads to, or None to stay."""
    _runners[kind] = runner
    if onward is None:
        _onwards.pop(kind, None)
    else:
        _onwards[kind] = onward


def job_onward(job: Job) -> str | None:
    """Where a succeeded job's page forwards the user (its kind's `onward`), or None."""
    onward = _onwards.get(job.kind)
    return onward(job) if onward is not None and job.status == Job.Status.SUCCEEDED else None


def _progress_key(job_id: int) -> str:
    return f"job-progress:{job_id}"


def job_start(*, kind: str, user: Any, title: str, payload: dict[str, Any]) -> Job:
    """Record a job and queue it once the current transaction commits."""
    if kind not in _runners:
        raise LookupError(f"No job runner for {kind!r}.")
    job = Job.objects.create(kind=kind, user=user, title=title[:200], payload=payload)

    def send() -> None:
        from celery import current_app

        current_app.tasks["core.tasks.run_job"].delay(job.pk)  # by name: core.tasks imports this module

    transaction.on_commit(send, robust=True)
    return job


def job_progress(job: Job) -> tuple[int, int]:
    """(done, total) as the runner last reported it; the row's figures once it has finished."""
    if job.finished:
        return job.done, job.total
    try:
        reported = cache.get(_progress_key(job.pk))
    except CACHE_ERRORS as error:
        logger.warning("Job %s: progress unavailable, the cache is unreachable (%s)", job.pk, error)
        reported = None
    return reported or (job.done, job.total)


def job_run(job_id: int) -> Job | None:
    """Run a queued job (the Celery task calls this). A job already started is not run twice."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != Job.Status.QUEUED:
            return job
        job.status, job.started_at = Job.Status.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - last[0] >= PROGRESS_EVERY_SECONDS:
            last[0] = now
            job.done, job.total = done, total
            try:
                cache.set(_progress_key(job.pk), (done, total), timeout=24 * 3600)
            except CACHE_ERRORS as error:
                logger.warning("Job %s: progress not recorded, the cache is unreachable (%s)", job.pk, error)

    try:
        result = _runners[job.kind](job, progress)
    except Exception as error:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        job.status, job.error = Job.Status.FAILED, f"{type(error).__name__}: {error}"[:2000]
        job.result = {}
    else:
        job.status, job.result = Job.Status.SUCCEEDED, result
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "result", "error", "finished_at", "done", "total"])
    # With the cache down the key expires by itself; a finished job's page reads the row, never the cache.
    with contextlib.suppress(*CACHE_ERRORS):
        cache.delete(_progress_key(job.pk))
    return job
