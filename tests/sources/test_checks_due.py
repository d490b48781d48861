"""The database decides which sources are due for a check; the broker message is only a nudge.

"Check now", a changed URL or stored text and a new or edited citation mark the source due in the
same transaction as the write; the dispatcher on beat picks up every due source, so a check asked for
while the broker (Redis) is down runs once it is back. The broker is made unreachable for real: Celery
is pointed at a closed port, not eager, so every send fails the way it does when Redis is down.
"""

import contextlib
import datetime
import threading
import time

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from core.history import get_system_user, save_bookkeeping
from sources import checking, services, tasks
from sources.choices import CheckOutcome, QuoteStatus
from sources.models import Citation, Source, SourceCheck
from tests.conftest import forget_pending_on_commit
from tests.factories import CitationFactory, ClaimFactory, SourceFactory
from tests.sources.checking_support import ARTICLE_PARAGRAPHS, article_html, page_url
from tracker import services as tracker_services

pytestmark = pytest.mark.django_db

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"
UK_EXCERPT = "ready and willing to put troops on the ground in Ukraine"
OLD_TEXT = "The minister said the budget will grow. Nurses will get a pay rise of four percent next year."
NEW_TEXT = "The minister said the budget will grow. Teachers will be hired in every region."
NURSES = "Nurses will get a pay rise of four percent next year"
BUDGET = "the budget will grow"


@contextlib.contextmanager
def broker_unreachable():
    """Celery sends to a closed port (tests otherwise run tasks eagerly, with no broker at all)."""
    assert tasks.check_source.app is celery_app  # no other Celery app was left current by an earlier test
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.broker_url, celery_app._pool, celery_app.amqp._producer_pool)
    conf.task_always_eager, conf.broker_url = False, CLOSED_PORT_BROKER
    # Connections are pooled per app: start from none, so the closed port is really dialled.
    celery_app._pool = celery_app.amqp._producer_pool = None
    try:
        yield
    finally:
        conf.task_always_eager, conf.broker_url = saved[0], saved[1]
        celery_app._pool, celery_app.amqp._producer_pool = saved[2], saved[3]


def _due_ids() -> set[int]:
    return set(tasks.due_sources_query(timezone.now()).values_list("pk", flat=True))


def _checked_stored_text_source(*excerpts: str) -> tuple[Source, list[Citation]]:
    """A stored-text source, its citations verified, and no longer due (stored text has no schedule)."""
    source = SourceFactory(url="", title="Budget interview transcript", stored_text=OLD_TEXT)
    citations = [CitationFactory(source=source, excerpt=excerpt) for excerpt in excerpts]
    checking.source_check(source_id=source.pk)
    source.refresh_from_db()
    assert source.next_check_at is None and source.pk not in _due_ids()
    forget_pending_on_commit()
    return source, citations


