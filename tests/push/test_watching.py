"""Watchlists: who hears about what, derived from the history rows and the source checks."""

import datetime

import pytest

from core.choices import HistoryAction
from positions import services as position_services
from positions.choices import Stance
from push import services
from push.choices import EventKind, FollowKind, FollowReason
from push.models import Follow, Notification
from sources import checking
from sources import services as source_services
from tests.factories import UserFactory
from tests.push.support import REASON, published_claim
from tests.sources.checking_support import news_site_server
from tracker import services as tracker_services
from tracker.models import Claim

pytestmark = pytest.mark.django_db


def _notes(user):
    return list(
        Notification.objects.filter(user=user).order_by("id").values_list("kind", "title", "body", "actor__username")
    )


@pytest.fixture
def watcher(db):
    from django.contrib.auth.models import Group

    from core.roles import VIEWERS

    user = UserFactory(username="watcher", email="watcher@example.org")
    user.groups.add(Group.objects.get(name=VIEWERS))
    return user


def test_creators_follow_what_they_create_and_hear_it_was_published(editor, reviewer, watcher):
    claim = published_claim(editor, reviewer)

    assert Follow.objects.filter(user=editor, reason=FollowReason.OWN).values_list("kind", "object_id").count() == 3
    assert Follow.objects.filter(user=editor, kind=FollowKind.CLAIM, object_id=claim.pk).exists()
    assert _notes(editor) == [(EventKind.MINE_PUBLISHED, f"Your claim was published: {claim}", "", "reviewer")]
    assert _notes(reviewer) == [] and _notes(watcher) == []


def test_followers_of_an_actor_or_topic_hear_of_publication_and_retraction(editor, reviewer, watcher, viewer):
    speaker = tracker_services.actor_create(user=editor, reason=REASON, data={"name": "Anna", "kind": "person"})
    topic = tracker_services.topic_create(user=editor, reason=REASON, data={"title": "Troops", "question": "Send?"})
    services.follow_add(user=watcher, kind=FollowKind.ACTOR, object_id=speaker.pk)
    services.follow_add(user=viewer, kind=FollowKind.TOPIC, object_id=topic.pk)

    claim = published_claim(editor, reviewer, speaker=speaker, topics=[topic])
    tracker_services.claim_retract(claim=claim, user=reviewer, reason="The quote was misattributed.")

    expected = [
        (EventKind.CLAIM_PUBLISHED, f"Claim published: {claim}", "", "reviewer"),
        (EventKind.CLAIM_RETRACTED, f"Claim retracted: {claim}", "The quote was misattributed.", "reviewer"),
    ]
    assert _notes(watcher) == expected
    assert _notes(viewer) == expected
    row = Notification.objects.filter(user=watcher).first()
    assert row.url == f"/claims/{claim.pk}/"
    history_id = Claim.history.filter(id=claim.pk, history_action=HistoryAction.RETRACTED).get().history_id
    assert row.event_key == f"tracker.claim:h{history_id}"


def test_a_returned_item_tells_its_author_the_reviewers_comment(editor, reviewer):
    speaker = tracker_services.actor_create(user=editor, reason=REASON, data={"name": "Bo", "kind": "person"})
    source = source_services.source_create(user=editor, reason=REASON, data={"url": "https://n.example.org/b"})
    claim = tracker_services.claim_create(
        user=editor,
        reason=REASON,
        data={"speaker": speaker, "text": "Words."},
        citations=[{"source": source, "excerpt": "w"}],
    )
    claim = tracker_services.claim_submit(claim=claim, user=editor, reason="Ready")
    tracker_services.claim_return(claim=claim, user=reviewer, reason="Cite the transcript, not the summary.")

    assert _notes(editor) == [
        (
            EventKind.MINE_RETURNED,
            f"Your claim was returned to draft: {claim}",
            "Cite the transcript, not the summary.",
            "reviewer",
        )
    ]


