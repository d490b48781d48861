"""CSV import: template, dry-run preview with per-row errors, all-or-nothing apply."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

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


def _upload(client, content, name="claims.csv"):
    return client.post(reverse("sources:claim-import"), {"file": SimpleUploadedFile(name, content, "text/csv")})


def _counts():
    return (
        Claim.objects.count(),
        Citation.objects.count(),
        Source.objects.count(),
        Claim.history.count(),
        Source.history.count(),
    )


def test_the_template_csv_has_every_column_and_imports_cleanly(client, editor, known):
    client.force_login(editor)
    response = client.get(reverse("sources:claim-import-template"))
    assert response["Content-Disposition"] == 'attachment; filename="claims-template.csv"'
    header = response.content.decode().splitlines()[0]
    assert header.split(",") == imports.COLUMNS
    TopicFactory(slug="european-troops-in-ukraine")
    assert _upload(client, response.content).context["result"].ok


def test_a_dry_run_previews_without_saving_and_apply_imports_everything_with_the_file_name(client, editor, known):
    client.force_login(editor)
    content = _csv(
        [
            _row(),
            _row(source_url="https://other.example.org/a", excerpt="willing to send troops"),  # same claim
            _row(speaker="Emmanuel Macron", text="Europe must act.", excerpt="Europe must act", topics=""),
        ]
    )

    preview = _upload(client, content, name="february.csv")

    assert preview.status_code == 200
    result = preview.context["result"]
    assert result.ok and result.claims == 2 and len(result.rows) == 3
    assert _counts() == (0, 0, 0, 0, 0)
    assert b"Dry run: nothing has been saved yet" in preview.content

    applied = client.post(reverse("sources:claim-import"), {"apply": "1", "digest": preview.context["digest"]})

    assert applied.status_code == 302
    starmer = Claim.objects.get(speaker__slug="keir-starmer")
    assert starmer.citations.count() == 2 and starmer.stated_on_precision == "month"
    assert [t.slug for t in starmer.topics.all()] == ["troops"]
    assert Source.objects.filter(url="https://news.example.org/paris").exists()
    reasons = {r.history_change_reason for model in (Claim, Citation, Source) for r in model.history.all()}
    assert reasons == {"CSV import: february.csv"}
    assert {r.history_user for r in Claim.history.all()} == {editor}
    assert len({r.history_change_id for model in (Claim, Citation, Source) for r in model.history.all()}) == 1


def test_a_file_with_a_bad_row_shows_the_errors_per_row_and_changes_nothing(client, editor, known):
    client.force_login(editor)
    content = _csv(
        [
            _row(),
            _row(speaker="Nobody", text="x", excerpt=" ", source_url="ftp://example.org/x", stated_on="2025-13"),
            _row(text="Another", topics="no-such-topic"),
        ]
    )

    preview = _upload(client, content)

    assert preview.status_code == 400
    rows = preview.context["result"].rows
    assert rows[0].errors == []
    assert rows[1].number == 3
    assert rows[1].errors == [
        "excerpt: this column is required.",
        "speaker: no actor is called “Nobody”.",
        "stated_on: This date does not exist.",
        "source_url: Only http and https URLs can be cited.",
    ]
    assert rows[2].errors == ["topics: no topic “no-such-topic”."]
    assert b"Import all" not in preview.content
    assert _counts() == (0, 0, 0, 0, 0)
    # Without a clean preview there is nothing to apply.
    assert client.post(reverse("sources:claim-import"), {"apply": "1", "digest": "forged"}).status_code == 302
    assert _counts() == (0, 0, 0, 0, 0)


def test_a_row_the_services_refuse_is_reported_in_the_dry_run(client, editor, known):
    client.force_login(editor)
    preview = _upload(client, _csv([_row(), _row(text="Rated", stated_on="2999")]))
    rows = preview.context["result"].rows
    assert rows[0].errors == [] and rows[1].errors == ["stated_on: This date is in the future."]
    assert _counts() == (0, 0, 0, 0, 0)


def test_apply_is_all_or_nothing_when_the_data_changed_after_the_preview(client, editor, known):
    client.force_login(editor)
    preview = _upload(client, _csv([_row(), _row(speaker="emmanuel-macron", text="Other")]))
    assert preview.context["result"].ok
    from tracker.models import Actor

    Actor.objects.filter(slug="emmanuel-macron").delete()

    applied = client.post(reverse("sources:claim-import"), {"apply": "1", "digest": preview.context["digest"]})

    assert applied.status_code == 400
    assert _counts() == (0, 0, 0, 0, 0)


def test_oversized_files_and_too_many_rows_are_refused(client, editor, known, monkeypatch):
    client.force_login(editor)
    monkeypatch.setattr("sources.forms.IMPORT_MAX_BYTES", 100)
    too_big = _upload(client, _csv([_row()]))
    assert "larger than" in str(too_big.context["form"].errors["file"])
    monkeypatch.undo()

    monkeypatch.setattr("sources.imports.IMPORT_MAX_ROWS", 2)
    too_many = _upload(client, _csv([_row(), _row(text="b"), _row(text="c")]))
    assert too_many.context["result"].errors == ["The file has more than 2 rows."]
    assert _counts() == (0, 0, 0, 0, 0)


def test_a_viewer_cannot_import(client, viewer, known):
    client.force_login(viewer)
    assert _upload(client, _csv([_row()])).status_code == 403
    assert _counts() == (0, 0, 0, 0, 0)