# --- "Check now" with the broker down -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_check_now_with_the_broker_down_leaves_the_source_due_and_the_dispatcher_checks_it(client, editor, news_server):
    news_server.add("/article", body=article_html())
    source = SourceFactory(url=page_url(news_server, "/article"), title="")
    citation = CitationFactory(source=source, excerpt=UK_EXCERPT)
    history_before = source.history.count()
    client.force_login(editor)

    with broker_unreachable():
        page = client.post(reverse("sources:source-check", args=[source.pk]), follow=True).content.decode()

    # Committed (each request commits on its own here): due in the database, not checked, and the
    # page does not pretend the check was queued.
    assert "Queued" not in page
    assert "scheduled but not queued yet" in page and "It runs when the worker is back" in page
    assert 'id="check-pending"' in page
    source.refresh_from_db()
    assert source.check_requested_at is not None
    assert source.next_check_at == source.check_requested_at <= timezone.now()
    assert source.pk in _due_ids()
    assert not SourceCheck.objects.exists() and news_server.requests == []
    assert source.history.count() == history_before  # asking for a check is bookkeeping, not an edit

    # The broker is back: the next beat tick books the source and its check runs (eagerly here).
    assert tasks.dispatch_due_sources() == 1

    check = SourceCheck.objects.get(source=source)
    assert check.outcome == CheckOutcome.OK and check.task_id
    citation.refresh_from_db()
    assert (citation.quote_status, citation.quote_check.source_check) == (QuoteStatus.PRESENT, check)
    source.refresh_from_db()
    assert source.check_requested_at is None and source.next_check_at > timezone.now() + datetime.timedelta(hours=23)
    assert source.pk not in _due_ids() and tasks.dispatch_due_sources() == 0
    # The only history row is the check's own metadata fill, by the system user, saying why.
    latest = source.history.first()
    assert source.history.count() == history_before + 1
    assert (latest.history_user, latest.history_change_reason) == (get_system_user(), checking.METADATA_REASON)
    assert latest.title == "Leaders meet in Paris on Ukraine"  # filled from the page
    page = client.get(reverse("sources:source-detail", args=[source.pk])).content.decode()
    assert 'id="check-pending"' not in page and "Queued" not in page


@pytest.mark.django_db(transaction=True)
def test_check_now_says_queued_when_the_broker_took_the_check(client, editor, monkeypatch):
    source = SourceFactory(url="", stored_text=OLD_TEXT)
    sent = []
    monkeypatch.setattr(tasks, "send_check", lambda source_id: sent.append(source_id) or True)  # the broker took it
    client.force_login(editor)

    page = client.post(reverse("sources:source-check", args=[source.pk]), follow=True).content.decode()

    assert sent == [source.pk]
    assert "Queued a check of" in page and "not queued" not in page
    # Booked for the worker that has it: the dispatcher does not queue it a second time meanwhile.
    source.refresh_from_db()
    assert source.check_requested_at is not None
    assert source.next_check_at > timezone.now() + datetime.timedelta(hours=1)
    assert tasks.dispatch_due_sources() == 0 and sent == [source.pk]
    # The worker runs it: the request is answered and cleared.
    tasks.check_source.apply(args=[source.pk], task_id="nudged")
    source.refresh_from_db()
    assert source.check_requested_at is None and source.next_check_at is None
    assert SourceCheck.objects.get(source=source).task_id == "nudged"


# --- Stored text replaced during an outage ----------------------------------------------------------


def test_a_stored_text_replaced_while_the_broker_is_down_is_reverified_by_the_dispatcher(
    editor, django_capture_on_commit_callbacks
):
    source, (nurses, budget) = _checked_stored_text_source(NURSES, BUDGET)
    nurses.refresh_from_db()
    assert nurses.quote_status == QuoteStatus.PRESENT

    with broker_unreachable(), django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.source_update(
            source=source,
            user=editor,
            reason="Transcript corrected against the recording",
            data={"stored_text": NEW_TEXT},
            expected_version=source.version,
        )

    assert [callback.check_request.sent for callback in callbacks if hasattr(callback, "check_request")] == [False]
    assert SourceCheck.objects.filter(source=source).count() == 1  # only the first one
    latest = source.history.first()
    assert (latest.history_user, latest.history_change_reason, latest.stored_text) == (
        editor,
        "Transcript corrected against the recording",
        NEW_TEXT,
    )
    assert source.pk in _due_ids()

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.dispatch_due_sources() == 1

    check = SourceCheck.objects.filter(source=source).latest()
    assert check.outcome == CheckOutcome.STORED_TEXT and check.text_changed
    nurses.refresh_from_db()
    budget.refresh_from_db()
    assert (nurses.quote_status, nurses.quote_check.source_check) == (QuoteStatus.MISSING, check)
    assert (budget.quote_status, budget.quote_check.source_check) == (QuoteStatus.PRESENT, check)
    source.refresh_from_db()
    assert (source.check_requested_at, source.next_check_at) == (None, None)
    assert source.history.first().history_id == latest.history_id  # the check recorded no history row


