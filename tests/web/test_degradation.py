"""With Redis gone the pages keep working; with the database gone they answer a plain 503 page.

Redis and the database are taken away for real (see tests/api/test_degradation.py): the cache points
at a port where nothing listens, and the `default` connection is swapped for one the driver cannot open.
"""

import logging

import pytest
from django.urls import reverse

from core import jobs
from core.models import Job
from tests.api.test_degradation import RETRY_AFTER, database_down, redis_is_down  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("redis_is_down")
def test_with_redis_down_the_pages_are_served(client, dossier, editor):
    claim = dossier["claim"]
    client.force_login(editor)

    pages = {
        "dashboard": client.get(reverse("tracker:dashboard")),
        "actors": client.get(reverse("tracker:actor-list")),
        "actor": client.get(reverse("positions:actor-detail", args=[claim.speaker.slug])),
        "claim": client.get(reverse("tracker:claim-detail", args=[claim.pk])),
        "search": client.get(reverse("tracker:search") + "?q=troops"),
        "new claim": client.get(reverse("sources:claim-new")),
    }

    assert {name: page.status_code for name, page in pages.items()} == dict.fromkeys(pages, 200)
    assert claim.text in pages["claim"].content.decode()
    assert claim.speaker.name in pages["actors"].content.decode()


@pytest.mark.usefixtures("redis_is_down")
def test_with_redis_down_a_running_jobs_page_shows_the_rows_figures_and_logs_a_warning(client, editor, caplog):
    job = Job.objects.create(
        kind="claim-import", user=editor, title="Import of big.csv", status=Job.Status.RUNNING, done=3, total=12
    )
    client.force_login(editor)

    with caplog.at_level(logging.WARNING, logger="core.jobs"):
        page = client.get(reverse("jobs:job-detail", args=[job.pk]))
        dashboard = client.get(reverse("tracker:dashboard"))

    assert page.status_code == 200
    assert "3 of 12 (25 %)" in page.content.decode()
    assert dashboard.status_code == 200
    assert "Import of big.csv</a> — Running (3 of 12)" in dashboard.content.decode()
    assert f"Job {job.pk}: progress unavailable, the cache is unreachable" in caplog.text


@pytest.mark.usefixtures("redis_is_down")
def test_with_redis_down_a_job_still_runs_to_the_end(editor, django_capture_on_commit_callbacks):
    def count_to_two(job, progress):
        progress(1, 2)
        progress(2, 2)
        return {"counted": 2}

    jobs.register("degradation-count", count_to_two)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_start(kind="degradation-count", user=editor, title="Count", payload={})

    job.refresh_from_db()
    assert (job.status, job.result, job.done, job.total) == (Job.Status.SUCCEEDED, {"counted": 2}, 2, 2)


@pytest.mark.parametrize("name", ["tracker:dashboard", "tracker:actor-list", "tracker:claim-list"])
def test_with_the_database_down_pages_answer_a_plain_503_page(client, dossier, editor, name):
    client.force_login(editor)
    with database_down():
        response = client.get(reverse(name))

    assert response.status_code == 503
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Retry-After"] == RETRY_AFTER
    page = response.content.decode()
    assert "<h1>Temporarily unavailable</h1>" in page
    assert "The tracker's database is not answering" in page
    assert "Try again in 30 seconds" in page
    # Rendered without the request: no navigation, no user name, no script.
    assert "editor" not in page and "<nav" not in page and "<script" not in page
