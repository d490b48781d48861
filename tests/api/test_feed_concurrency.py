"""Feed numbers follow commit order when two writers overlap (real transactions and connections)."""

import threading
import time

import pytest
from django.db import OperationalError, connection, connections

from core.history import change_set
from core.models import FeedEvent
from tests.factories import CitationFactory, ClaimFactory
from tracker import services
from tracker.choices import EditorialStatus
from tracker.models import Actor


@pytest.mark.django_db(transaction=True)
def test_a_writer_that_starts_later_waits_and_gets_the_later_number(reviewer):
    first_claim = ClaimFactory(status=EditorialStatus.PUBLISHED)
    CitationFactory(claim=first_claim)
    second_claim = ClaimFactory(status=EditorialStatus.PUBLISHED)
    CitationFactory(claim=second_claim)
    a, b = first_claim.speaker, second_claim.speaker
    first_wrote, second_done = threading.Event(), threading.Event()
    timeline = []

    def slow_writer():
        try:
            with change_set():
                actor = Actor.objects.get(pk=a.pk)
                services.actor_update(
                    actor=actor, user=reviewer, reason="slow", data={"summary": "A"}, expected_version=1
                )
                first_wrote.set()
                time.sleep(0.8)  # the other writer starts now and must wait for this commit
                timeline.append("first commits")
        finally:
            connections.close_all()

    def fast_writer():
        try:
            first_wrote.wait(5)
            for _ in range(200):
                try:
                    actor = Actor.objects.get(pk=b.pk)
                    services.actor_update(
                        actor=actor, user=reviewer, reason="fast", data={"summary": "B"}, expected_version=1
                    )
                    break
                except OperationalError:
                    # SQLite's shared in-memory test database refuses at once instead of waiting as
                    # PostgreSQL (row lock) and file SQLite (busy timeout) do; wait the same way here.
                    time.sleep(0.05)
            timeline.append("second commits")
            second_done.set()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=slow_writer), threading.Thread(target=fast_writer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert timeline == ["first commits", "second commits"]
    seq_a = FeedEvent.objects.filter(resource="actors", object_id=a.pk).latest("seq").seq
    seq_b = FeedEvent.objects.filter(resource="actors", object_id=b.pk).latest("seq").seq
    assert seq_a < seq_b
    seqs = list(FeedEvent.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert connection.vendor in ("sqlite", "postgresql")
