import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from core.choices import HistoryAction
from core.exceptions import ConflictError
from positions import services as position_services
from sources.models import Citation
from tests.factories import ActorFactory, ClaimFactory, SourceFactory, TopicFactory
from tracker import services
from tracker.choices import EditorialStatus
from tracker.models import Claim

pytestmark = pytest.mark.django_db


def _create_claim(user, **extra):
    speaker = extra.pop("speaker", None) or ActorFactory()
    source = SourceFactory()
    return services.claim_create(
        user=user,
        reason="Entered from the Paris briefing",
        data={"speaker": speaker, "text": "The UK is willing to send troops.", **extra},
        topics=[TopicFactory(), TopicFactory()],
        citations=[{"source": source, "excerpt": "the UK is willing to send troops"}],
    )


def test_creating_a_claim_leaves_one_history_row_with_user_reason_and_topics(editor):
    claim = _create_claim(editor)

    rows = list(claim.history.all())
    assert len(rows) == 1
    row = rows[0]
    assert row.history_user == editor
    assert row.history_change_reason == "Entered from the Paris briefing"
    assert row.history_action == HistoryAction.CREATED
    assert sorted(t.topic_id for t in row.topics.all()) == sorted(claim.topics.values_list("pk", flat=True))
    citation_rows = Citation.history.filter(claim_id=claim.pk)
    assert citation_rows.count() == 1
    # The claim and its citation were one change.
    assert citation_rows.get().history_change_id == row.history_change_id


def test_changing_topics_alone_leaves_one_history_row_with_the_new_topics(editor):
    claim = _create_claim(editor)
    new_topic = TopicFactory()

    services.claim_update(
        claim=claim, user=editor, reason="Retag", data={}, topics=[new_topic], expected_version=claim.version
    )

    assert claim.history.count() == 2
    latest = claim.history.first()
    assert [t.topic_id for t in latest.topics.all()] == [new_topic.pk]
    assert latest.history_change_reason == "Retag"
    delta = latest.diff_against(latest.prev_record)
    assert delta.changed_fields == ["topics"]


def test_an_update_that_changes_nothing_writes_no_history(editor):
    claim = _create_claim(editor)
    services.claim_update(claim=claim, user=editor, reason="No-op", data={"text": claim.text}, expected_version=1)
    assert claim.history.count() == 1


def test_publishing_a_claim_without_citation_is_refused(reviewer):
    claim = ClaimFactory()
    history_before = claim.history.count()

    with pytest.raises(ValidationError) as error:
        services.claim_publish(claim=claim, user=reviewer, reason="Looks fine")

    assert "at least one citation" in str(error.value.message_dict["citations"])
    claim.refresh_from_db()
    assert claim.status == EditorialStatus.DRAFT
    assert claim.history.count() == history_before


def test_editors_cannot_publish_but_reviewers_can(editor, reviewer):
    claim = _create_claim(editor)
    services.claim_submit(claim=claim, user=editor, reason="Ready for review")

    with pytest.raises(PermissionDenied):
        services.claim_publish(claim=claim, user=editor, reason="Self-publish")

    services.claim_publish(claim=claim, user=reviewer, reason="Checked against the source")
    claim.refresh_from_db()
    assert claim.status == EditorialStatus.PUBLISHED
    actions = list(claim.history.order_by("history_id").values_list("history_action", "history_user__username"))
    assert actions == [
        (HistoryAction.CREATED, "editor"),
        (HistoryAction.SUBMITTED, "editor"),
        (HistoryAction.PUBLISHED, "reviewer"),
    ]


def test_an_editor_cannot_change_a_published_claim(editor, reviewer):
    claim = _create_claim(reviewer)
    services.claim_publish(claim=claim, user=reviewer, reason="ok")
    with pytest.raises(PermissionDenied):
        services.claim_update(claim=claim, user=editor, reason="tweak", data={"text": "Other"}, expected_version=None)


