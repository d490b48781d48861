"""Partner webhooks end to end against a local receiver: the feed's own events, signed to the Standard
Webhooks specification (verified here with the `standardwebhooks` library), in order, retried, given
up on and disabled with a notice, replayed from a cursor; a dead endpoint holds up no other."""

import datetime
import json
import time

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from core.feed import sequence_feed
from core.models import FeedEvent, FeedSequence
from push import services, tasks
from push.choices import AttemptOutcome, DeliveryStatus
from push.models import WebhookDelivery, WebhookEndpoint
from push.webhooks import delivering, fanout
from tests.api.conftest import client_for
from tests.push.conftest import api_client
from tests.push.support import REASON, deliver, published_claim
from tracker import services as tracker_services

pytestmark = pytest.mark.django_db


def _endpoint(partner, receiver, path="/hook", **fields):
    return services.webhook_endpoint_create(partner=partner, url=receiver.url(path), **fields)


def _verified(endpoint, received):
    """The payloads, each verified with the library against the endpoint's secret."""
    return [Webhook(endpoint.secret).verify(r.body, r.headers) for r in received]


def test_a_published_claim_arrives_signed_as_the_feeds_own_events(editor, reviewer, partner_reader, receiver):
    endpoint = _endpoint(partner_reader.partner, receiver)
    start = endpoint.cursor

    published_claim(editor, reviewer)
    deliver()

    received = receiver.to("/hook")
    payloads = _verified(endpoint, received)
    feed = client_for(partner_reader).get(f"/api/v1/changes/?after={start}&page_size=100").json()["results"]
    assert [p["data"] for p in payloads] == feed
    assert {p["type"] for p in payloads} == {"actors.upsert", "claims.upsert", "sources.upsert", "citations.upsert"}
    assert [p["data"]["seq"] for p in payloads] == sorted(
        FeedEvent.objects.filter(seq__gt=start).values_list("seq", flat=True)
    )
    assert [r.headers["webhook-id"] for r in received] == [f"msg_{endpoint.pk}_{p['data']['seq']}" for p in payloads]
    deliveries = list(WebhookDelivery.objects.filter(endpoint=endpoint).order_by("seq"))
    assert {d.status for d in deliveries} == {DeliveryStatus.DELIVERED}
    assert [list(d.attempt_log.values_list("outcome", "status_code")) for d in deliveries] == [
        [(AttemptOutcome.SUCCESS, 200)]
    ] * len(deliveries)


