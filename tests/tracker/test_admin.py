import pytest
from django.urls import reverse

from sources.models import Citation
from tests.factories import ActorFactory, CitationFactory, PositionFactory, SourceFactory, TopicFactory
from tracker.models import Actor, Claim, Role

pytestmark = pytest.mark.django_db

MODELS = [
    "tracker_actor",
    "tracker_role",
    "tracker_topic",
    "tracker_claim",
    "positions_position",
    "sources_source",
    "sources_citation",
]


@pytest.fixture
def objects():
    citation = CitationFactory()
    actor = citation.claim.speaker
    role = Role.objects.create(actor=actor, organisation=ActorFactory(kind="state"), title="Prime Minister")
    position = PositionFactory(actor=actor)
    return {
        "tracker_actor": actor,
        "tracker_role": role,
        "tracker_topic": position.topic,
        "tracker_claim": citation.claim,
        "positions_position": position,
        "sources_source": citation.source,
        "sources_citation": citation,
    }


# (page, role) -> expected status. Viewers see but cannot add; people outside the team are sent to log in.
EXPECTED = {
    "editor": {"changelist": 200, "add": 200, "change": 200, "history": 200},
    "reviewer": {"changelist": 200, "add": 200, "change": 200, "history": 200},
    "viewer": {"changelist": 200, "add": 403, "change": 200, "history": 200},
    "outsider": {"changelist": 302, "add": 302, "change": 302, "history": 302},
}


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("persona", ["editor", "reviewer", "viewer", "outsider"])
def test_admin_pages_render_for_each_role_as_permitted(client, request, objects, model, persona):
    client.force_login(request.getfixturevalue(persona))
    obj = objects[model]
    urls = {
        "changelist": reverse(f"admin:{model}_changelist"),
        "add": reverse(f"admin:{model}_add"),
        "change": reverse(f"admin:{model}_change", args=[obj.pk]),
        "history": reverse(f"admin:{model}_history", args=[obj.pk]),
    }
    statuses = {page: client.get(url).status_code for page, url in urls.items()}
    assert statuses == EXPECTED[persona]


def test_a_viewer_sees_a_read_only_change_page_without_the_edit_summary(client, viewer, objects):
    client.force_login(viewer)
    response = client.get(reverse("admin:tracker_actor_change", args=[objects["tracker_actor"].pk]))
    assert b'name="change_reason"' not in response.content
    assert b'name="name"' not in response.content


def _claim_post(speaker, topic, source, **extra):
    data = {
        "speaker": speaker.pk,
        "topics": [topic.pk],
        "text": "The UK is willing to send troops to Ukraine if necessary.",
        "kind": "paraphrase",
        "stated_on": "",
        "stated_on_precision": "day",
        "context": "",
        "attribution_status": "unverified",
        "veracity": "unrated",
        "veracity_rationale": "",
        "change_reason": "Entered from the seed article",
        "citations-TOTAL_FORMS": "1",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
        "citations-0-source": source.pk,
        "citations-0-excerpt": "the UK is willing to send troops to Ukraine if necessary",
        "citations-0-locator": "paragraph 7",
        "citations-0-relation": "supports",
        "citations-0-accessed_on": "",
    }
    data.update(extra)
    return data


def test_adding_a_claim_in_the_admin_goes_through_services_and_records_the_reason(client, editor):
    client.force_login(editor)
    speaker, topic, source = ActorFactory(), TopicFactory(), SourceFactory()

    response = client.post(reverse("admin:tracker_claim_add"), _claim_post(speaker, topic, source))

    assert response.status_code == 302, response.content.decode()[:2000]
    claim = Claim.objects.get()
    assert list(claim.topics.all()) == [topic]
    row = claim.history.get()
    assert (row.history_user, row.history_change_reason) == (editor, "Entered from the seed article")
    assert [t.topic_id for t in row.topics.all()] == [topic.pk]
    citation_row = Citation.history.get(claim_id=claim.pk)
    assert citation_row.history_change_reason == "Entered from the seed article"
    assert citation_row.history_change_id == row.history_change_id


