import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.choices import HistoryAction
from core.exceptions import ConflictError
from positions import services
from positions.models import Position
from tests.factories import ActorFactory, CitationFactory, ClaimFactory, TopicFactory
from tracker.choices import EditorialStatus

pytestmark = pytest.mark.django_db


def _position(user, *, evidence=(), **extra):
    data = {"actor": ActorFactory(), "topic": TopicFactory(), "stance": "support", "as_of": datetime.date(2025, 2, 17)}
    data.update(extra)
    return services.position_create(user=user, reason="From the Paris briefing", data=data, evidence=evidence)


def test_creating_a_position_records_its_evidence_in_one_history_row(editor):
    claims = [ClaimFactory(), ClaimFactory()]
    position = _position(editor, evidence=claims)

    row = position.history.get()
    assert (row.history_user, row.history_change_reason, row.history_action) == (
        editor,
        "From the Paris briefing",
        HistoryAction.CREATED,
    )
    assert sorted(link.claim_id for link in row.evidence.all()) == sorted(c.pk for c in claims)


def test_publishing_a_position_without_published_evidence_is_refused(reviewer):
    position = _position(reviewer, evidence=[ClaimFactory(status=EditorialStatus.DRAFT)])

    with pytest.raises(ValidationError) as error:
        services.position_publish(position=position, user=reviewer, reason="ok")

    assert "published claim" in str(error.value.message_dict["evidence"])
    position.refresh_from_db()
    assert position.status == EditorialStatus.DRAFT
    assert position.history.count() == 1


def test_a_published_position_is_refused_an_edit_that_removes_its_last_published_evidence(reviewer):
    published = CitationFactory(claim__status=EditorialStatus.PUBLISHED).claim
    position = _position(reviewer, evidence=[published])
    services.position_publish(position=position, user=reviewer, reason="ok")

    with pytest.raises(ValidationError):
        services.position_update(
            position=position, user=reviewer, reason="swap", data={}, evidence=[ClaimFactory()], expected_version=None
        )
    assert list(position.evidence.all()) == [published]


def test_a_month_precision_date_is_stored_as_the_first_of_the_month(editor):
    position = _position(editor, as_of=datetime.date(2025, 2, 17), as_of_precision="month")
    assert position.as_of == datetime.date(2025, 2, 1)
    assert position.as_of_display == "February 2025"


def test_two_live_positions_for_the_same_actor_topic_and_date_are_refused(editor):
    first = _position(editor)
    with pytest.raises(ValidationError) as error:
        _position(editor, actor=first.actor, topic=first.topic)
    assert "already has a position" in str(error.value)
    assert Position.objects.count() == 1


def test_concurrent_edits_of_a_position_never_overwrite_each_other(editor, reviewer):
    position = _position(editor)
    services.position_update(position=position, user=editor, reason="a", data={"summary": "A"}, expected_version=1)
    with pytest.raises(ConflictError):
        services.position_update(
            position=position, user=reviewer, reason="b", data={"summary": "B"}, expected_version=1
        )
    position.refresh_from_db()
    assert (position.summary, position.version) == ("A", 2)


def test_editors_cannot_publish_positions(editor):
    published = CitationFactory(claim__status=EditorialStatus.PUBLISHED).claim
    position = _position(editor, evidence=[published])
    with pytest.raises(PermissionDenied):
        services.position_publish(position=position, user=editor, reason="ok")
