"""A burst of writes queues one feed-numbering run, not one each (core/nudges.py), and loses none."""

import pytest
from celery import current_app
from django.core.cache import cache

from core.feed import SEQUENCE_QUEUED_KEY
from core.models import FeedEvent, FeedPending
from core.tasks import feed_sequence
from tests.conftest import forget_pending_on_commit
from tests.push.support import published_claim
from tests.sources.test_checks_due import broker_unreachable

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_waiting_message():
    cache.delete(SEQUENCE_QUEUED_KEY)
    yield
    cache.delete(SEQUENCE_QUEUED_KEY)


@pytest.fixture
def broker(monkeypatch):
    """The broker's side of `delay`: the messages it took, not run until the test says so."""
    taken: list[str] = []
    monkeypatch.setattr(current_app.tasks["core.tasks.feed_sequence"], "delay", lambda: taken.append("sequence") or 1)
    return taken


def _committed_claim(editor, reviewer, text, capture):
    with capture(execute=True) as callbacks:  # the writes commit
        claim = published_claim(editor, reviewer, text=text)
    assert any(getattr(callback, "is_feed_sequencing", False) for callback in callbacks)
    forget_pending_on_commit()  # committed: the next write is a transaction of its own
    return claim


def _claims_in_feed() -> set[int]:
    return set(FeedEvent.objects.filter(resource="claims", op="upsert").values_list("object_id", flat=True))


def test_a_burst_of_writes_queues_one_run_which_numbers_them_all(
    editor, reviewer, broker, django_capture_on_commit_callbacks
):
    claims = [_committed_claim(editor, reviewer, text, django_capture_on_commit_callbacks) for text in "ABC"]

    assert broker == ["sequence"]
    assert FeedPending.objects.exists() and not FeedEvent.objects.exists()

    feed_sequence()  # the one queued run, when a worker takes it

    assert not FeedPending.objects.exists()
    assert _claims_in_feed() == {claim.pk for claim in claims}
    # Once it started, the next write queues the next run.
    _committed_claim(editor, reviewer, "D", django_capture_on_commit_callbacks)
    assert broker == ["sequence", "sequence"]


def test_a_message_the_broker_refused_holds_back_no_later_one(editor, reviewer, django_capture_on_commit_callbacks):
    with broker_unreachable():
        first = _committed_claim(editor, reviewer, "A", django_capture_on_commit_callbacks)
    assert FeedPending.objects.exists() and cache.get(SEQUENCE_QUEUED_KEY) is None

    second = _committed_claim(editor, reviewer, "B", django_capture_on_commit_callbacks)  # the broker is back (eager)

    assert _claims_in_feed() == {first.pk, second.pk}
