"""Reading a pasted article for its suggestions, as a background job (core/jobs.py), not in the request.

"Start from an article" finds or adds the source in the request; when its text is not known yet, the
page is read here, in a worker, through the source check (the safe fetcher, robots.txt, the host's
politeness), which can take up to 20 s on a slow site. The job's page follows it and forwards to the
suggestions once there is text, or says in plain words why there is none.

A busy host (it was asked for a page a moment ago, by this tracker's checks or another reader) is waited
for inside the job, up to `MAX_HOST_WAIT_SECONDS`: the editor is watching a page that says "Running" and
expects the article to arrive, not to be sent back to press the button again for a pause of a second or
two. A host that asks for a longer pause (a crawl delay, a Retry-After) is not waited for, because that
would hold a worker for minutes; the page then says to try again.
"""

from __future__ import annotations

import time
from typing import Any

from django.urls import reverse

from core.jobs import Progress
from core.models import Job
from sources.checking import source_check
from sources.models import Source
from sources.politeness import HostBusy
from suggest.selectors import source_text

READ_JOB = "suggest-read-article"  # the job kind (registered in suggest/apps.py)
MAX_HOST_WAIT_SECONDS = 30.0
HOST_BUSY = "The site was asked for a page a moment ago; try again in a few seconds."


def has_text(source: Source) -> bool:
    return bool(source_text(source).strip())


def run_read_job(job: Job, progress: Progress) -> dict[str, Any]:
    """Read the job's source once unless its text is known; {"source_id", "has_text", "problem"}.

    A busy host is waited for up to MAX_HOST_WAIT_SECONDS, then reported (the module's docstring says why)."""
    source_id = job.payload["source_id"]
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        return {"source_id": source_id, "has_text": False, "problem": "The source was deleted before it was read."}
    problem = "" if has_text(source) else _read(source)
    return {"source_id": source_id, "has_text": not problem, "problem": problem}


def _read(source: Source) -> str:
    """Check the source now, waiting for a host busy for a short while; what went wrong, or ""."""
    waited = 0.0
    while True:
        try:
            check = source_check(source_id=source.pk)
        except HostBusy as busy:
            if waited + busy.retry_in_seconds > MAX_HOST_WAIT_SECONDS:
                return HOST_BUSY
            time.sleep(busy.retry_in_seconds)
            waited += busy.retry_in_seconds
        else:
            break
    if has_text(source):
        return ""
    detail = f" ({check.get_outcome_display()}: {check.error})" if check is not None and check.error else ""
    return f"No article text could be read from this address{detail}."


def suggestions_of(job: Job) -> str | None:
    """The job's page forwards to the source's suggestions once its text was read."""
    return reverse("suggest:source-suggestions", args=[job.result["source_id"]]) if job.result.get("has_text") else None
