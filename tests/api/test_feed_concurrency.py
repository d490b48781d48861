"""Overlapping writers with real transactions: nobody waits for a stalled writer, and the feed still
never skips an event and ends on the latest state (core/feed.py, docs/design.md "Changes feed")."""

import threading
import time

import pytest
from django.db import OperationalError, connection, connections

from core.feed import sequence_feed
from core.history import change_set
from core.models import FeedEvent, FeedPending
from tests.api.conftest import client_for
from tests.api.test_changes_feed import _lists, _replay
from tests.factories import CitationFactory, ClaimFactory
from tracker import services
from tracker.choices import EditorialStatus
from tracker.models import Actor

STALL_SECONDS = 3


def _published_speaker(reviewer):
    claim = ClaimFactory(status=EditorialStatus.PUBLISHED)
    CitationFactory(claim=claim)
    return claim.speaker


def _retrying(write):
    """SQLite's shared in-memory test database refuses a second writer at once instead of waiting as
    PostgreSQL (row locks only) and file SQLite (busy timeout) do; wait the same way here."""
    for _ in range(400):
        try:
            return write()
        except OperationalError:
            time.sleep(0.05)
    raise AssertionError("the writer never got its turn")


@pytest.mark.django_db(transaction=True)
def test_a_stalled_writer_holds_up_nobody_and_its_change_is_numbered_after_it_commits(reviewer, partner_reader):
    slow_actor, fast_actor = _published_speaker(reviewer), _published_speaker(reviewer)
    sequence_feed()
    client = client_for(partner_reader)
    mirror, cursor = _replay(client)
    stalled, release = threading.Event(), threading.Event()
    timeline, errors = [], []

    def slow_writer():
        try:
            with change_set():
                services.actor_update(
                    actor=Actor.objects.get(pk=slow_actor.pk),
                    user=reviewer,
                    reason="slow",
                    data={"summary": "Written by the stalled transaction"},
                    expected_version=1,
                )
                stalled.set()
                release.wait(STALL_SECONDS * 4)  # the transaction stays open, its row locked
            timeline.append("slow commits")
        except Exception as error:  # surfaced by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    def fast_writer():
        try:
            stalled.wait(10)
            _retrying(
                lambda: services.actor_update(
                    actor=Actor.objects.get(pk=fast_actor.pk),
                    user=reviewer,
                    reason="fast",
                    data={"summary": "Written while the other stalls"},
                    expected_version=1,
                )
            )
            timeline.append("fast commits")
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    slow = threading.Thread(target=slow_writer)
    fast = threading.Thread(target=fast_writer)
    slow.start()
    fast.start()
    if connection.vendor == "postgresql":
        # Different records, no shared lock: the fast writer finishes while the other is still open.
        fast.join(STALL_SECONDS)
        assert timeline == ["fast commits"], "the fast writer waited for the stalled one"
        # A reader during the stall sees the fast change, numbered, and nothing of the stalled one.
        mirror, cursor = _replay(client, cursor, mirror=mirror)
        assert mirror["actors"][fast_actor.pk]["summary"] == "Written while the other stalls"
        assert mirror["actors"][slow_actor.pk]["summary"] != "Written by the stalled transaction"
    release.set()
    slow.join(30)
    fast.join(30)
    assert not errors, errors

    # After the stalled writer commits, the same reader resumes from its cursor and misses nothing.
    mirror, cursor = _replay(client, cursor, mirror=mirror)
    assert mirror == _lists(client)
    assert mirror["actors"][slow_actor.pk]["summary"] == "Written by the stalled transaction"
    assert not FeedPending.objects.exists()
    seqs = list(FeedEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    if connection.vendor == "postgresql":
        assert timeline == ["fast commits", "slow commits"]
        slow_seq = FeedEvent.objects.filter(resource="actors", object_id=slow_actor.pk).latest("seq").seq
        fast_seq = FeedEvent.objects.filter(resource="actors", object_id=fast_actor.pk).latest("seq").seq
        assert fast_seq < slow_seq  # numbered in the order the changes became visible


@pytest.mark.django_db(transaction=True)
def test_two_writers_of_one_record_leave_the_feed_on_the_state_after_both(reviewer, partner_reader):
    actor = _published_speaker(reviewer)
    client = client_for(partner_reader)
    started = threading.Event()
    errors = []

    def writer(summary, *, first):
        try:

            def write():
                current = Actor.objects.get(pk=actor.pk)
                services.actor_update(
                    actor=current, user=reviewer, reason=summary, data={"summary": summary}, expected_version=None
                )

            if first:
                with change_set():
                    write()
                    started.set()
                    time.sleep(1)  # the second writer waits on the row lock meanwhile
            else:
                started.wait(10)
                _retrying(write)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=writer, args=("first",), kwargs={"first": True}),
        threading.Thread(target=writer, args=("second",), kwargs={"first": False}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors

    mirror, _ = _replay(client)
    assert mirror["actors"][actor.pk]["summary"] == "second"
    assert mirror == _lists(client)
