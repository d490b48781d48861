"""Review of what partners see (issue 14, point 4): an actor, topic, role or source that published work
shows changes only with reviewer rights; editors delete only the drafts they created."""

import pytest
from django.core.exceptions import PermissionDenied

from core.roles import EDITORS
from positions import services as position_services
from positions.choices import Stance
from sources import services as source_services
from tests.conftest import _member
from tests.factories import ActorFactory, CitationFactory, ClaimFactory, PositionFactory, SourceFactory, TopicFactory
from tracker import services
from tracker.choices import EditorialStatus
from tracker.models import Actor, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    """Keir Starmer speaks in a published claim on a topic, from a source: partners see all three."""
    speaker = ActorFactory(name="Keir Starmer", slug="keir-starmer")
    topic = TopicFactory(title="Troops in Ukraine", slug="troops")
    claim = ClaimFactory(speaker=speaker, status=EditorialStatus.PUBLISHED)
    claim.topics.add(topic)
    source = SourceFactory(url="https://news.example.org/paris", stored_text="")
    CitationFactory(claim=claim, source=source, excerpt="ready")
    return {"speaker": speaker, "topic": topic, "source": source, "government": ActorFactory(name="UK government")}


def _refused(call):
    with pytest.raises(PermissionDenied) as refused:
        call()
    return str(refused.value)


def test_an_editor_cannot_change_an_actor_partners_see_and_nothing_is_written(editor, published):
    speaker = published["speaker"]
    rows = Actor.history.filter(id=speaker.pk).count()

    message = _refused(
        lambda: services.actor_update(
            actor=speaker, user=editor, reason="Typo", data={"summary": "PM"}, expected_version=speaker.version
        )
    )

    assert message == (
        "Partners see this actor through published work, so only a reviewer can change it. "
        "Ask a reviewer to make the change."
    )
    speaker.refresh_from_db()
    assert (speaker.summary, speaker.version) == ("", 1)
    assert Actor.history.filter(id=speaker.pk).count() == rows


def test_a_reviewer_changes_it_with_a_history_row(reviewer, published):
    speaker = published["speaker"]

    services.actor_update(actor=speaker, user=reviewer, reason="Typo", data={"summary": "PM"}, expected_version=1)

    row = Actor.history.filter(id=speaker.pk).latest("history_id")
    assert (row.summary, row.history_user, row.history_change_reason) == ("PM", reviewer, "Typo")


def test_an_editor_changes_what_only_the_team_sees(editor, published):
    draft_speaker = ActorFactory(name="Kaja Kallas")
    ClaimFactory(speaker=draft_speaker, status=EditorialStatus.IN_REVIEW)

    services.actor_update(actor=draft_speaker, user=editor, reason="Role", data={"summary": "EU"}, expected_version=1)

    assert Actor.history.filter(id=draft_speaker.pk).latest("history_id").history_user == editor


def test_an_editor_cannot_replace_the_stored_text_of_a_source_partners_see(editor, published):
    source = published["source"]

    message = _refused(
        lambda: source_services.source_update(
            source=source, user=editor, reason="Paste", data={"stored_text": "Other words."}, expected_version=1
        )
    )

    assert message.startswith("Partners see this source through published work")
    source.refresh_from_db()
    assert source.stored_text == ""


def test_an_editor_cannot_change_a_topic_partners_see(editor, published):
    topic = published["topic"]

    _refused(
        lambda: services.topic_update(topic=topic, user=editor, reason="r", data={"summary": "s"}, expected_version=1)
    )


def test_a_role_that_partners_would_see_at_once_needs_a_reviewer_and_is_rolled_back(editor, reviewer, published):
    PositionFactory(actor=published["government"], status=EditorialStatus.PUBLISHED, stance=Stance.SUPPORT)
    data = {"actor": published["speaker"], "organisation": published["government"], "title": "Prime Minister"}

    _refused(lambda: services.role_create(user=editor, reason="New role", data=data))

    assert not Role.objects.exists() and not Role.history.exists()
    role = services.role_create(user=reviewer, reason="New role", data=data)
    assert Role.history.get(id=role.pk).history_user == reviewer


def test_a_role_between_team_only_actors_is_an_editors_to_make(editor, published):
    data = {"actor": ActorFactory(), "organisation": published["government"], "title": "Adviser"}

    role = services.role_create(user=editor, reason="New role", data=data)

    assert Role.history.get(id=role.pk).history_user == editor


# --- Editors delete only their own drafts ------------------------------------------------------------


def _draft_by(user, text="We will see."):
    return services.claim_create(user=user, reason="Entered", data={"speaker": ActorFactory(), "text": text})


def test_an_editor_deletes_their_own_draft(editor):
    claim = _draft_by(editor)

    services.claim_delete(claim=claim, user=editor, reason="Duplicate")

    row = type(claim).history.filter(id=claim.pk).latest("history_id")
    assert (row.history_type, row.history_user, row.history_change_reason) == ("-", editor, "Duplicate")


def test_an_editor_cannot_delete_another_editors_draft_but_a_reviewer_can(editor, reviewer):
    colleague = _member("colleague", EDITORS)
    claim = _draft_by(colleague)

    message = _refused(lambda: services.claim_delete(claim=claim, user=editor, reason="Mine now"))

    assert message == "Only a reviewer can delete a claim someone else created; yours you may delete."
    assert type(claim).objects.filter(pk=claim.pk).exists()
    services.claim_delete(claim=claim, user=reviewer, reason="Duplicate")
    assert not type(claim).objects.filter(pk=claim.pk).exists()


def test_an_editor_cannot_delete_a_partners_proposal_in_review(editor, partner_submitter):
    claim = _draft_by(partner_submitter.user, "A partner's tip.")
    claim = services.claim_submit(claim=claim, user=partner_submitter.user, reason="Tip")

    _refused(lambda: services.claim_delete(claim=claim, user=editor, reason="Spam?"))

    assert type(claim).objects.get(pk=claim.pk).status == EditorialStatus.IN_REVIEW


def test_an_editor_cannot_delete_another_editors_draft_position(editor):
    colleague = _member("colleague", EDITORS)
    position = position_services.position_create(
        user=colleague,
        reason="r",
        data={"actor": ActorFactory(), "topic": TopicFactory(), "stance": Stance.OPPOSE, "as_of": "2025-02-17"},
    )

    _refused(lambda: position_services.position_delete(position=position, user=editor, reason="r"))

    position_services.position_delete(position=position, user=colleague, reason="Mine")
    assert not type(position).objects.filter(pk=position.pk).exists()