def test_a_stored_text_edited_after_the_check_read_it_is_verified_as_it_is_now(editor, monkeypatch):
    source, (nurses,) = _checked_stored_text_source(NURSES)
    real_observe = checking._observe

    def observe_then_edit(observed):
        observation = real_observe(observed)
        # The edit commits between the check's read and its row lock (it marks the source due itself).
        services.source_update(
            source=observed, user=editor, reason="New transcript", data={"stored_text": NEW_TEXT}, expected_version=None
        )
        return observation

    monkeypatch.setattr(checking, "_observe", observe_then_edit)

    check = checking.source_check(source_id=source.pk)

    nurses.refresh_from_db()
    assert check.fingerprint == checking.content.fingerprint(NEW_TEXT)
    assert nurses.quote_status == QuoteStatus.MISSING
    source.refresh_from_db()
    assert source.check_requested_at is None  # this check answered the edit's request
    assert (source.history.first().history_user, source.history.first().history_change_reason) == (
        editor,
        "New transcript",
    )


# --- New and edited citations -------------------------------------------------------------------


class _RollbackError(Exception):
    pass


def test_a_new_citation_marks_its_source_due_in_the_same_transaction(editor):
    source, _ = _checked_stored_text_source(BUDGET)
    claim = ClaimFactory()

    with pytest.raises(_RollbackError), transaction.atomic():
        services.citation_create(
            user=editor, reason="Cite the transcript", claim=claim, data={"source": source, "excerpt": NURSES}
        )
        assert source.pk in _due_ids()  # inside the transaction, before any commit
        raise _RollbackError

    assert source.pk not in _due_ids()
    source.refresh_from_db()
    assert (source.check_requested_at, source.next_check_at) == (None, None)
    assert not Citation.objects.filter(claim=claim).exists()

    citation = services.citation_create(
        user=editor, reason="Cite the transcript", claim=claim, data={"source": source, "excerpt": NURSES}
    )

    source.refresh_from_db()
    assert source.pk in _due_ids() and source.check_requested_at == source.next_check_at
    assert citation.quote_status == QuoteStatus.UNVERIFIED
    latest = citation.history.first()
    assert (latest.history_user, latest.history_change_reason, latest.excerpt) == (
        editor,
        "Cite the transcript",
        NURSES,
    )


def test_an_edited_excerpt_marks_its_source_due(editor):
    source, (citation,) = _checked_stored_text_source(BUDGET)
    citation.refresh_from_db()

    services.citation_update(
        citation=citation,
        user=editor,
        reason="Quote the pay rise instead",
        data={"excerpt": NURSES},
        expected_version=citation.version,
    )

    assert source.pk in _due_ids()
    latest = citation.history.first()
    assert (latest.history_user, latest.history_change_reason, latest.excerpt) == (
        editor,
        "Quote the pay rise instead",
        NURSES,
    )


def test_a_new_claim_with_citations_marks_their_source_due_once(editor, django_capture_on_commit_callbacks):
    source, _ = _checked_stored_text_source(BUDGET)

    with broker_unreachable(), django_capture_on_commit_callbacks(execute=True) as callbacks:
        claim = tracker_services.claim_create(
            user=editor,
            reason="From the transcript",
            data={"speaker": ClaimFactory().speaker, "text": "Nurses get four percent."},
            citations=[{"source": source, "excerpt": NURSES}, {"source": source, "excerpt": BUDGET}],
        )

    nudges = [callback for callback in callbacks if hasattr(callback, "check_request")]
    assert len(nudges) == 1 and nudges[0].check_request.sent is False
    assert source.pk in _due_ids()
    assert claim.history.first().history_user == editor

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.dispatch_due_sources() == 1
    assert dict(Citation.objects.filter(claim=claim).values_list("excerpt", "quote_status")) == {
        NURSES: QuoteStatus.PRESENT,
        BUDGET: QuoteStatus.PRESENT,
    }


