"""Following an actor in a real browser (issue 17): Follow on the actor's page, another member
publishes a claim by that actor, the unread count appears in the navigation, the notification is in
the list and is marked read.

Screenshots go to test-artifacts/screenshots/ (git-ignored).
"""

import pytest

from core.roles import EDITORS, REVIEWERS, VIEWERS
from push.choices import EventKind, FollowKind, FollowReason
from push.models import Follow, Notification
from sources import services as source_services
from tests.browser.test_editing_in_a_browser import _login, _member, _shot
from tracker import services as tracker_services
from tracker.choices import EditorialStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Browser test"


def test_follow_an_actor_then_see_and_read_the_notification_of_a_claim_published_by_it(browser, live_server):
    editor = _member("editor", EDITORS)
    _member("reviewer", REVIEWERS)
    watcher = _member("watcher", VIEWERS)
    actor = tracker_services.actor_create(user=editor, reason=REASON, data={"name": "Anna Kovalenko", "kind": "person"})

    # The watcher follows the actor on its page.
    page = _login(browser, live_server, "watcher")
    assert page.locator("#unread-count").count() == 0
    page.goto(f"{live_server.url}/actors/{actor.slug}/")
    page.click("#follow-button")
    page.wait_for_selector("text=You follow this actor now.")
    assert page.locator("#unfollow-button").is_visible()
    assert Follow.objects.filter(
        user=watcher, kind=FollowKind.ACTOR, object_id=actor.pk, reason=FollowReason.CHOSEN
    ).exists()
    _shot(page, "follow-01-actor-followed")

    # Another member enters a claim by that actor; a reviewer publishes it on its page.
    source = source_services.source_create(
        user=editor, reason=REASON, data={"url": "https://news.example.org/kyiv", "title": "Kyiv visit"}
    )
    claim = tracker_services.claim_create(
        user=editor,
        reason=REASON,
        data={"speaker": actor, "text": "We will reopen the embassy in Kyiv."},
        citations=[{"source": source, "excerpt": "reopen the embassy"}],
    )
    tracker_services.claim_submit(claim=claim, user=editor, reason=REASON)
    reviewer = _login(browser, live_server, "reviewer")
    reviewer.goto(f"{live_server.url}/claims/{claim.pk}/")
    reviewer.fill("#reason-publish", "Checked against the source")
    reviewer.click("button:has-text('Publish')")
    reviewer.wait_for_selector("text=Claim published.")
    claim.refresh_from_db()
    assert claim.status == EditorialStatus.PUBLISHED

    # The watcher's next page shows one unread notification in the navigation.
    page.reload()
    assert page.locator("#unread-count").inner_text() == "1"
    assert page.locator("#unread-count").get_attribute("aria-label") == "1 unread"
    page.click("#notifications-link")
    row = page.locator("tr.notification.unread")
    assert row.count() == 1
    assert f"Claim published: {claim}" in row.inner_text() and "reviewer" in row.inner_text()
    assert row.locator(f"a[href='/claims/{claim.pk}/']").count() == 1
    _shot(page, "follow-02-notification-unread")

    row.locator("button:has-text('Mark read')").click()
    page.wait_for_selector("tr.notification:not(.unread)")
    assert page.locator("tr.notification.unread").count() == 0
    assert page.locator("#unread-count").count() == 0
    _shot(page, "follow-03-notification-read")
    note = Notification.objects.get(user=watcher)
    assert note.kind == EventKind.CLAIM_PUBLISHED and note.read_at is not None
    assert note.actor.username == "reviewer"
