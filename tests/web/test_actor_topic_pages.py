"""Actors and topics are created and edited on the team pages, with an edit summary, the version check
and history, never needing the admin (issue 12, points 1 and 2)."""

import pytest
from django.urls import reverse

from tests.factories import ActorFactory, ClaimFactory, TopicFactory
from tracker.choices import EditorialStatus
from tracker.models import Actor, Topic

pytestmark = pytest.mark.django_db


def _actor_post(**values):
    return {
        "name": "Frank-Walter Steinmeier",
        "kind": "person",
        "aliases": "Steinmeier\n  Bundespräsident Steinmeier \n\nSteinmeier",
        "country_code": "de",
        "wikidata_id": "Q76658",
        "summary": "",
        "reason": "Speaker in the Munich article",
        **values,
    }


def test_an_editor_adds_an_actor_with_other_names_one_per_line(client, editor):
    client.force_login(editor)

    response = client.post(reverse("tracker:actor-new"), _actor_post())

    actor = Actor.objects.get(name="Frank-Walter Steinmeier")
    assert response.status_code == 302
    assert response["Location"] == reverse("positions:actor-detail", args=[actor.slug])
    assert (actor.slug, actor.aliases, actor.country_code) == (
        "frank-walter-steinmeier",
        ["Steinmeier", "Bundespräsident Steinmeier"],
        "DE",
    )
    row = actor.history.get()
    assert (row.history_user, row.history_change_reason) == (editor, "Speaker in the Munich article")


def test_the_new_actor_page_takes_the_typed_name_and_returns_to_a_page_of_this_site(client, editor):
    client.force_login(editor)

    page = client.get(reverse("tracker:actor-new"), {"name": "Kaja Kallas", "next": "/claims/new/"})
    back = client.post(reverse("tracker:actor-new"), _actor_post(name="Kaja Kallas", next="/claims/new/"))
    elsewhere = client.post(
        reverse("tracker:actor-new"), _actor_post(name="Mark Rutte", wikidata_id="", next="https://evil.example/")
    )

    assert page.context["form"]["name"].value() == "Kaja Kallas"
    assert back["Location"] == "/claims/new/"
    assert elsewhere["Location"] == reverse("positions:actor-detail", args=["mark-rutte"])


def test_bad_input_names_the_field_and_saves_nothing(client, editor):
    client.force_login(editor)

    response = client.post(reverse("tracker:actor-new"), _actor_post(name="", wikidata_id="76658", reason=""))

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"name", "reason"}
    assert not Actor.objects.exists()
    invalid_id = client.post(reverse("tracker:actor-new"), _actor_post(wikidata_id="76658"))
    assert invalid_id.status_code == 400
    assert "wikidata_id" in invalid_id.context["form"].errors
    assert not Actor.objects.exists()


def test_an_editor_edits_a_team_only_actor_and_a_stale_version_shows_the_conflict(client, editor, reviewer):
    actor = ActorFactory(name="Kaja Kallas", slug="kaja-kallas")
    client.force_login(editor)
    url = reverse("tracker:actor-edit", args=[actor.slug])
    form = client.get(url).context["form"]
    assert form["aliases"].value() == ""

    saved = client.post(url, _actor_post(name="Kaja Kallas", aliases="Kallas", wikidata_id="", version=1))
    stale = client.post(url, _actor_post(name="Kaja Kallas", summary="EU", wikidata_id="", version=1))

    assert saved.status_code == 302
    actor.refresh_from_db()
    assert (actor.aliases, actor.version) == (["Kallas"], 2)
    assert stale.status_code == 409
    assert actor.history.latest("history_id").history_user == editor
    assert client.get(url).context["form"]["aliases"].value() == "Kallas"


def test_an_actor_partners_see_is_changed_only_by_a_reviewer_and_the_page_says_so(client, editor, reviewer):
    actor = ActorFactory(name="Keir Starmer", slug="keir-starmer")
    ClaimFactory(speaker=actor, status=EditorialStatus.PUBLISHED)
    url = reverse("tracker:actor-edit", args=[actor.slug])
    client.force_login(editor)

    refused = client.post(url, _actor_post(name="Keir Starmer", wikidata_id="", version=1))

    assert refused.status_code == 400
    assert "only a reviewer can change it" in refused.content.decode()
    client.force_login(reviewer)
    assert client.post(url, _actor_post(name="Keir Starmer", wikidata_id="", version=1)).status_code == 302


def test_a_viewer_cannot_open_the_actor_and_topic_forms(client, viewer):
    client.force_login(viewer)

    assert client.get(reverse("tracker:actor-new")).status_code == 403
    assert client.get(reverse("tracker:topic-new")).status_code == 403


def test_an_editor_adds_and_edits_a_topic_under_a_parent(client, editor):
    parent = TopicFactory(title="War in Ukraine", slug="war-in-ukraine")
    client.force_login(editor)
    data = {"title": "Peacekeepers", "question": "Should Europe send peacekeepers?", "parent": parent.pk}

    created = client.post(reverse("tracker:topic-new"), {**data, "reason": "Munich conference"})
    topic = Topic.objects.get(title="Peacekeepers")
    edit_url = reverse("tracker:topic-edit", args=[topic.slug])
    edited = client.post(edit_url, {**data, "summary": "After Munich", "reason": "Summary", "version": 1})

    assert created["Location"] == reverse("positions:topic-detail", args=[topic.slug])
    assert edited.status_code == 302
    topic.refresh_from_db()
    assert (topic.parent, topic.summary, topic.version) == (parent, "After Munich", 2)
    assert [r.history_change_reason for r in topic.history.order_by("history_id")] == ["Munich conference", "Summary"]
    assert topic.pk not in [t.pk for t in client.get(edit_url).context["form"].fields["parent"].queryset]


