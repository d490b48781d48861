"""Tasks, scheduling, the hooks that queue checks, the admin and the checksources command (tasks run eagerly)."""

import datetime
import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from core.history import save_bookkeeping
from sources import checking, services
from sources.choices import CheckOutcome, QuoteStatus, SourceHealth
from sources.models import Citation, Source, SourceCheck, SourceCheckDelivery
from sources.politeness import HostBusy
from sources.tasks import book_due_sources, check_source, dispatch_due_sources
from tests.conftest import forget_pending_on_commit
from tests.factories import CitationFactory, ClaimFactory, SourceFactory
from tests.sources.checking_support import ARTICLE_PARAGRAPHS, article_html, page_url
from tracker import services as tracker_services

pytestmark = pytest.mark.django_db

UK_EXCERPT = "ready and willing to put troops on the ground in Ukraine"


def _schedule(source, *, next_check_at, last_checked_at=None):
    source.next_check_at, source.last_checked_at = next_check_at, last_checked_at
    save_bookkeeping(source, fields=["next_check_at", "last_checked_at"])


# --- Task ---------------------------------------------------------------------------------------


def test_the_task_checks_the_source_and_counts_its_delivery(news_server):
    news_server.add("/article", body=article_html())
    source = SourceFactory(url=page_url(news_server, "/article"))

    result = check_source.apply(args=[source.pk], task_id="task-a")

    assert result.get() == CheckOutcome.OK
    assert SourceCheck.objects.get(source=source).task_id == "task-a"
    assert SourceCheckDelivery.objects.get(delivery_key="task-a:0").deliveries == 1


def test_a_task_delivered_too_often_gives_up_instead_of_looping(news_server, settings):
    news_server.add("/article", body=article_html())
    source = SourceFactory(url=page_url(news_server, "/article"))
    # Three earlier starts each killed the worker before the check finished.
    SourceCheckDelivery.objects.create(
        delivery_key="task-b:0", source=source, deliveries=settings.SOURCE_CHECK_MAX_DELIVERIES
    )

    assert check_source.apply(args=[source.pk], task_id="task-b").get() == CheckOutcome.ABANDONED

    check = SourceCheck.objects.get(source=source)
    assert (check.outcome, check.task_id) == (CheckOutcome.ABANDONED, "task-b")
    assert "gave up" in check.error
    assert news_server.requests == []
    source.refresh_from_db()
    assert source.next_check_at is not None  # it will be tried again on schedule, not in a loop


def test_a_host_busy_for_longer_than_a_retry_may_wait_defers_the_source(monkeypatch):
    source = SourceFactory()

    def busy(url, **kwargs):
        raise HostBusy("news.example.org", 100_000)

    monkeypatch.setattr(checking, "fetch_page", busy)
    before = timezone.now()

    assert check_source.apply(args=[source.pk]).get() is None

    source.refresh_from_db()
    assert source.next_check_at >= before + datetime.timedelta(seconds=100_000)
    assert SourceCheck.objects.count() == 0


def test_a_host_busy_for_a_moment_is_retried(news_server, monkeypatch):
    news_server.add("/article", body=article_html())
    source = SourceFactory(url=page_url(news_server, "/article"))
    real_fetch = checking.fetch_page
    calls = []

    def busy_once(url, **kwargs):
        calls.append(url)
        if len(calls) == 1:
            raise HostBusy("news.test", 5)
        return real_fetch(url, **kwargs)

    monkeypatch.setattr(checking, "fetch_page", busy_once)

    check_source.apply(args=[source.pk])

    assert len(calls) == 2
    assert SourceCheck.objects.get(source=source).outcome == CheckOutcome.OK


# --- Dispatching --------------------------------------------------------------------------------


def test_dispatch_books_due_sources_and_queues_their_checks_after_commit(django_capture_on_commit_callbacks):
    now = timezone.now()
    never_checked = SourceFactory()
    overdue = SourceFactory()
    _schedule(
        overdue, next_check_at=now - datetime.timedelta(minutes=5), last_checked_at=now - datetime.timedelta(days=1)
    )
    not_yet = SourceFactory()
    _schedule(not_yet, next_check_at=now + datetime.timedelta(hours=3), last_checked_at=now)
    stored = SourceFactory(url="", stored_text="Some text.")
    _schedule(stored, next_check_at=None, last_checked_at=now)  # stored text is re-checked on edits only
    SourceFactory(url="", title="Nothing to fetch")

    with django_capture_on_commit_callbacks() as callbacks:
        assert dispatch_due_sources() == 2

    assert sorted(callback.source_check_id for callback in callbacks) == sorted([never_checked.pk, overdue.pk])
    for source in (never_checked, overdue):
        source.refresh_from_db()
        assert source.next_check_at > now + datetime.timedelta(hours=1)  # booked
    with django_capture_on_commit_callbacks() as callbacks:
        assert dispatch_due_sources() == 0
    assert callbacks == []


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_never_book_the_same_source():
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED needs PostgreSQL; SQLite serialises the two dispatchers' transactions instead")
    ids = {SourceFactory().pk for _ in range(10)}
    first_booked = threading.Event()
    release = threading.Event()
    booked = {}

    def first_dispatcher():
        try:
            with transaction.atomic():
                booked["first"] = book_due_sources(limit=4)
                first_booked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=first_dispatcher)
    thread.start()
    assert first_booked.wait(10)
    # The first dispatcher still holds its rows: the second skips them instead of waiting or re-booking.
    with transaction.atomic():
        booked["second"] = book_due_sources(limit=100)
    release.set()
    thread.join(10)

    assert len(booked["first"]) == 4
    assert set(booked["first"]).isdisjoint(booked["second"])
    assert set(booked["first"]) | set(booked["second"]) == ids


