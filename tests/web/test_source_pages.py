"""Sources are described and their text pasted on the team pages (issue 12, point 1)."""

import datetime

import pytest
from django.urls import reverse

from sources.models import Source
from tests.factories import CitationFactory, ClaimFactory, SourceFactory
from tracker.choices import EditorialStatus

pytestmark = pytest.mark.django_db


def _post(**values):
    return {
        "url": "",
        "title": "Interview transcript, BBC Radio 4",
        "publisher": "BBC",
        "author": "",
        "published_on": "2025-02",
        "kind": "transcript",
        "language": "en",
        "stored_text": "We are ready to put troops on the ground.",
        "reason": "Transcript received",
        **values,
    }


def test_an_editor_adds_a_transcript_with_its_text_and_a_month_date(client, editor, django_capture_on_commit_callbacks):
    client.force_login(editor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("sources:source-new"), _post())

    source = Source.objects.get()
    assert response["Location"] == reverse("sources:source-detail", args=[source.pk])
    assert (source.title, source.published_on, source.published_on_precision, source.kind) == (
        "Interview transcript, BBC Radio 4",
        datetime.date(2025, 2, 1),
        "month",
        "transcript",
    )
    assert source.stored_text == "We are ready to put troops on the ground."
    row = source.history.get()
    assert (row.history_user, row.history_change_reason) == (editor, "Transcript received")


def test_a_source_without_url_or_title_is_refused_naming_the_problem(client, editor):
    client.force_login(editor)

    response = client.post(reverse("sources:source-new"), _post(title="", published_on="2025-13"))

    assert response.status_code == 400
    assert "published_on" in response.context["form"].errors
    assert not Source.objects.exists()
    response = client.post(reverse("sources:source-new"), _post(title=""))
    assert "A source needs a URL or a title." in response.content.decode()
    assert not Source.objects.exists()


def test_an_editor_pastes_the_text_of_a_team_only_source_and_the_page_links_edit_and_history(client, editor):
    source = SourceFactory(url="https://news.example.org/paris", title="Paris")
    client.force_login(editor)
    detail = client.get(reverse("sources:source-detail", args=[source.pk])).content.decode()
    edit_url = reverse("sources:source-edit", args=[source.pk])
    assert edit_url in detail and reverse("history:object", args=["source", source.pk]) in detail

    form = client.get(edit_url).context["form"]
    response = client.post(
        edit_url,
        {**{k: v or "" for k, v in form.initial.items()}, "stored_text": "Pasted words.", "reason": "Paywalled"},
    )

    assert response.status_code == 302, response.context["form"].errors
    source.refresh_from_db()
    assert (source.stored_text, source.url, source.version) == ("Pasted words.", "https://news.example.org/paris", 2)


def test_a_source_partners_see_is_changed_only_by_a_reviewer(client, editor):
    source = SourceFactory(url="https://news.example.org/paris", title="Paris")
    CitationFactory(source=source, claim=ClaimFactory(status=EditorialStatus.PUBLISHED))
    client.force_login(editor)

    response = client.post(
        reverse("sources:source-edit", args=[source.pk]),
        _post(url=source.url, title="Paris", version=1, stored_text="Other words."),
    )

    assert response.status_code == 400
    assert "only a reviewer can change it" in response.content.decode()
    source.refresh_from_db()
    assert source.stored_text == ""