def test_a_signature_made_with_another_secret_is_refused_by_the_library(editor, reviewer, partner_reader, receiver):
    endpoint = _endpoint(partner_reader.partner, receiver)
    published_claim(editor, reviewer)
    deliver()

    received = next(r for r in receiver.to("/hook") if b"troops" in r.body)
    stranger = services.webhook_endpoint_create(partner=partner_reader.partner, url=receiver.url("/other"))
    with pytest.raises(WebhookVerificationError):
        Webhook(stranger.secret).verify(received.body, received.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(received.body.replace(b"troops", b"tanks"), received.headers)


def test_drafts_send_nothing_and_event_types_filter(editor, reviewer, partner_reader, receiver):
    all_events = _endpoint(partner_reader.partner, receiver, "/all")
    claims_only = _endpoint(partner_reader.partner, receiver, "/claims", event_types=["claims.upsert"])
    speaker = tracker_services.actor_create(user=editor, reason=REASON, data={"name": "Bo", "kind": "person"})
    tracker_services.claim_create(user=editor, reason=REASON, data={"speaker": speaker, "text": "Draft words."})
    deliver()
    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()

    published_claim(editor, reviewer, speaker=speaker)
    deliver()

    assert len(receiver.to("/all")) == 4
    assert [p["type"] for p in _verified(claims_only, receiver.to("/claims"))] == ["claims.upsert"]
    assert all_events.deliveries.count() == 4


def test_a_failing_endpoint_is_retried_with_back_off_in_order(editor, reviewer, partner_reader, receiver):
    receiver.on("/flaky", statuses=[500, 503, 200])
    endpoint = _endpoint(partner_reader.partner, receiver, "/flaky", event_types=["claims.upsert", "actors.upsert"])

    published_claim(editor, reviewer)
    deliver()

    # The head failed: nothing behind it is sent until it succeeds.
    head = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("seq").first()
    assert [json.loads(r.body)["data"]["seq"] for r in receiver.to("/flaky")] == [head.seq]
    assert head.attempts == 1 and head.status == DeliveryStatus.PENDING
    first_wait = (head.next_attempt_at - head.last_attempted_at).total_seconds()
    assert 0.04 <= first_wait <= 0.1

    for _ in range(2):
        time.sleep(0.25)
        tasks.deliver_endpoint(endpoint.pk)

    seqs = [json.loads(r.body)["data"]["seq"] for r in receiver.to("/flaky")]
    second = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("seq").last()
    assert seqs == [head.seq, head.seq, head.seq, second.seq]
    assert {r.headers["webhook-id"] for r in receiver.to("/flaky")[:3]} == {head.message_id}
    head.refresh_from_db()
    assert list(head.attempt_log.values_list("outcome", "status_code")) == [
        (AttemptOutcome.HTTP_ERROR, 500),
        (AttemptOutcome.HTTP_ERROR, 503),
        (AttemptOutcome.SUCCESS, 200),
    ]
    assert head.status == DeliveryStatus.DELIVERED and head.attempts == 3
    assert _verified(endpoint, receiver.to("/flaky"))[-1]["data"]["seq"] == second.seq


def test_waits_double_up_to_the_cap(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 10
    settings.WEBHOOK_RETRY_MAX_SECONDS = 6 * 3600
    waits = [delivering.backoff_seconds(n) for n in (1, 2, 3, 13, 30)]
    assert 9 <= waits[0] <= 11 and 18 <= waits[1] <= 22 and 36 <= waits[2] <= 44
    assert waits[3] == pytest.approx(6 * 3600, rel=0.11) and waits[4] == pytest.approx(6 * 3600, rel=0.11)


def test_an_endpoint_failing_for_three_days_is_disabled_with_a_notice_and_resumes_when_enabled(
    editor, reviewer, other_partner, receiver, django_capture_on_commit_callbacks
):
    receiver.on("/down", statuses=[502])
    endpoint = _endpoint(other_partner.partner, receiver, "/down", event_types=["claims.upsert", "actors.upsert"])
    published_claim(editor, reviewer)
    deliver()
    head = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("seq").first()
    # Three days pass with the endpoint still failing.
    WebhookDelivery.objects.filter(pk=head.pk).update(
        first_attempted_at=timezone.now() - datetime.timedelta(hours=72, minutes=1), next_attempt_at=timezone.now()
    )

    with django_capture_on_commit_callbacks(execute=True):
        tasks.deliver_endpoint(endpoint.pk)

    head.refresh_from_db()
    endpoint.refresh_from_db()
    assert head.status == DeliveryStatus.FAILED and head.attempts == 2
    assert endpoint.is_active is False
    assert f"Event {head.seq} (actors.upsert) failed 2 times" in endpoint.disabled_reason
    assert "HTTP 502" in endpoint.disabled_reason
    assert [m.to for m in mail.outbox] == [["alerts@other.example"]]
    assert endpoint.url in mail.outbox[0].subject and endpoint.disabled_reason in mail.outbox[0].body
    shown = api_client(other_partner).get(f"/api/v1/webhook-endpoints/{endpoint.pk}/").json()
    assert shown["is_active"] is False and shown["disabled_reason"] == endpoint.disabled_reason
    # Disabled: nothing more is sent.
    sent = len(receiver.to("/down"))
    tasks.dispatch_webhooks()
    assert len(receiver.to("/down")) == sent

    receiver.on("/down", statuses=[200])
    response = api_client(other_partner).patch(
        f"/api/v1/webhook-endpoints/{endpoint.pk}/", {"is_active": True}, format="json"
    )
    assert response.status_code == 200 and response.json()["disabled_reason"] == ""
    tasks.dispatch_webhooks()

    seqs = [p["data"]["seq"] for p in _verified(endpoint, receiver.to("/down")[sent:])]
    assert seqs == list(WebhookDelivery.objects.filter(endpoint=endpoint).order_by("seq").values_list("seq", flat=True))
    assert set(WebhookDelivery.objects.filter(endpoint=endpoint).values_list("status", flat=True)) == {"delivered"}


def test_a_dead_endpoint_holds_up_no_other(editor, reviewer, partner_reader, receiver):
    receiver.on("/dead", hang=True)
    dead = _endpoint(partner_reader.partner, receiver, "/dead")
    healthy = _endpoint(partner_reader.partner, receiver, "/ok")

    started = time.monotonic()
    published_claim(editor, reviewer)
    deliver()
    elapsed = time.monotonic() - started

    assert len(receiver.to("/ok")) == 4
    assert set(healthy.deliveries.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}
    # The dead one cost one attempt of at most the timeout; its queue waits behind its head.
    dead_rows = list(dead.deliveries.order_by("seq"))
    assert [d.attempts for d in dead_rows] == [1, 0, 0, 0]
    assert dead_rows[0].attempt_log.get().outcome == AttemptOutcome.TIMEOUT
    assert elapsed < 1.0 + 3.0


def test_one_chain_per_endpoint_and_a_killed_workers_lease_runs_out(editor, reviewer, partner_reader, receiver):
    endpoint = _endpoint(partner_reader.partner, receiver)
    published_claim(editor, reviewer)
    sequence_feed()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tasks, "_send", lambda *args, **kwargs: None)  # fan out only
        tasks.fan_out()
    token = delivering.acquire(endpoint.pk)  # a chain running elsewhere

    assert delivering.deliver_chain(endpoint.pk).busy is True
    assert receiver.received == []

    # That worker was killed: its lease runs out and the dispatcher starts a new chain.
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(lease_until=timezone.now() - datetime.timedelta(seconds=1))
    assert token and delivering.due_endpoints() == [endpoint.pk]
    tasks.dispatch_webhooks()

    assert len(receiver.to("/hook")) == 4
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).lease_until is None