# --- The dispatcher and checks in flight ----------------------------------------------------------


def test_the_dispatcher_leaves_sources_due_when_the_broker_refuses_them(django_capture_on_commit_callbacks):
    sources = [SourceFactory(url="", stored_text=OLD_TEXT) for _ in range(3)]

    with broker_unreachable(), django_capture_on_commit_callbacks(execute=True):
        assert tasks.dispatch_due_sources() == 3

    # Not left booked for the length of a lease: due again at the next tick.
    assert _due_ids() == {source.pk for source in sources}
    assert not SourceCheck.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.dispatch_due_sources() == 3
    assert SourceCheck.objects.filter(outcome=CheckOutcome.STORED_TEXT).count() == 3
    assert _due_ids() == set()


def test_the_dispatcher_takes_asked_for_checks_before_overdue_ones(settings):
    settings.SOURCE_CHECK_DISPATCH_BATCH = 1
    overdue = SourceFactory()
    overdue.next_check_at, overdue.last_checked_at = timezone.now() - datetime.timedelta(days=3), timezone.now()
    save_bookkeeping(overdue, fields=["next_check_at", "last_checked_at"])
    asked, _ = _checked_stored_text_source(BUDGET)
    tasks.enqueue_check(asked.pk)
    forget_pending_on_commit()

    with transaction.atomic():
        assert tasks.book_due_sources() == [asked.pk]


def test_a_check_asked_for_while_a_check_was_fetching_stays_pending(news_server, monkeypatch):
    news_server.add("/article", body=article_html())
    source = SourceFactory(url=page_url(news_server, "/article"))
    CitationFactory(source=source, excerpt=UK_EXCERPT)
    real_fetch = checking.fetch_page

    def fetch_then_ask(url, **kwargs):
        result = real_fetch(url, **kwargs)
        tasks.enqueue_check(source.pk)  # "Check now" pressed while the page was being fetched
        return result

    monkeypatch.setattr(checking, "fetch_page", fetch_then_ask)
    forget_pending_on_commit()

    check = checking.source_check(source_id=source.pk)

    assert check.outcome == CheckOutcome.OK  # recorded and applied...
    source.refresh_from_db()
    assert source.check_requested_at is not None and source.pk in _due_ids()  # ...and still asked for
    assert check.next_check_at == source.next_check_at


def test_a_check_of_a_url_the_source_no_longer_has_is_recorded_but_not_applied(news_server, editor, monkeypatch):
    news_server.add("/old", body=article_html())
    news_server.add("/new", body=article_html(ARTICLE_PARAGRAPHS[:1]))
    source = SourceFactory(url=page_url(news_server, "/old"))
    citation = CitationFactory(source=source, excerpt=UK_EXCERPT)
    real_fetch = checking.fetch_page

    def fetch_then_move(url, **kwargs):
        result = real_fetch(url, **kwargs)
        services.source_update(
            source=Source.objects.get(pk=source.pk),
            user=editor,
            reason="The article moved",
            data={"url": page_url(news_server, "/new")},
            expected_version=None,
        )
        return result

    monkeypatch.setattr(checking, "fetch_page", fetch_then_move)
    forget_pending_on_commit()

    check = checking.source_check(source_id=source.pk)

    assert check.error == checking.OUTDATED_NOTE and check.citation_checks.count() == 0
    citation.refresh_from_db()
    assert citation.quote_status == QuoteStatus.UNVERIFIED
    source.refresh_from_db()
    assert source.pk in _due_ids() and source.last_checked_at is None
    latest = source.history.first()
    assert (latest.history_user, latest.history_change_reason, latest.url) == (
        editor,
        "The article moved",
        page_url(news_server, "/new"),
    )