def test_a_stale_version_is_refused_and_nothing_is_overwritten(editor, reviewer):
    claim = _create_claim(editor)
    services.claim_update(claim=claim, user=reviewer, reason="First", data={"context": "Paris"}, expected_version=1)

    with pytest.raises(ConflictError) as error:
        services.claim_update(claim=claim, user=editor, reason="Second", data={"context": "London"}, expected_version=1)

    assert error.value.current_version == 2
    claim.refresh_from_db()
    assert claim.context == "Paris"
    assert claim.history.count() == 2


def test_a_change_without_a_reason_is_refused(editor):
    with pytest.raises(ValidationError) as error:
        services.actor_create(user=editor, reason="  ", data={"name": "Emmanuel Macron", "kind": "person"})
    assert "reason" in error.value.message_dict


def test_a_future_date_is_refused_naming_the_field(editor):
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    with pytest.raises(ValidationError) as error:
        services.claim_create(
            user=editor, reason="x", data={"speaker": ActorFactory(), "text": "Hi", "stated_on": tomorrow}
        )
    assert "stated_on" in error.value.message_dict
    assert Claim.objects.count() == 0


def test_a_bad_citation_saves_nothing_of_the_claim(editor):
    with pytest.raises(ValidationError) as error:
        services.claim_create(
            user=editor,
            reason="x",
            data={"speaker": ActorFactory(), "text": "Hi"},
            citations=[{"source": SourceFactory(), "excerpt": "   "}],
        )
    assert "citations[0]" in error.value.message_dict
    assert Claim.objects.count() == 0
    assert Claim.history.count() == 0


def test_nul_characters_are_refused_with_the_field_named(editor):
    with pytest.raises(ValidationError) as error:
        services.claim_create(user=editor, reason="x", data={"speaker": ActorFactory(), "text": "a\x00b"})
    assert error.value.message_dict["text"] == ["NUL characters are not allowed."]


def test_the_database_refuses_a_blank_excerpt_even_without_services():
    claim = ClaimFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.create(claim=claim, source=SourceFactory(), excerpt="  ")


def test_a_rating_without_rationale_is_refused(editor):
    with pytest.raises(ValidationError) as error:
        services.claim_create(
            user=editor, reason="x", data={"speaker": ActorFactory(), "text": "Hi", "veracity": "false"}
        )
    assert "veracity_rationale" in error.value.message_dict


def test_retracting_the_only_evidence_of_a_published_position_is_refused(reviewer):
    claim = _create_claim(reviewer)
    services.claim_publish(claim=claim, user=reviewer, reason="ok")
    position = position_services.position_create(
        user=reviewer,
        reason="x",
        data={"actor": claim.speaker, "topic": TopicFactory(), "stance": "support", "as_of": datetime.date(2025, 2, 1)},
        evidence=[claim],
    )
    position_services.position_publish(position=position, user=reviewer, reason="ok")

    with pytest.raises(ValidationError) as error:
        services.claim_retract(claim=claim, user=reviewer, reason="Misattributed")

    assert "only published evidence" in str(error.value)
    claim.refresh_from_db()
    assert claim.status == EditorialStatus.PUBLISHED


def test_deleting_a_draft_claim_records_the_claim_and_its_citations(editor, reviewer):
    claim = _create_claim(editor)
    pk = claim.pk

    services.claim_delete(claim=claim, user=reviewer, reason="Duplicate entry")

    assert not Claim.objects.filter(pk=pk).exists()
    deleted = Claim.history.filter(id=pk, history_type="-").get()
    assert deleted.history_user == reviewer
    assert deleted.history_change_reason == "Duplicate entry"
    assert Citation.history.filter(claim_id=pk, history_type="-").count() == 1


def test_a_published_claim_cannot_be_deleted(reviewer):
    claim = _create_claim(reviewer)
    services.claim_publish(claim=claim, user=reviewer, reason="ok")
    with pytest.raises(PermissionDenied):
        services.claim_delete(claim=claim, user=reviewer, reason="oops")


def test_a_viewer_cannot_create_anything(viewer):
    with pytest.raises(PermissionDenied):
        services.actor_create(user=viewer, reason="x", data={"name": "X", "kind": "person"})