def test_fanning_out_twice_queues_each_event_once(editor, reviewer, partner_reader, receiver):
    endpoint = _endpoint(partner_reader.partner, receiver)
    published_claim(editor, reviewer)
    deliver()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(cursor=endpoint.cursor)  # as if the cursor move was lost

    tasks.fan_out()

    assert endpoint.deliveries.count() == 4
    assert len(receiver.to("/hook")) == 4


def test_replay_from_a_feed_cursor_sends_again_in_order_with_new_ids(editor, reviewer, partner_reader, receiver):
    start = FeedSequence.objects.get_or_create(pk=1)[0].last_seq
    endpoint = _endpoint(partner_reader.partner, receiver)
    published_claim(editor, reviewer)
    deliver()
    first = receiver.to("/hook")

    response = api_client(partner_reader).post(
        f"/api/v1/webhook-endpoints/{endpoint.pk}/replay/", {"after": start}, format="json"
    )
    assert response.status_code == 202 and response.json()["replay_round"] == 1
    tasks.fan_out()

    again = receiver.to("/hook")[len(first) :]
    assert [json.loads(r.body)["data"] for r in again] == [json.loads(r.body)["data"] for r in first]
    assert [r.headers["webhook-id"] for r in again] == [r.headers["webhook-id"] + "_r1" for r in first]
    assert all(p for p in _verified(endpoint, again))


def test_an_endpoint_that_now_resolves_to_a_private_address_is_not_contacted(
    editor, reviewer, partner_reader, receiver, settings
):
    settings.FETCH_STATIC_HOSTS = {"hooks.partner.test": "127.0.0.1"}
    endpoint = services.webhook_endpoint_create(
        partner=partner_reader.partner, url=f"http://hooks.partner.test:{receiver.port}/hook"
    )
    settings.FETCH_ALLOWED_NETWORKS = []  # production: 127.0.0.1 is private
    published_claim(editor, reviewer)
    deliver()

    assert receiver.received == []
    head = endpoint.deliveries.order_by("seq").first()
    attempt = head.attempt_log.get()
    assert attempt.outcome == AttemptOutcome.BLOCKED_UNSAFE and "non-public address 127.0.0.1" in attempt.error


def test_endpoints_at_one_cursor_share_one_fan_out_and_one_replaying_holds_back_none(
    editor, reviewer, partner_reader, receiver, settings, django_assert_num_queries
):
    published_claim(editor, reviewer)
    sequence_feed()
    start = FeedSequence.objects.get(pk=1).last_seq
    published_claim(editor, reviewer, text="We will send tanks.")
    sequence_feed()
    endpoints = [_endpoint(partner_reader.partner, receiver, f"/e{i}", after=start) for i in range(5)]
    replaying = _endpoint(partner_reader.partner, receiver, "/replay", after=0)
    settings.WEBHOOK_FANOUT_BATCH = 2  # the replaying endpoint is far behind: several batches
    assert fanout.endpoints_behind() == [[replaying.pk], [e.pk for e in endpoints]]

    renders = fanout.RenderCache()  # rendered once per run for every endpoint, as tasks.fan_out does
    renders.entries_for(list(FeedEvent.objects.filter(seq__gt=start)))
    # The five that keep up: one lock, one feed read, one insert, one cursor update (in a savepoint here),
    # whatever their number.
    with django_assert_num_queries(6):
        counts, more = fanout.fan_out_endpoints([e.pk for e in endpoints], cache=renders)
    assert counts == {e.pk: 2 for e in endpoints} and more is True
    assert {e.cursor for e in WebhookEndpoint.objects.filter(pk__in=[e.pk for e in endpoints])} == {start + 2}

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tasks, "_send", lambda *args, **kwargs: None)  # fan out only
        tasks.fan_out()
        tasks.fan_out()
    last = FeedSequence.objects.get(pk=1).last_seq
    assert {e.cursor for e in WebhookEndpoint.objects.filter(pk__in=[e.pk for e in endpoints])} == {last}
    assert WebhookDelivery.objects.filter(endpoint__in=endpoints).count() == 5 * (last - start)
    # The one replaying from the start moved at its own pace, in its own batches.
    assert WebhookEndpoint.objects.get(pk=replaying.pk).cursor < last
