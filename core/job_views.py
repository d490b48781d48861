"""A background job's page: its progress while it runs, then its result (rendered by the app that owns
the kind, through the template it registered), or the page the result leads on to when the kind has one."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import select_template

from core.jobs import job_onward, job_progress
from core.models import Job
from core.web import team_required

# Seconds between reloads of a running job's page (a plain meta refresh: no JavaScript needed).
REFRESH_SECONDS = 2


@team_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(Job, pk=pk)
    if job.user_id != request.user.pk and not request.user.is_superuser:
        raise PermissionDenied("This is someone else's job.")
    done, total = job_progress(job)
    result_template = select_template([f"jobs/{job.kind}.html", "jobs/result.html"]).template.name
    context = {
        "job": job,
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else 0,
        "refresh": None if job.finished else REFRESH_SECONDS,
        "onward": job_onward(job),
        "result_template": result_template,
    }
    return render(request, "jobs/job_detail.html", context)


def dashboard_panel(request: HttpRequest, obj: None) -> dict | None:
    """The dashboard: the user's latest jobs, so they can leave a running import and come back."""
    jobs = list(Job.objects.filter(user=request.user).defer("payload", "result")[:5])
    return {"jobs": [(job, *job_progress(job)) for job in jobs]} if jobs else None