# --- Hooks: new citations, edited excerpts ----------------------------------------------------


def test_a_new_citation_queues_one_check_of_its_source_after_commit(
    news_server, editor, django_capture_on_commit_callbacks
):
    news_server.add("/article", body=article_html())
    source = SourceFactory(url=page_url(news_server, "/article"))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        claim = tracker_services.claim_create(
            user=editor,
            reason="From the Paris article",
            data={"speaker": ClaimFactory().speaker, "text": "The UK would send troops."},
            citations=[
                {"source": source, "excerpt": UK_EXCERPT},
                {"source": source, "excerpt": "Ukraine must be part of any talks"},
            ],
        )
        assert SourceCheck.objects.count() == 0  # nothing before the commit

    # Two citations of one source: one check queued (the check itself then queues its feed events).
    assert len([c for c in callbacks if hasattr(c, "source_check_id")]) == 1
    check = SourceCheck.objects.get(source=source)
    assert check.citation_checks.count() == 2
    assert set(Citation.objects.filter(claim=claim).values_list("quote_status", flat=True)) == {QuoteStatus.PRESENT}


def test_editing_an_excerpt_resets_its_verdict_and_queues_a_check(
    news_server, editor, django_capture_on_commit_callbacks
):
    news_server.add("/article", body=article_html())
    source = SourceFactory(url=page_url(news_server, "/article"))
    citation = CitationFactory(source=source, excerpt=UK_EXCERPT)
    checking.source_check(source_id=source.pk)
    citation.refresh_from_db()
    assert citation.quote_status == QuoteStatus.PRESENT

    forget_pending_on_commit()
    with django_capture_on_commit_callbacks() as callbacks:
        services.citation_update(
            citation=citation,
            user=editor,
            reason="Quote the sentence the claim rests on",
            data={"excerpt": "Poland said it would send soldiers"},
            expected_version=citation.version,
        )
        citation.refresh_from_db()
        assert citation.quote_status == QuoteStatus.UNVERIFIED
        assert citation.quote_check is None
    for callback in callbacks:
        callback()

    citation.refresh_from_db()
    assert citation.quote_status == QuoteStatus.ALTERED
    latest = citation.history.first()
    assert (latest.history_user, latest.excerpt) == (editor, "Poland said it would send soldiers")


# --- Admin --------------------------------------------------------------------------------------


def test_check_now_in_the_admin_checks_the_selected_sources(
    news_server, client, editor, django_capture_on_commit_callbacks
):
    news_server.add("/article", body=article_html())
    source = SourceFactory(url=page_url(news_server, "/article"))
    client.force_login(editor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:sources_source_changelist"), {"action": "check_now", "_selected_action": [source.pk]}
        )

    assert response.status_code == 302
    source.refresh_from_db()
    assert source.health == SourceHealth.OK
    assert SourceCheck.objects.filter(source=source).count() == 1


def test_check_now_is_refused_to_viewers(client, viewer, django_capture_on_commit_callbacks):
    source = SourceFactory()
    client.force_login(viewer)

    with django_capture_on_commit_callbacks() as callbacks:
        client.post(
            reverse("admin:sources_source_changelist"), {"action": "check_now", "_selected_action": [source.pk]}
        )

    assert callbacks == []


@pytest.fixture
def flagged_claims(news_server):
    news_server.add("/article", body=article_html())
    source = SourceFactory(url=page_url(news_server, "/article"))
    fine = CitationFactory(source=source, excerpt=UK_EXCERPT)
    altered = CitationFactory(
        source=source, excerpt="Germany's chancellor called the debate about troops premature and very inappropriate"
    )
    missing = CitationFactory(source=source, excerpt="France will lead a naval mission in the Black Sea")
    unverified = CitationFactory(excerpt="never checked")
    checking.source_check(source_id=source.pk)
    return {"fine": fine, "altered": altered, "missing": missing, "unverified": unverified}