def test_someone_elses_edit_of_my_item_notifies_me_but_my_own_does_not(editor, reviewer):
    speaker = tracker_services.actor_create(user=editor, reason=REASON, data={"name": "Cy", "kind": "person"})
    speaker = tracker_services.actor_update(
        actor=speaker, user=editor, reason="My own fix", data={"summary": "x"}, expected_version=speaker.version
    )
    assert _notes(editor) == []

    tracker_services.actor_update(
        actor=speaker,
        user=reviewer,
        reason="Fixed the spelling",
        data={"name": "Cyrus"},
        expected_version=speaker.version,
    )

    assert _notes(editor) == [
        (EventKind.MINE_EDITED, "reviewer edited your actor: Cyrus", "Fixed the spelling", "reviewer")
    ]


def test_unfollowing_my_own_item_silences_it(editor, reviewer):
    speaker = tracker_services.actor_create(user=editor, reason=REASON, data={"name": "Di", "kind": "person"})
    services.follow_remove(user=editor, kind=FollowKind.ACTOR, object_id=speaker.pk)
    tracker_services.actor_update(actor=speaker, user=reviewer, reason="r", data={"name": "Dee"}, expected_version=1)
    assert _notes(editor) == []


def test_a_position_published_on_a_followed_topic_notifies(editor, reviewer, watcher):
    claim = published_claim(editor, reviewer)
    topic = tracker_services.topic_create(user=editor, reason=REASON, data={"title": "Aid", "question": "Aid?"})
    services.follow_add(user=watcher, kind=FollowKind.TOPIC, object_id=topic.pk)
    position = position_services.position_create(
        user=editor,
        reason=REASON,
        data={"actor": claim.speaker, "topic": topic, "stance": Stance.SUPPORT, "as_of": datetime.date(2025, 2, 1)},
        evidence=[claim],
    )
    position = position_services.position_publish(position=position, user=reviewer, reason=REASON)

    assert _notes(watcher) == [(EventKind.POSITION_CHANGED, f"Position published: {position}", "", "reviewer")]


def test_an_excerpt_found_missing_notifies_the_followers_of_its_source_once(editor, reviewer, watcher):
    source = source_services.source_create(
        user=editor, reason=REASON, data={"url": "https://n.example.org/s", "stored_text": "Nothing about troops here."}
    )
    claim = published_claim(editor, reviewer, source=source)
    services.follow_add(user=watcher, kind=FollowKind.SOURCE, object_id=source.pk)

    checking.source_check(source_id=source.pk)
    checking.source_check(source_id=source.pk)  # same verdict again: nothing new to say

    assert _notes(watcher) == [
        (
            EventKind.EXCERPT_FLAGGED,
            f"Excerpt missing in its source: {claim}",
            "Cited excerpt: “send troops” (similarity " + f"{claim.citations.get().quote_check.score:.0f}).",
            None,
        )
    ]
    assert (EventKind.EXCERPT_FLAGGED, claim.pk) in [
        (n.kind, int(n.url.strip("/").split("/")[-1])) for n in Notification.objects.filter(user=editor)
    ]


def test_a_source_gone_dead_notifies_the_followers_of_claims_citing_it(editor, reviewer, watcher, settings):
    settings.SOURCE_CHECK_DEAD_AFTER_FAILURES = 1
    settings.SOURCE_CHECK_DEAD_AFTER_DAYS = 0
    with news_site_server(settings) as server:
        server.add("/gone", status=410)
        source = source_services.source_create(
            user=editor, reason=REASON, data={"url": server.url("/gone", host="news.test")}
        )
        claim = published_claim(editor, reviewer, source=source)
        services.follow_add(user=watcher, kind=FollowKind.CLAIM, object_id=claim.pk)

        checking.source_check(source_id=source.pk)

    dead = Notification.objects.get(user=watcher, kind=EventKind.SOURCE_DEAD)
    assert dead.title == f"Source dead: {source}" and dead.url == f"/sources/{source.pk}/"
    assert dead.body.startswith("Gone (404/410)")
    assert dead.event_key == f"sources.sourcecheck:{source.checks.get().pk}"


def test_an_event_processed_twice_notifies_once(editor, watcher):
    for _ in range(2):
        services.notify(user_ids=[watcher.pk], kind=EventKind.CLAIM_PUBLISHED, event_key="tracker.claim:h1", title="t")
    assert Notification.objects.filter(user=watcher).count() == 1