@pytest.mark.django_db(transaction=True)
def test_an_excerpt_edited_while_its_source_is_being_checked_waits_instead_of_deadlocking(editor):
    """A check holds its source's row and then writes each citation's verdict; an excerpt edit marks the
    source due. Both take the source before the citation, or PostgreSQL would abort one of them."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises the two transactions instead")
    source = SourceFactory(url="", title="Transcript", stored_text=OLD_TEXT)
    citation = CitationFactory(source=source, excerpt=BUDGET)
    source_locked, edit_started = threading.Event(), threading.Event()
    failures = []

    def check_writing_verdicts():
        try:
            with transaction.atomic():
                Source.objects.select_for_update().get(pk=source.pk)  # as sources.checking._record does
                source_locked.set()
                edit_started.wait(10)
                time.sleep(0.5)  # the edit is now waiting on a lock
                verdict = Citation.objects.get(pk=citation.pk)
                verdict.quote_status = QuoteStatus.PRESENT
                save_bookkeeping(verdict, fields=["quote_status"])
        except Exception as error:  # reported below
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=check_writing_verdicts)
    thread.start()
    assert source_locked.wait(10)
    edit_started.set()
    services.citation_update(
        citation=citation,
        user=editor,
        reason="Quote the pay rise",
        data={"excerpt": NURSES},
        expected_version=citation.version,
    )
    thread.join(10)

    assert failures == []
    # Committed, then nudged (eagerly here): the new excerpt was checked after the edit.
    citation.refresh_from_db()
    assert (citation.quote_status, citation.quote_check.excerpt) == (QuoteStatus.PRESENT, NURSES)
    latest = citation.history.first()
    assert (latest.history_user, latest.history_change_reason, latest.excerpt) == (
        editor,
        "Quote the pay rise",
        NURSES,
    )


@pytest.mark.django_db(transaction=True)
def test_the_admins_check_now_says_scheduled_not_queued_when_the_broker_is_down(client, reviewer):
    source = SourceFactory(url="https://news.example.org/paris", title="Paris")
    client.force_login(reviewer)

    with broker_unreachable():
        page = client.post(
            reverse("admin:sources_source_changelist"),
            {"action": "check_now", "_selected_action": [source.pk], "reason": "Recheck"},
            follow=True,
        ).content.decode()

    assert "Queued a check" not in page
    assert "1 check(s) are scheduled but not queued yet" in page
    source.refresh_from_db()
    assert source.pk in _due_ids() and source.check_requested_at is not None


def test_a_burst_of_edits_while_a_check_is_queued_asks_for_no_second_check(editor, monkeypatch):
    """Four citations of one new URL saved one after the other: one queued check answers them all."""
    sent = []
    monkeypatch.setattr(tasks, "send_check", lambda source_id: sent.append(source_id) or True)
    source = SourceFactory(url="https://news.example.org/trt", title="TRT")
    claim = ClaimFactory()
    forget_pending_on_commit()
    # The first citation asks for a check; its nudge reaches the broker and books the source.
    with transaction.atomic():
        services.citation_create(user=editor, reason="r", claim=claim, data={"source": source, "excerpt": "one"})
    _run_pending_on_commit()
    source.refresh_from_db()
    booked_until = source.next_check_at
    assert sent == [source.pk] and booked_until > timezone.now()

    for excerpt in ("two", "three", "four"):
        with transaction.atomic():
            services.citation_create(user=editor, reason="r", claim=claim, data={"source": source, "excerpt": excerpt})
        _run_pending_on_commit()

    assert sent == [source.pk]  # no second message: the queued check reads all four citations
    source.refresh_from_db()
    assert source.check_requested_at is not None
    # Should the queued check have started before the last edit, the source comes due again soon.
    assert timezone.now() < source.next_check_at <= timezone.now() + datetime.timedelta(seconds=tasks.BURST_SECONDS)


def _run_pending_on_commit():
    callbacks = list(connection.run_on_commit)
    connection.run_on_commit[:] = []
    for _sids, callback, _robust in callbacks:
        callback()
