"""Position entry shows the previous stance; edits are versioned; workflow goes through the services."""

import datetime

import pytest
from django.urls import reverse

from core.choices import HistoryAction
from positions.choices import Stance
from positions.models import Position
from tests.factories import ActorFactory, CitationFactory, ClaimFactory, PositionFactory, TopicFactory
from tracker.choices import EditorialStatus

pytestmark = pytest.mark.django_db


def _post(topic, **extra):
    return {
        "actor": extra.pop("actor"),
        "topic": topic.pk,
        "stance": Stance.OPPOSE,
        "as_of": "2025-03-02",
        "summary": "",
        "conditions": "",
        "reason": "From the March interview",
        **extra,
    }


@pytest.fixture
def starmer_on_troops():
    actor, topic = ActorFactory(name="Keir Starmer", slug="keir-starmer"), TopicFactory(title="Troops")
    earlier = PositionFactory(
        actor=actor,
        topic=topic,
        stance=Stance.SUPPORT,
        as_of=datetime.date(2025, 2, 1),
        as_of_precision="month",
        status=EditorialStatus.PUBLISHED,
    )
    return actor, topic, earlier


def test_the_position_form_shows_the_previous_stance_before_saving(client, editor, starmer_on_troops):
    actor, topic, earlier = starmer_on_troops
    client.force_login(editor)

    page = client.get(reverse("positions:position-new") + f"?actor={actor.slug}&topic={topic.slug}")
    assert page.context["previous"] == earlier
    assert "Previous stance:</strong> Support as of February 2025" in page.content.decode()

    preview = client.post(reverse("positions:position-new"), _post(topic, actor=actor.slug, preview="1"))
    assert preview.context["changed"] is True
    assert "Change of stance:</strong> Support →" in preview.content.decode()
    assert Position.objects.count() == 1


def test_an_editor_saves_a_position_with_evidence_as_a_draft(client, editor, starmer_on_troops):
    actor, topic, _ = starmer_on_troops
    claim = ClaimFactory(speaker=actor)
    client.force_login(editor)

    response = client.post(
        reverse("positions:position-new"), _post(topic, actor=actor.slug, evidence=[claim.pk], conditions="US backstop")
    )

    position = Position.objects.get(as_of=datetime.date(2025, 3, 2))
    assert response["Location"] == reverse("positions:position-detail", args=[position.pk])
    assert (position.stance, position.status, position.conditions) == (Stance.OPPOSE, "draft", "US backstop")
    assert list(position.evidence.all()) == [claim]
    row = position.history.get()
    assert (row.history_user, row.history_change_reason) == (editor, "From the March interview")


def test_evidence_is_limited_to_the_actors_own_claims(client, editor, starmer_on_troops):
    actor, topic, _ = starmer_on_troops
    someone_elses = ClaimFactory()
    client.force_login(editor)
    response = client.post(
        reverse("positions:position-new"), _post(topic, actor=actor.slug, evidence=[someone_elses.pk])
    )
    assert response.status_code == 400
    assert "evidence" in response.context["form"].errors
    assert Position.objects.count() == 1


def test_an_unknown_actor_is_refused_on_the_first_step(client, editor):
    client.force_login(editor)
    response = client.get(reverse("positions:position-new") + "?actor=nobody")
    assert response.status_code == 400
    assert "No actor is called “nobody”" in response.content.decode()


def test_a_stale_position_edit_shows_the_conflict_page(client, editor, reviewer):
    position = PositionFactory(stance=Stance.SUPPORT)
    stale = position.version
    from positions.services import position_update

    position_update(
        position=position, user=reviewer, reason="Reviewer", data={"stance": Stance.NEUTRAL}, expected_version=stale
    )
    client.force_login(editor)

    response = client.post(
        reverse("positions:position-edit", args=[position.pk]),
        _post(position.topic, actor=position.actor.slug, as_of="2025-02-17", stance=Stance.OPPOSE, version=stale),
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert "Neutral" in body and "Oppose" in body
    position.refresh_from_db()
    assert position.stance == Stance.NEUTRAL


def test_publishing_a_position_needs_published_evidence_and_records_the_reviewer(client, reviewer):
    position = PositionFactory()
    client.force_login(reviewer)
    url = reverse("positions:position-transition", args=[position.pk])

    refused = client.post(url, {"action": "publish", "reason": "ok", "version": position.version}, follow=True)
    assert "at least one published claim" in refused.content.decode()

    claim = CitationFactory(claim=ClaimFactory(speaker=position.actor, status=EditorialStatus.PUBLISHED)).claim
    position.evidence.add(claim)
    client.post(url, {"action": "publish", "reason": "Backed by the claim", "version": position.version})

    position.refresh_from_db()
    assert position.status == EditorialStatus.PUBLISHED
    row = position.history.first()
    assert (row.history_action, row.history_user, row.history_change_reason) == (
        HistoryAction.PUBLISHED,
        reviewer,
        "Backed by the claim",
    )


def test_an_editor_cannot_publish_a_position(client, editor):
    position = PositionFactory()
    client.force_login(editor)
    response = client.post(
        reverse("positions:position-transition", args=[position.pk]),
        {"action": "publish", "reason": "mine", "version": position.version},
    )
    assert response.status_code == 403
    position.refresh_from_db()
    assert position.status == EditorialStatus.DRAFT
