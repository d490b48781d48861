import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from core.models import Job
from positions.models import Position
from tracker.models import Claim


@pytest.fixture
def dossier(db):
    """The seed dossier: 20 actors, 7 topics, 15 published claims, 9 published positions."""
    call_command("loadseeds", verbosity=0)
    return {
        "claim": Claim.objects.select_related("speaker").order_by("pk").first(),
        "position": Position.objects.select_related("actor", "topic").order_by("pk").first(),
    }


# --- The CSV import, which runs as background jobs (tests/web/test_import.py) ---------------------


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks):
    """Post a file; the job it starts runs when the request commits (Celery runs inline in tests)."""

    def post(content, name="claims.csv"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("sources:claim-import"), {"file": SimpleUploadedFile(name, content, "text/csv")}
            )
        job = Job.objects.filter(kind="claim-import").first()
        return response, job

    return post


@pytest.fixture
def apply(client, django_capture_on_commit_callbacks):
    def post(job):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("sources:claim-import-apply", args=[job.pk]))
        return response, Job.objects.filter(kind="claim-import").first()

    return post