def test_the_flagged_list_shows_each_excerpt_beside_the_closest_passage(
    client, viewer, flagged_claims, django_assert_max_num_queries
):
    for _ in range(5):
        CitationFactory(source=flagged_claims["missing"].source, excerpt="Another vanished sentence about tanks")
    checking.source_check(source_id=flagged_claims["missing"].source_id)
    client.force_login(viewer)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:sources_flaggedcitation_changelist"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "very inappropriate" in page  # the excerpt as cited
    assert "highly inappropriate" in page  # what the page says now
    assert "France will lead a naval mission" in page
    assert UK_EXCERPT not in page
    assert "never checked" not in page
    assert response.context["cl"].result_count == 7


def test_the_claim_list_filters_claims_with_flagged_citations(client, editor, flagged_claims):
    client.force_login(editor)

    response = client.get(reverse("admin:tracker_claim_changelist"), {"excerpt_check": "flagged"})

    shown = {claim.pk for claim in response.context["cl"].result_list}
    assert shown == {flagged_claims["altered"].claim_id, flagged_claims["missing"].claim_id}
    response = client.get(reverse("admin:tracker_claim_changelist"), {"excerpt_check": "present"})
    assert {claim.pk for claim in response.context["cl"].result_list} == {flagged_claims["fine"].claim_id}
    response = client.get(reverse("admin:tracker_claim_changelist"), {"excerpt_check": "unverified"})
    assert {claim.pk for claim in response.context["cl"].result_list} == {flagged_claims["unverified"].claim_id}


def test_check_results_are_read_only_in_the_admin(client, reviewer, flagged_claims):
    check = SourceCheck.objects.get()
    client.force_login(reviewer)

    assert client.get(reverse("admin:sources_sourcecheck_change", args=[check.pk])).status_code == 200
    assert client.get(reverse("admin:sources_sourcecheck_add")).status_code == 403
    response = client.post(reverse("admin:sources_sourcecheck_delete", args=[check.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert SourceCheck.objects.filter(pk=check.pk).exists()


def test_outsiders_cannot_see_check_results(client, outsider, flagged_claims):
    client.force_login(outsider)

    response = client.get(reverse("admin:sources_flaggedcitation_changelist"))

    assert response.status_code == 302


# --- Command ------------------------------------------------------------------------------------


def test_checksources_checks_the_given_sources_and_prints_a_summary(news_server):
    news_server.add("/article", body=article_html())
    news_server.add("/gone", status=410)
    ok = SourceFactory(url=page_url(news_server, "/article"))
    gone = SourceFactory(url=page_url(news_server, "/gone"))
    CitationFactory(source=ok, excerpt="France will lead a naval mission")
    out = io.StringIO()

    call_command("checksources", "--source", str(ok.pk), str(gone.pk), "--concurrency", "1", stdout=out, verbosity=0)

    text = out.getvalue()
    assert "outcome" in text and "health" in text
    lines = {line.split()[0]: line.split()[-1] for line in text.splitlines() if line.strip()}
    assert lines["ok"] == "1"
    assert lines["gone"] == "1"
    assert lines["degraded"] == "1"
    assert "citations flagged (altered or missing excerpt, or dead source): 1" in text
    assert SourceCheck.objects.count() == 2


def test_checksources_counts_the_citations_of_a_source_that_just_went_dead(news_server, settings):
    settings.SOURCE_CHECK_DEAD_AFTER_FAILURES, settings.SOURCE_CHECK_DEAD_AFTER_DAYS = 1, 0
    news_server.add("/gone", status=410)
    gone = SourceFactory(url=page_url(news_server, "/gone"))
    CitationFactory(source=gone, excerpt="France will lead a naval mission")
    CitationFactory(source=gone, excerpt="Poland will not send soldiers")
    out = io.StringIO()

    call_command("checksources", "--source", str(gone.pk), "--concurrency", "1", stdout=out, verbosity=0)

    gone.refresh_from_db()
    assert gone.health == "dead"
    assert "citations flagged (altered or missing excerpt, or dead source): 2" in out.getvalue()


def test_checksources_due_checks_only_due_sources():
    stored = SourceFactory(url="", stored_text="\n\n".join(ARTICLE_PARAGRAPHS))
    later = SourceFactory(url="", stored_text="Other text.")
    _schedule(later, next_check_at=timezone.now() + datetime.timedelta(days=1), last_checked_at=timezone.now())
    out = io.StringIO()

    call_command("checksources", "--due", "--concurrency", "1", stdout=out, verbosity=0)

    assert list(SourceCheck.objects.values_list("source_id", flat=True)) == [stored.pk]
    assert "stored_text" in out.getvalue()


def test_checksources_all_and_unknown_ids():
    SourceFactory(url="", stored_text="One.")
    SourceFactory(url="", stored_text="Two.")
    SourceFactory(url="", title="Nothing to check")

    call_command("checksources", "--all", "--concurrency", "1", stdout=io.StringIO(), verbosity=0)

    assert SourceCheck.objects.count() == 2
    with pytest.raises(CommandError, match="No source with id 999999"):
        call_command("checksources", "--source", "999999", stdout=io.StringIO())
    assert Source.objects.count() == 3
