"""The suggestions page: listed from the source's text, ticked, edited and accepted as one change."""

import pytest
from django.urls import reverse

from sources.models import Citation
from tracker.models import Actor, Claim

pytestmark = pytest.mark.django_db


def _rows(response):
    return response.context["formset"]


def _post_data(formset, changes: dict[int, dict], reason="Entered from the Paris article"):
    """The form as the page drew it, with rows ticked and edited as `changes` says."""
    data = {f"s-{key}": value for key, value in formset.management_form.initial.items()}
    for index, form in enumerate(formset.forms):
        for name, value in {**form.initial, **changes.get(index, {})}.items():
            if name == "accept" and not value:
                continue
            key = f"s-{index}-{name}"
            data[key] = [str(v) for v in value] if isinstance(value, list) else value
        if index in changes:
            data[f"s-{index}-accept"] = "on"
    data["reason"] = reason
    return data


def test_the_source_page_offers_suggestions_to_editors_only(client, editor, viewer, article):
    client.force_login(editor)
    page = client.get(reverse("sources:source-detail", args=[article.pk])).content.decode()
    assert reverse("suggest:source-suggestions", args=[article.pk]) in page
    client.force_login(viewer)
    page = client.get(reverse("sources:source-detail", args=[article.pk])).content.decode()
    assert reverse("suggest:source-suggestions", args=[article.pk]) not in page
    assert client.get(reverse("suggest:source-suggestions", args=[article.pk])).status_code == 403


def test_the_suggestions_list_speakers_excerpts_dates_and_new_actors(client, editor, article, tracked):
    client.force_login(editor)
    response = client.get(reverse("suggest:source-suggestions", args=[article.pk]))
    assert response.status_code == 200
    rows = [form.initial for form in _rows(response).forms]
    assert [row["speaker"] for row in rows] == ["Keir Starmer", "Keir Starmer", "Avi Bell"]
    assert [row["new_speaker_kind"] for row in rows] == ["", "", "person"]
    assert rows[0]["excerpt"].startswith("The British prime minister said the United Kingdom was ready")
    assert rows[0]["stated_on"] == "2025-02-17"
    assert rows[0]["topics"] == [tracked["topic"].pk]
    assert rows[2]["kind"] == "direct_quote"
    assert response.context["new_actors"] == ["Avi Bell"]
    assert "Avi Bell" in response.content.decode()


def test_accepting_creates_drafts_citations_and_new_actors_as_one_change_with_a_reason(
    client, editor, article, tracked
):
    client.force_login(editor)
    formset = _rows(client.get(reverse("suggest:source-suggestions", args=[article.pk])))
    data = _post_data(formset, {0: {"text": "The UK is ready to put troops in Ukraine after a peace deal."}, 2: {}})
    response = client.post(reverse("suggest:source-suggestions", args=[article.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]

    claims = list(Claim.objects.order_by("pk"))
    assert [(c.speaker.name, c.status, c.kind) for c in claims] == [
        ("Keir Starmer", "draft", "reported"),
        ("Avi Bell", "draft", "direct_quote"),
    ]
    assert claims[0].text == "The UK is ready to put troops in Ukraine after a peace deal."
    assert list(claims[0].topics.all()) == [tracked["topic"]]
    assert (claims[0].stated_on.isoformat(), claims[0].stated_on_inferred) == ("2025-02-17", True)
    citation = Citation.objects.get(claim=claims[0])
    assert citation.source == article and citation.excerpt in article.stored_text
    assert citation.locator == "paragraph 2"
    bell = Actor.objects.get(name="Avi Bell")
    assert bell.kind == "person"

    rows = [
        *Claim.history.filter(id__in=[c.pk for c in claims]),
        *Citation.history.all(),
        *Actor.history.filter(id=bell.pk),
    ]
    assert len(rows) == 5
    assert {row.history_user_id for row in rows} == {editor.pk}
    assert {row.history_change_reason for row in rows} == {"Entered from the Paris article"}
    assert len({row.history_change_id for row in rows}) == 1  # one change


def test_an_excerpt_edited_away_from_the_source_is_refused_and_nothing_is_written(client, editor, article):
    client.force_login(editor)
    formset = _rows(client.get(reverse("suggest:source-suggestions", args=[article.pk])))
    data = _post_data(formset, {0: {}, 1: {"excerpt": "He promised a referendum on the deal."}})
    response = client.post(reverse("suggest:source-suggestions", args=[article.pk]), data)
    assert response.status_code == 400
    assert "must be copied exactly from the source" in response.content.decode()
    assert Claim.objects.count() == 0 and Citation.objects.count() == 0


def test_accepting_needs_a_reason_and_a_ticked_row(client, editor, article):
    client.force_login(editor)
    formset = _rows(client.get(reverse("suggest:source-suggestions", args=[article.pk])))
    response = client.post(reverse("suggest:source-suggestions", args=[article.pk]), _post_data(formset, {}))
    assert response.status_code == 400
    assert "Tick at least one suggestion" in response.content.decode()
    response = client.post(
        reverse("suggest:source-suggestions", args=[article.pk]), _post_data(formset, {0: {}}, reason="")
    )
    assert response.status_code == 400
    assert Claim.objects.count() == 0


def test_an_unknown_speaker_without_a_kind_is_refused_by_name(client, editor, article):
    client.force_login(editor)
    formset = _rows(client.get(reverse("suggest:source-suggestions", args=[article.pk])))
    data = _post_data(formset, {2: {"new_speaker_kind": ""}})
    response = client.post(reverse("suggest:source-suggestions", args=[article.pk]), data)
    assert response.status_code == 400
    assert "No actor is called “Avi Bell”" in response.content.decode()
    assert not Actor.objects.filter(name="Avi Bell").exists()


def test_the_suggestions_page_reads_a_bounded_number_of_queries(client, editor, article, django_assert_max_num_queries):
    """A fixed number, however many rows: actors, roles, topics and speakers are each read once."""
    client.force_login(editor)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("suggest:source-suggestions", args=[article.pk])).status_code == 200