def test_the_record_pages_link_to_edit_and_history(client, editor):
    actor, topic = ActorFactory(), TopicFactory()
    client.force_login(editor)

    actor_page = client.get(reverse("positions:actor-detail", args=[actor.slug])).content.decode()
    topic_page = client.get(reverse("positions:topic-detail", args=[topic.slug])).content.decode()

    assert reverse("tracker:actor-edit", args=[actor.slug]) in actor_page
    assert reverse("history:object", args=["actor", actor.pk]) in actor_page
    assert reverse("tracker:topic-edit", args=[topic.slug]) in topic_page
    assert reverse("history:object", args=["topic", topic.pk]) in topic_page


def test_an_unknown_speaker_on_the_claim_form_links_to_the_new_actor_page(client, editor):
    client.force_login(editor)

    response = client.post(reverse("sources:claim-new"), {"speaker": "Kaja Kallas", "text": "x", "reason": "r"})

    assert '<a href="/actors/new/?name=Kaja+Kallas" target="_blank" rel="noopener">Create the actor</a>' in (
        response.content.decode()
    )


def test_the_admin_takes_other_names_one_per_line(client, reviewer):
    actor = ActorFactory(name="Frank-Walter Steinmeier", slug="steinmeier")
    client.force_login(reviewer)
    url = reverse("admin:tracker_actor_change", args=[actor.pk])

    response = client.post(
        url,
        {
            "name": actor.name,
            "slug": actor.slug,
            "kind": "person",
            "aliases": "Steinmeier\nBundespräsident",
            "summary": "",
            "wikidata_id": "",
            "country_code": "",
            "change_reason": "Other names",
            "expected_version": actor.version,
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    actor.refresh_from_db()
    assert actor.aliases == ["Steinmeier", "Bundespräsident"]
    assert "Steinmeier\nBundespräsident</textarea>" in client.get(url).content.decode()


def test_the_claim_edit_form_shows_the_speaker_by_name_or_by_slug_when_the_name_is_shared(client, editor):
    vance = ActorFactory(name="JD Vance", slug="jd-vance")
    first, second = (
        ActorFactory(name="John Smith", slug="john-smith"),
        ActorFactory(name="John Smith", slug="john-smith-2"),
    )
    client.force_login(editor)

    def shown(speaker):
        claim = ClaimFactory(speaker=speaker)
        return client.get(reverse("sources:claim-edit", args=[claim.pk])).context["form"]["speaker"].value()

    assert (shown(vance), shown(first), shown(second)) == ("JD Vance", "john-smith", "john-smith-2")


def test_required_fields_are_marked_on_the_forms(client, editor):
    client.force_login(editor)

    actor_page = client.get(reverse("tracker:actor-new")).content.decode()
    claim_page = client.get(reverse("sources:claim-new")).content.decode()

    assert '<label for="id_name" class="required">' in actor_page
    assert '<label for="id_reason" class="required">' in actor_page
    assert '<label for="id_summary">' in actor_page  # optional: not marked
    assert 'for="id_speaker" class="required">' in claim_page


def test_an_editor_adds_a_role_with_dates_and_the_source_that_states_it(client, editor):
    actor = ActorFactory(name="Marco Rubio", slug="marco-rubio")
    ActorFactory(name="US government", slug="us-government", kind="state")
    client.force_login(editor)

    response = client.post(
        reverse("sources:role-new", args=[actor.slug]),
        {
            "title": "Secretary of State",
            "organisation": "US government",
            "start_on": "2025-01-21",
            "source_url": "https://news.example.org/rubio-sworn-in?utm_source=x",
            "excerpt": "Rubio was sworn in as Secretary of State",
            "reason": "From the confirmation report",
        },
    )

    assert response.status_code == 302
    role = actor.roles.get()
    assert (role.title, role.organisation.slug, role.start_on.isoformat(), role.source.url) == (
        "Secretary of State",
        "us-government",
        "2025-01-21",
        "https://news.example.org/rubio-sworn-in",
    )
    row = role.history.get()
    assert (row.history_user, row.history_change_reason) == (editor, "From the confirmation report")
    assert role.source.history.get().history_change_id == row.history_change_id  # one change
    page = client.get(reverse("positions:actor-detail", args=[actor.slug])).content.decode()
    assert (
        reverse("sources:role-edit", args=[role.pk]) in page and reverse("sources:role-new", args=[actor.slug]) in page
    )


def test_a_role_that_ends_before_it_starts_is_refused_and_nothing_is_saved(client, editor):
    actor = ActorFactory(name="Marco Rubio", slug="marco-rubio")
    ActorFactory(name="US Senate", slug="us-senate")
    client.force_login(editor)

    response = client.post(
        reverse("sources:role-new", args=[actor.slug]),
        {
            "title": "Senator",
            "organisation": "US Senate",
            "start_on": "2011-01-03",
            "end_on": "2010-01-20",
            "excerpt": "",
            "reason": "r",
        },
    )

    assert response.status_code == 400
    assert "A role cannot end before it starts." in response.content.decode()
    assert not actor.roles.exists()
