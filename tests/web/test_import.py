"""CSV import as a background job: template, dry-run preview with per-row errors, all-or-nothing apply,
progress on the job's page and the dashboard."""

import csv
import io

import pytest
from django.urls import reverse

from core.models import Job
from sources import imports
from sources.models import Citation, Source
from tests.factories import ActorFactory, TopicFactory
from tracker.models import Claim

pytestmark = pytest.mark.django_db


def _csv(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=imports.COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _row(**values):
    return {
        "speaker": "keir-starmer",
        "text": "The UK is willing to send troops.",
        "kind": "reported",
        "stated_on": "2025-02",
        "topics": "troops",
        "source_url": "https://news.example.org/paris?utm_medium=x",
        "source_title": "Paris",
        "excerpt": "the UK is willing to send troops",
        "locator": "paragraph 7",
        **values,
    }


@pytest.fixture
def known():
    ActorFactory(name="Keir Starmer", slug="keir-starmer")
    ActorFactory(name="Emmanuel Macron", slug="emmanuel-macron")
    TopicFactory(title="Troops", slug="troops")


def _counts():
    return (
        Claim.objects.count(),
        Citation.objects.count(),
        Source.objects.count(),
        Claim.history.count(),
        Source.history.count(),
    )


def test_the_template_csv_has_every_column_and_imports_cleanly(client, editor, known, upload):
    client.force_login(editor)
    response = client.get(reverse("sources:claim-import-template"))
    assert response["Content-Disposition"] == 'attachment; filename="claims-template.csv"'
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert header.split(",") == imports.COLUMNS
    TopicFactory(slug="european-troops-in-ukraine")
    _response, job = upload(response.content)
    assert job.result["ok"] is True


def test_a_dry_run_job_previews_without_saving_and_apply_imports_everything_with_the_file_name(
    client, editor, known, upload, apply
):
    client.force_login(editor)
    content = _csv(
        [
            _row(),
            _row(source_url="https://other.example.org/a", excerpt="willing to send troops"),  # same claim
            _row(speaker="Emmanuel Macron", text="Europe must act.", excerpt="Europe must act", topics=""),
        ]
    )

    response, preview = upload(content, name="february.csv")

    assert response.status_code == 302 and response["Location"] == reverse("jobs:job-detail", args=[preview.pk])
    assert (preview.status, preview.user, preview.done, preview.total) == (Job.Status.SUCCEEDED, editor, 2, 2)
    assert preview.result["ok"] and preview.result["claims"] == 2 and preview.result["row_count"] == 3
    assert _counts() == (0, 0, 0, 0, 0)
    page = client.get(response["Location"])
    assert b"Dry run: nothing has been saved yet" in page.content
    assert b"Import all 2 claim(s)" in page.content
    assert b'http-equiv="refresh"' not in page.content  # finished: the page stops reloading

    applied, job = apply(preview)

    assert applied.status_code == 302 and job.pk != preview.pk
    assert job.status == Job.Status.SUCCEEDED and job.result["applied"] is True
    assert b"Imported 2 draft claim(s)" in client.get(applied["Location"]).content
    starmer = Claim.objects.get(speaker__slug="keir-starmer")
    assert starmer.citations.count() == 2 and starmer.stated_on_precision == "month"
    assert [t.slug for t in starmer.topics.all()] == ["troops"]
    assert Source.objects.filter(url="https://news.example.org/paris").exists()
    reasons = {r.history_change_reason for model in (Claim, Citation, Source) for r in model.history.all()}
    assert reasons == {"CSV import: february.csv"}
    assert {r.history_user for r in Claim.history.all()} == {editor}
    assert len({r.history_change_id for model in (Claim, Citation, Source) for r in model.history.all()}) == 1
    # The same dry run cannot be imported twice over: its import is a job of its own, already done.
    again, _job = apply(job)
    assert again.status_code == 302 and Claim.objects.count() == 2


def test_a_file_with_a_bad_row_shows_the_errors_per_row_and_changes_nothing(client, editor, known, upload, apply):
    client.force_login(editor)
    content = _csv(
        [
            _row(),
            _row(speaker="Nobody", text="x", excerpt=" ", source_url="ftp://example.org/x", stated_on="2025-13"),
            _row(text="Another", topics="no-such-topic"),
        ]
    )

    _response, preview = upload(content)

    rows = preview.result["rows"]
    assert preview.result["ok"] is False and preview.result["error_rows"] == 2
    assert [row["number"] for row in rows] == [3, 4]  # only the rows with problems are listed
    assert rows[0]["errors"] == [
        "excerpt: this column is required.",
        "speaker: no actor is called “Nobody”.",
        "stated_on: This date does not exist.",
        "source_url: Only http and https URLs can be cited.",
    ]
    assert rows[1]["errors"] == ["topics: no topic “no-such-topic”."]
    page = client.get(reverse("jobs:job-detail", args=[preview.pk]))
    assert b"Import all" not in page.content and "no topic “no-such-topic”" in page.content.decode()
    assert _counts() == (0, 0, 0, 0, 0)
    # Without a clean dry run there is nothing to import.
    refused, _job = apply(preview)
    assert refused.status_code == 302 and Job.objects.count() == 1
    assert _counts() == (0, 0, 0, 0, 0)


def test_a_row_the_services_refuse_is_reported_in_the_dry_run(client, editor, known, upload):
    client.force_login(editor)
    _response, preview = upload(_csv([_row(), _row(text="Rated", stated_on="2999")]))
    assert [row["errors"] for row in preview.result["rows"]] == [["stated_on: This date is in the future."]]
    assert _counts() == (0, 0, 0, 0, 0)


def test_apply_is_all_or_nothing_when_the_data_changed_after_the_preview(client, editor, known, upload, apply):
    client.force_login(editor)
    _response, preview = upload(_csv([_row(), _row(speaker="emmanuel-macron", text="Other")]))
    assert preview.result["ok"]
    from tracker.models import Actor

    Actor.objects.filter(slug="emmanuel-macron").delete()

    _applied, job = apply(preview)

    assert job.status == Job.Status.SUCCEEDED and job.result["applied"] is False
    assert job.result["error_rows"] == 1
    assert _counts() == (0, 0, 0, 0, 0)


def test_oversized_files_and_too_many_rows_are_refused(client, editor, known, upload, monkeypatch):
    client.force_login(editor)
    monkeypatch.setattr("sources.forms.IMPORT_MAX_BYTES", 100)
    too_big, job = upload(_csv([_row()]))
    assert "larger than" in str(too_big.context["form"].errors["file"]) and job is None
    monkeypatch.undo()

    monkeypatch.setattr("sources.imports.IMPORT_MAX_ROWS", 2)
    _response, job = upload(_csv([_row(), _row(text="b"), _row(text="c")]))
    assert job.result["errors"] == ["The file has more than 2 rows."]
    assert _counts() == (0, 0, 0, 0, 0)


def test_a_viewer_cannot_import(client, viewer, known, upload):
    client.force_login(viewer)
    response, job = upload(_csv([_row()]))
    assert response.status_code == 403 and job is None
    assert _counts() == (0, 0, 0, 0, 0)


def test_a_job_is_followed_on_its_page_and_the_dashboard_and_hidden_from_others(client, editor, reviewer, known):
    """A queued job (no worker yet): the page reloads itself and shows progress; only its owner sees it."""
    from core.jobs import job_start

    job = job_start(
        kind="claim-import", user=editor, title="Import of big.csv", payload={"name": "big.csv", "text": ""}
    )
    client.force_login(editor)
    page = client.get(reverse("jobs:job-detail", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and "<progress" in page and "Queued" in page
    dashboard = client.get(reverse("tracker:dashboard")).content.decode()
    assert "My background jobs" in dashboard and "Import of big.csv" in dashboard
    client.force_login(reviewer)
    assert client.get(reverse("jobs:job-detail", args=[job.pk])).status_code == 403


def test_progress_is_reported_while_the_import_runs(editor, known, django_capture_on_commit_callbacks, monkeypatch):
    """The runner reports rows done as it goes (to the cache, visible outside its transaction)."""
    from django.core.cache import cache

    from core.jobs import job_start

    seen = []
    original = cache.set

    def spy(key, value, *args, **kwargs):
        if str(key).startswith("job-progress:"):
            seen.append(value)
        return original(key, value, *args, **kwargs)

    monkeypatch.setattr(cache, "set", spy)
    monkeypatch.setattr("core.jobs.PROGRESS_EVERY_SECONDS", 0)
    rows = [_row(text=f"Claim {n}", source_url=f"https://news.example.org/{n}") for n in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(
            kind="claim-import", user=editor, title="Import", payload={"name": "five.csv", "text": _csv(rows).decode()}
        )

    job.refresh_from_db()
    assert seen == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    assert (job.status, job.done, job.total) == (Job.Status.SUCCEEDED, 5, 5)


def test_a_cell_longer_than_the_csv_limit_is_reported_not_a_server_error(client, editor, known, upload):
    client.force_login(editor)
    # Python's csv module refuses a field over 131,072 characters (csv.field_size_limit()).
    response, job = upload(_csv([_row(), _row(text="x" * 140_000)]))

    assert response.status_code == 302
    assert job.status == Job.Status.SUCCEEDED
    [error] = job.result["errors"]
    assert error == "After line 2, this is not CSV we can read: field larger than field limit (131072)."
    assert _counts() == (0, 0, 0, 0, 0)
