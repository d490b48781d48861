"""Notification email through a real local SMTP server (aiosmtpd): one per event, the daily digest,
and the signed one-click unsubscribe."""

import re

import pytest
from django.urls import reverse

from push import emails, services, tasks
from push.choices import EmailMode, EventKind, FollowKind
from push.models import Notification, NotificationPreference
from tests.factories import UserFactory
from tests.push.support import published_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def watcher(db):
    from django.contrib.auth.models import Group

    from core.roles import VIEWERS

    user = UserFactory(username="watcher", email="watcher@example.org")
    user.groups.add(Group.objects.get(name=VIEWERS))
    return user


def _text(message) -> str:
    return message.get_payload(decode=True).decode("utf-8")


def test_one_email_per_event_reaches_the_smtp_server(
    editor, reviewer, watcher, smtp_server, django_capture_on_commit_callbacks
):
    services.preference_set(user=watcher, email_mode=EmailMode.IMMEDIATE)
    speaker = published_claim(editor, reviewer, text="First.").speaker
    services.follow_add(user=watcher, kind=FollowKind.ACTOR, object_id=speaker.pk)

    with django_capture_on_commit_callbacks(execute=True):
        claim = published_claim(editor, reviewer, speaker=speaker, text="Second words.")

    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "watcher@example.org"
    assert message["Subject"] == f"[Tracker] Claim published: {claim}"
    assert f"https://tracker.example.org/claims/{claim.pk}/" in _text(message)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Notification.objects.get(user=watcher).emailed_at is not None
    # The editor is on the default daily digest: no mail now.
    assert [m["To"] for m in smtp_server.messages] == ["watcher@example.org"]


def test_the_daily_digest_lists_every_unmailed_notification_once_a_day(watcher, smtp_server):
    for i, title in enumerate(["Claim published: A", "Source dead: B"]):
        services.notify(
            user_ids=[watcher.pk], kind=EventKind.CLAIM_PUBLISHED, event_key=f"k{i}", title=title, url="/x/"
        )

    assert tasks.send_digests() == 1
    assert tasks.send_digests() == 0  # already sent today
    services.notify(user_ids=[watcher.pk], kind=EventKind.SOURCE_DEAD, event_key="k9", title="Later")
    assert tasks.send_digests() == 0  # tomorrow's

    assert len(smtp_server.messages) == 1
    digest = smtp_server.messages[0]
    assert digest["Subject"] == "[Tracker] Your daily digest: 2 notifications"
    body = _text(digest)
    assert "* Claim published: A" in body and "* Source dead: B" in body and "Later" not in body
    assert body.count("https://tracker.example.org/x/") == 2
    assert set(Notification.objects.filter(emailed_at__isnull=False).values_list("event_key", flat=True)) == {
        "k0",
        "k1",
    }


def test_the_unsubscribe_link_in_the_mail_stops_email_in_one_click(client, watcher, smtp_server):
    services.notify(user_ids=[watcher.pk], kind=EventKind.CLAIM_PUBLISHED, event_key="k", title="T")
    emails.send_digest(watcher.pk)
    message = smtp_server.messages[0]
    link = re.search(r"https://tracker\.example\.org(/notifications/unsubscribe/\S+/)", _text(message)).group(1)
    assert message["List-Unsubscribe"].strip() == f"<https://tracker.example.org{link}>"

    assert "Stop all notification email to watcher?" in client.get(link).content.decode()
    assert NotificationPreference.objects.get(user=watcher).email_mode == EmailMode.DIGEST  # GET changes nothing
    response = client.post(link)  # what a mail client's one-click does: no login, no CSRF token

    assert response.status_code == 200 and 'id="unsubscribed"' in response.content.decode()
    assert NotificationPreference.objects.get(user=watcher).email_mode == EmailMode.OFF
    services.notify(user_ids=[watcher.pk], kind=EventKind.CLAIM_PUBLISHED, event_key="k2", title="T2")
    NotificationPreference.objects.filter(user=watcher).update(last_digest_at=None)
    assert tasks.send_digests() == 0 and len(smtp_server.messages) == 1


def test_a_forged_unsubscribe_link_is_refused(client, watcher):
    token = services.unsubscribe_token(watcher)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = client.post(reverse("push:unsubscribe", args=[forged]))
    assert response.status_code == 400
    assert not NotificationPreference.objects.filter(user=watcher).exists()