def test_an_admin_save_without_an_edit_summary_is_refused(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:tracker_claim_add"),
        _claim_post(ActorFactory(), TopicFactory(), SourceFactory(), change_reason=""),
    )
    assert response.status_code == 200
    assert "change_reason" in response.context["adminform"].form.errors
    assert Claim.objects.count() == 0


def test_an_admin_save_from_a_stale_version_shows_a_conflict_and_saves_nothing(client, editor, reviewer):
    actor = ActorFactory(name="Keir Starmer")
    from tracker import services

    services.actor_update(actor=actor, user=reviewer, reason="Fix", data={"summary": "PM"}, expected_version=1)
    client.force_login(editor)

    response = client.post(
        reverse("admin:tracker_actor_change", args=[actor.pk]),
        {
            "name": "Sir Keir Starmer",
            "slug": actor.slug,
            "kind": "person",
            "summary": "Mine",
            "aliases": "",
            "wikidata_id": "",
            "country_code": "",
            "change_reason": "Full name",
            "expected_version": "1",
        },
    )

    assert response.status_code == 200
    assert "Someone else saved this record" in str(response.context["adminform"].form.non_field_errors())
    actor.refresh_from_db()
    assert (actor.name, actor.summary, actor.version) == ("Keir Starmer", "PM", 2)


def test_publishing_from_the_admin_needs_a_reason_and_a_reviewer(client, reviewer, editor):
    citation = CitationFactory()
    claim = citation.claim
    url = reverse("admin:tracker_claim_changelist")
    client.force_login(editor)
    client.post(url, {"action": "publish", "_selected_action": [claim.pk], "reason": "ok"})
    claim.refresh_from_db()
    assert claim.status == "draft"

    client.force_login(reviewer)
    client.post(url, {"action": "publish", "_selected_action": [claim.pk], "reason": ""})
    claim.refresh_from_db()
    assert claim.status == "draft"

    client.post(url, {"action": "publish", "_selected_action": [claim.pk], "reason": "Checked"})
    claim.refresh_from_db()
    assert claim.status == "published"
    assert claim.history.first().history_change_reason == "Checked"


def test_deleting_in_the_admin_is_recorded(client, reviewer):
    actor = ActorFactory()
    client.force_login(reviewer)
    client.post(reverse("admin:tracker_actor_delete", args=[actor.pk]), {"post": "yes"})
    assert not Actor.objects.filter(pk=actor.pk).exists()
    row = Actor.history.get(id=actor.pk, history_type="-")
    assert row.history_user == reviewer


def test_the_claim_admin_carries_the_citations_inline_and_excerpt_filter_that_sources_adds():
    from django.contrib import admin

    from sources.admin import CitationInline, ExcerptCheckFilter
    from tracker.admin import ClaimAdmin as TrackerClaimAdmin

    registered = admin.site._registry[Claim]
    assert isinstance(registered, TrackerClaimAdmin)
    assert CitationInline in registered.inlines and ExcerptCheckFilter in registered.list_filter
    # Tracker's own class stays free of sources' parts.
    assert CitationInline not in TrackerClaimAdmin.inlines


def test_picking_a_claim_in_an_autocomplete_matches_as_you_type(client, editor):
    from tests.factories import ClaimFactory

    claim = ClaimFactory(text="The UK is willing to send troops.", speaker=ActorFactory(name="Keir Starmer"))
    ClaimFactory(text="Unrelated")
    client.force_login(editor)
    url = reverse("admin:autocomplete")
    params = {"app_label": "positions", "model_name": "position", "field_name": "evidence"}

    by_word_start = client.get(url, {**params, "term": "willi"}).json()["results"]
    by_speaker = client.get(url, {**params, "term": "Starm"}).json()["results"]

    assert [r["id"] for r in by_word_start] == [str(claim.pk)] == [r["id"] for r in by_speaker]
