"""A real Celery worker on Redis delivering webhooks from the PostgreSQL test database is killed in
the middle of a POST: nothing is lost, and the one event in flight is the only one sent twice, with
the same `webhook-id` (at least once, as the partner is told).

As in tests/sources/test_celery_integration.py: the worker is a separate process, so the test data is
committed (`transactional_db`), and it consumes a queue of its own (WEBHOOK_QUEUE), so workers of other
test runs on the same Redis never take its messages.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone
from standardwebhooks import Webhook

from core.models import FeedSequence
from push import services
from push.choices import DeliveryStatus
from push.models import WebhookDelivery, WebhookEndpoint
from tests.push.support import published_claim
from tests.sources.test_celery_integration import REDIS_URL, Worker, _broker_url, worker_environment
from tests.sources.test_checks_due import broker_unreachable

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# Short enough that the worker is killed mid-POST and its lease runs out within the test.
WEBHOOK_LIMITS = {"WEBHOOK_TIMEOUT_SECONDS": "3", "WEBHOOK_CHAIN_SECONDS": "1"}


@pytest.fixture
def webhook_worker(receiver, tmp_path):
    if not REDIS_URL:
        pytest.skip("needs Redis: set REDIS_URL (make test runs these when it is set)")
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker process must share the test database (set DATABASE_URL)")
    queue = f"test-push-{uuid.uuid4().hex}"
    env = worker_environment(
        **WEBHOOK_LIMITS,
        WEBHOOK_QUEUE=queue,
        SITE_URL=settings.SITE_URL,
        FETCH_ALLOWED_PORTS=str(receiver.port),
    )
    started: list[Worker] = []

    def start() -> Worker:
        worker = Worker(env, queue, tmp_path / "worker.log")
        started.append(worker)
        return worker

    start.queue = queue
    start.log = tmp_path / "worker.log"
    yield start
    for worker in started:
        worker.stop()


def _beat_tick(queue: str) -> None:
    """What beat sends every WEBHOOK_DISPATCH_EVERY_SECONDS: the dispatcher, on the webhook queue."""
    sender = Celery("test-sender", broker=_broker_url(), set_as_current=False)
    try:
        sender.send_task("push.tasks.dispatch_webhooks", queue=queue)
    finally:
        sender.close()


def _until(condition, *, timeout: float, log, what: str, every=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if every:
            every()
        time.sleep(0.05 if not every else 2)
    pytest.fail(f"Timed out waiting for {what}. Worker log:\n{log.read_text(errors='replace')[-4000:]}")


def test_a_worker_killed_mid_post_loses_nothing_and_resends_only_the_event_in_flight(
    editor, reviewer, partner_reader, receiver, webhook_worker
):
    start = FeedSequence.objects.get_or_create(pk=1)[0].last_seq
    published_claim(editor, reviewer)  # numbered here (eagerly); no endpoint yet, so nothing fans out
    receiver.on("/hook", hangs=1)  # the first POST gets no answer: the worker is killed while it waits
    with broker_unreachable():  # registered while the broker is down: only the dispatcher knows of it
        endpoint = services.webhook_endpoint_create(
            partner=partner_reader.partner, url=receiver.url("/hook"), after=start
        )
    first = webhook_worker()
    _beat_tick(webhook_worker.queue)

    _until(lambda: receiver.to("/hook"), timeout=180, log=webhook_worker.log, what="the first POST")
    first.kill()
    killed_at = time.monotonic()
    seqs = list(WebhookDelivery.objects.filter(endpoint=endpoint).order_by("seq").values_list("seq", flat=True))
    assert len(seqs) == 4 and not WebhookDelivery.objects.exclude(status=DeliveryStatus.PENDING).exists()
    lease_left = (WebhookEndpoint.objects.get(pk=endpoint.pk).lease_until - timezone.now()).total_seconds()
    assert lease_left > 20  # the dead chain's lease: nobody else may send to this endpoint meanwhile

    webhook_worker()
    _until(
        lambda: not WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).exists(),
        timeout=lease_left + 180,
        log=webhook_worker.log,
        what="every delivery",
        every=lambda: _beat_tick(webhook_worker.queue),
    )

    # Nothing was sent again before the lease ran out (a second chain beside the first would break the order).
    received = receiver.to("/hook")
    assert received[1].at >= killed_at + lease_left - 1
    payloads = [Webhook(endpoint.secret).verify(r.body, r.headers) for r in received]
    assert [p["data"]["seq"] for p in payloads] == [seqs[0], *seqs]
    assert [r.headers["webhook-id"] for r in received] == [f"msg_{endpoint.pk}_{seq}" for seq in [seqs[0], *seqs]]
    assert [json.loads(r.body) for r in received[:2]] == [payloads[0]] * 2
    deliveries = list(WebhookDelivery.objects.filter(endpoint=endpoint).order_by("seq"))
    assert {d.status for d in deliveries} == {DeliveryStatus.DELIVERED}
    # The killed attempt was never recorded: each delivery has one logged, successful attempt.
    assert [d.attempt_log.count() for d in deliveries] == [1, 1, 1, 1]
