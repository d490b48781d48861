"""The team's pages: the Follow button on the claim, actor, topic and source pages, the unread count in the navigation,
marking read, the watchlist and the email preference."""

import pytest
from django.urls import reverse

from push import services
from push.choices import EmailMode, EventKind, FollowKind
from push.models import Follow, Notification, NotificationPreference
from tests.factories import ActorFactory, ClaimFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db


def _notify(user, n=1):
    for i in range(n):
        services.notify(
            user_ids=[user.pk], kind=EventKind.CLAIM_PUBLISHED, event_key=f"e:{i}", title=f"Event {i}", url="/claims/"
        )


def test_the_claim_page_has_a_follow_button_that_follows_and_then_unfollows(client, viewer):
    claim = ClaimFactory()
    client.force_login(viewer)
    page = client.get(reverse("tracker:claim-detail", args=[claim.pk])).content.decode()
    assert 'id="follow-button"' in page and "Follow this claim" in page

    response = client.post(
        reverse("push:follow"), {"kind": "claim", "object_id": claim.pk, "next": f"/claims/{claim.pk}/"}
    )

    assert response.status_code == 302 and response["Location"] == f"/claims/{claim.pk}/"
    assert list(Follow.objects.values_list("user__username", "kind", "object_id", "reason")) == [
        ("viewer", "claim", claim.pk, "chosen")
    ]
    page = client.get(reverse("tracker:claim-detail", args=[claim.pk])).content.decode()
    assert 'id="unfollow-button"' in page
    client.post(reverse("push:unfollow"), {"kind": "claim", "object_id": claim.pk})
    assert not Follow.objects.exists()


@pytest.mark.parametrize(
    ("factory", "kind", "url"),
    [
        (ActorFactory, "actor", lambda o: reverse("positions:actor-detail", args=[o.slug])),
        (TopicFactory, "topic", lambda o: reverse("positions:topic-detail", args=[o.slug])),
        (SourceFactory, "source", lambda o: reverse("sources:source-detail", args=[o.pk])),
    ],
)
def test_the_actor_topic_and_source_pages_have_a_follow_button_that_follows(client, viewer, factory, kind, url):
    record = factory()
    client.force_login(viewer)
    page = client.get(url(record)).content.decode()
    assert f'name="kind" value="{kind}"' in page and f'name="object_id" value="{record.pk}"' in page
    assert f"Follow this {kind}" in page

    client.post(reverse("push:follow"), {"kind": kind, "object_id": record.pk, "next": url(record)})

    assert list(Follow.objects.values_list("user__username", "kind", "object_id")) == [("viewer", kind, record.pk)]
    assert 'id="unfollow-button"' in client.get(url(record)).content.decode()


def test_following_a_record_that_does_not_exist_is_404_and_off_site_next_is_ignored(client, viewer):
    client.force_login(viewer)
    assert client.post(reverse("push:follow"), {"kind": "actor", "object_id": 999}).status_code == 404
    claim = ClaimFactory()
    response = client.post(
        reverse("push:follow"), {"kind": "claim", "object_id": claim.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("push:watchlist")


def test_people_outside_the_team_cannot_follow(client, outsider):
    claim = ClaimFactory()
    client.force_login(outsider)
    assert client.post(reverse("push:follow"), {"kind": "claim", "object_id": claim.pk}).status_code == 403
    assert not Follow.objects.exists()


def test_the_navigation_shows_the_unread_count_and_marking_read_lowers_it(
    client, viewer, django_assert_max_num_queries
):
    _notify(viewer, 3)
    client.force_login(viewer)
    page = client.get("/").content.decode()
    assert 'id="unread-count" aria-label="3 unread">3<' in page

    first = Notification.objects.filter(user=viewer).order_by("id").first()
    client.post(reverse("push:notification-read", args=[first.pk]))
    assert 'aria-label="2 unread">2<' in client.get("/").content.decode()
    assert Notification.objects.get(pk=first.pk).read_at is not None

    with django_assert_max_num_queries(12):
        listing = client.get(reverse("push:notification-list")).content.decode()
    assert listing.count('class="notification unread"') == 2 and "Event 0" in listing

    client.post(reverse("push:notification-read-all"))
    assert 'id="unread-count"' not in client.get("/").content.decode()
    assert not Notification.objects.filter(user=viewer, read_at__isnull=True).exists()


def test_nobody_marks_someone_elses_notification_read(client, viewer, editor):
    _notify(editor)
    client.force_login(viewer)
    note = Notification.objects.get(user=editor)
    assert client.post(reverse("push:notification-read", args=[note.pk])).status_code == 404
    assert Notification.objects.get(pk=note.pk).read_at is None


def test_the_watchlist_lists_what_i_follow(client, viewer):
    claim = ClaimFactory(text="Troops will go.")
    services.follow_add(user=viewer, kind=FollowKind.CLAIM, object_id=claim.pk)
    client.force_login(viewer)
    page = client.get(reverse("push:watchlist")).content.decode()
    assert str(claim).replace(":", ":") in page and "Followed" in page


def test_the_email_preference_is_saved(client, viewer):
    client.force_login(viewer)
    response = client.post(reverse("push:preferences"), {"email_mode": "immediate"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=viewer).email_mode == EmailMode.IMMEDIATE
