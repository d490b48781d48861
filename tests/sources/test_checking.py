"""source_check end to end against a local HTTP server: health, snapshots, excerpts, metadata, idempotency."""

import datetime

import pytest
from django.utils import timezone

from core.choices import DatePrecision, HistoryAction
from core.history import get_system_user, save_bookkeeping, save_bookkeeping_many
from sources import checking
from sources.choices import CheckOutcome, ExcerptText, QuoteStatus, SourceHealth
from sources.models import QUOTE_BOOKKEEPING_FIELDS, Citation, CitationCheck, Source, SourceCheck, SourceSnapshot
from tests.factories import CitationFactory, SourceFactory
from tests.sources.checking_support import ARTICLE_PARAGRAPHS, article_html, page_url

pytestmark = pytest.mark.django_db

UK_EXCERPT = "ready and willing to put troops on the ground in Ukraine"


class Clock:
    """Moves the checks' clock: failures must be spread over days before a source is dead."""

    def __init__(self, monkeypatch):
        self.now = timezone.now()
        monkeypatch.setattr(checking, "_now", lambda: self.now)

    def advance(self, **delta):
        self.now += datetime.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def _source_with_citation(server, path="/article", excerpt=UK_EXCERPT, **source_fields):
    source = SourceFactory(url=page_url(server, path), **source_fields)
    citation = CitationFactory(source=source, excerpt=excerpt)
    return source, citation


def test_first_check_records_the_fetch_a_baseline_snapshot_and_verifies_the_excerpt(news_server, clock):
    news_server.add("/article", body=article_html())
    # Every metadata field already set: the check has nothing to fill.
    source, citation = _source_with_citation(
        news_server,
        publisher="Example News",
        author="Jane Reporter",
        published_on=datetime.date(2025, 2, 17),
        language="en",
    )
    history_before = (source.history.count(), citation.history.count())

    check = checking.source_check(source_id=source.pk)

    assert check.outcome == CheckOutcome.OK
    assert check.http_status == 200
    assert check.metadata_filled == []
    assert check.redirect_chain == []
    assert check.final_url == ""
    assert check.elapsed_ms is not None
    assert check.text_changed is False
    assert check.snapshot is not None
    assert "ready and willing to put troops" in check.snapshot.text
    assert check.fingerprint == check.snapshot.fingerprint
    source.refresh_from_db()
    assert source.health == SourceHealth.OK
    assert source.content_fingerprint == check.fingerprint
    assert source.last_checked_at == clock.now
    assert source.next_check_at == clock.now + datetime.timedelta(hours=24)
    assert check.health == SourceHealth.OK and check.next_check_at == source.next_check_at
    result = CitationCheck.objects.get(source_check=check)
    assert (result.citation, result.status, result.score) == (citation, QuoteStatus.PRESENT, 100.0)
    citation.refresh_from_db()
    assert citation.quote_status == QuoteStatus.PRESENT
    assert citation.quote_check == result
    # Bookkeeping is not an edit: no history rows, no version bump.
    assert (source.history.count(), citation.history.count()) == history_before
    assert (source.version, citation.version) == (1, 1)
    assert news_server.paths() == ["/robots.txt", "/article"]


def test_an_article_edited_between_two_checks_is_changed_with_a_new_snapshot_and_a_diff(news_server, clock):
    news_server.add("/article", body=article_html())
    source, citation = _source_with_citation(news_server)
    first = checking.source_check(source_id=source.pk)
    edited = [*ARTICLE_PARAGRAPHS[:3], "Poland said it would now send soldiers to help secure a ceasefire."]
    news_server.add("/article", body=article_html(edited))
    clock.advance(hours=24)

    second = checking.source_check(source_id=source.pk)

    assert second.outcome == CheckOutcome.OK
    assert second.text_changed is True
    assert second.fingerprint != first.fingerprint
    assert SourceSnapshot.objects.filter(source=source).count() == 2
    assert second.snapshot != first.snapshot
    diff = second.snapshot.diff_against(first.snapshot)
    assert "would now send soldiers" in diff
    assert "would not send soldiers" in diff
    source.refresh_from_db()
    assert source.health == SourceHealth.CHANGED
    # A change brings the page back to the shortest interval.
    assert source.next_check_at == clock.now + datetime.timedelta(hours=24)
    # The cited paragraph is untouched.
    citation.refresh_from_db()
    assert citation.quote_status == QuoteStatus.PRESENT


def test_a_stable_page_is_checked_less_and_less_often(news_server, clock):
    news_server.add("/article", body=article_html())
    source, _ = _source_with_citation(news_server)
    intervals = []
    for _ in range(4):
        checking.source_check(source_id=source.pk)
        source.refresh_from_db()
        intervals.append(source.next_check_at - clock.now)
        clock.advance(days=1)

    assert intervals == [datetime.timedelta(hours=h) for h in (24, 48, 96, 192)]
    assert source.health == SourceHealth.OK
    assert SourceSnapshot.objects.filter(source=source).count() == 1


def test_whitespace_and_curly_quote_changes_are_not_reported_as_changes(news_server, clock):
    news_server.add("/article", body=article_html())
    source, _ = _source_with_citation(news_server)
    checking.source_check(source_id=source.pk)
    respaced = [p.replace(" ", "  ").replace("Germany's", "Germany\u2019s") for p in ARTICLE_PARAGRAPHS]
    news_server.add("/article", body=article_html(respaced))

    check = checking.source_check(source_id=source.pk)

    assert check.text_changed is False
    assert SourceSnapshot.objects.filter(source=source).count() == 1
    source.refresh_from_db()
    assert source.health == SourceHealth.OK


def test_an_excerpt_with_curly_quotes_is_present_in_a_page_with_straight_quotes(news_server):
    news_server.add("/article", body=article_html())
    source, citation = _source_with_citation(news_server, excerpt="Germany\u2019s chancellor called the debate")

    checking.source_check(source_id=source.pk)

    citation.refresh_from_db()
    assert citation.quote_status == QuoteStatus.PRESENT


def test_a_reworded_excerpt_is_altered_and_shown_beside_the_closest_passage(news_server):
    news_server.add("/article", body=article_html())
    source, present = _source_with_citation(news_server)
    reworded = CitationFactory(
        source=source, excerpt="Germany's chancellor called the debate about troops premature and very inappropriate"
    )
    gone = CitationFactory(source=source, excerpt="France will lead a naval mission in the Black Sea next spring")

    check = checking.source_check(source_id=source.pk)

    results = {c.citation_id: c for c in check.citation_checks.all()}
    assert results[present.pk].status == QuoteStatus.PRESENT
    altered = results[reworded.pk]
    assert altered.status == QuoteStatus.ALTERED
    assert 85 <= altered.score < 100
    assert "highly inappropriate" in altered.matched_passage.lower()
    assert results[gone.pk].status == QuoteStatus.MISSING
    assert results[gone.pk].score < 85
    statuses = dict(Citation.objects.filter(source=source).values_list("pk", "quote_status"))
    assert statuses == {present.pk: "present", reworded.pk: "altered", gone.pk: "missing"}


def test_a_gone_page_is_dead_only_after_three_failures_spread_over_three_days(news_server, clock):
    news_server.add("/article", status=404, body="<p>Not found</p>")
    source, citation = _source_with_citation(news_server)
    seen = []
    for _ in range(4):
        check = checking.source_check(source_id=source.pk)
        source.refresh_from_db()
        seen.append((check.outcome, source.health, source.consecutive_failures))
        clock.advance(days=1)

    assert seen == [
        ("gone", "degraded", 1),
        ("gone", "degraded", 2),
        ("gone", "degraded", 3),  # three failures, but only two days apart
        ("gone", "dead", 4),
    ]
    # Failures do not touch the excerpt verdict: there was no text to verify against.
    citation.refresh_from_db()
    assert citation.quote_status == QuoteStatus.UNVERIFIED

    news_server.add("/article", body=article_html())
    checking.source_check(source_id=source.pk)
    source.refresh_from_db()
    assert (source.health, source.consecutive_failures, source.first_failure_at) == ("ok", 0, None)


def test_dead_thresholds_are_settings(news_server, clock, settings):
    settings.SOURCE_CHECK_DEAD_AFTER_FAILURES = 1
    settings.SOURCE_CHECK_DEAD_AFTER_DAYS = 0
    news_server.add("/article", status=410)
    source, _ = _source_with_citation(news_server)

    checking.source_check(source_id=source.pk)

    source.refresh_from_db()
    assert source.health == SourceHealth.DEAD


@pytest.mark.parametrize("status", [401, 403, 451])
def test_access_denied_is_never_dead(news_server, clock, status):
    news_server.add("/article", status=status)
    source, _ = _source_with_citation(news_server)
    for _ in range(6):
        check = checking.source_check(source_id=source.pk)
        clock.advance(days=2)

    assert check.outcome == CheckOutcome.ACCESS_DENIED
    source.refresh_from_db()
    assert source.health == SourceHealth.DEGRADED
    assert source.consecutive_failures == 0
    assert SourceCheck.objects.filter(source=source).count() == 6


def test_a_redirected_page_is_moved_with_its_chain_recorded(news_server):
    news_server.redirect("/old", "/new", status=301)
    news_server.add("/new", body=article_html())
    source, citation = _source_with_citation(news_server, path="/old")

    check = checking.source_check(source_id=source.pk)

    assert check.outcome == CheckOutcome.REDIRECTED
    assert check.final_url == page_url(news_server, "/new")
    assert len(check.redirect_chain) == 1
    assert check.redirect_chain[0]["status"] == 301
    source.refresh_from_db()
    assert source.health == SourceHealth.MOVED
    citation.refresh_from_db()
    assert citation.quote_status == QuoteStatus.PRESENT


def test_a_redirect_to_the_front_page_is_a_soft_404_failure(news_server):
    news_server.redirect("/article", "/", status=302)
    news_server.add("/", body=article_html(["Welcome to Example News."]))
    source, _ = _source_with_citation(news_server)

    check = checking.source_check(source_id=source.pk)

    assert check.outcome == CheckOutcome.SOFT_404
    source.refresh_from_db()
    assert (source.health, source.consecutive_failures) == (SourceHealth.DEGRADED, 1)


def test_429_with_retry_after_waits_at_least_that_long_and_is_never_dead(news_server, clock):
    news_server.add("/article", status=429, headers={"Retry-After": "7200"})
    source, _ = _source_with_citation(news_server)

    check = checking.source_check(source_id=source.pk)

    assert check.outcome == CheckOutcome.RATE_LIMITED
    source.refresh_from_db()
    assert source.health == SourceHealth.DEGRADED
    assert source.consecutive_failures == 0
    assert source.next_check_at >= clock.now + datetime.timedelta(seconds=7200)


def test_robots_txt_disallow_is_obeyed_and_the_page_is_never_requested(news_server):
    news_server.add("/robots.txt", body="User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    news_server.add("/private/article", body=article_html())
    source, _ = _source_with_citation(news_server, path="/private/article")

    check = checking.source_check(source_id=source.pk)

    assert check.outcome == CheckOutcome.BLOCKED_ROBOTS
    assert news_server.paths() == ["/robots.txt"]


def test_a_private_address_is_blocked_without_a_connection(news_server, settings):
    settings.FETCH_STATIC_HOSTS = {"intranet.test": "10.1.2.3"}
    source = SourceFactory(url=f"http://intranet.test:{news_server.port}/secret")

    check = checking.source_check(source_id=source.pk)

    assert check.outcome == CheckOutcome.BLOCKED_UNSAFE
    assert news_server.requests == []


def test_metadata_fills_empty_fields_only_with_one_history_row_by_the_system_user(news_server, editor):
    meta = (
        '<meta property="og:title" content="Leaders meet in Paris">'
        '<meta property="og:site_name" content="Example News">'
        '<meta name="author" content="Jane Reporter">'
        '<meta property="article:published_time" content="2025-02-17T10:00:00Z">'
    )
    news_server.add("/article", body=article_html(meta=meta))
    source, _ = _source_with_citation(news_server, title="Editor's own title")
    history_before = source.history.count()

    check = checking.source_check(source_id=source.pk)

    source.refresh_from_db()
    assert source.title == "Editor's own title"
    assert source.publisher == "Example News"
    assert source.author == "Jane Reporter"
    assert source.published_on == datetime.date(2025, 2, 17)
    assert source.published_on_precision == DatePrecision.DAY
    assert set(check.metadata_filled) >= {"publisher", "author", "published_on"}
    assert "title" not in check.metadata_filled
    assert check.metadata_found["publisher"] == "Example News"
    rows = list(source.history.all()[: source.history.count() - history_before])
    assert len(rows) == 1
    assert source.version == 2
    assert rows[0].history_user == get_system_user()
    assert rows[0].history_change_reason == checking.METADATA_REASON
    assert rows[0].history_action == HistoryAction.CHANGED
    assert rows[0].publisher == "Example News"
    # The filled fields are now the editor's to change; a later check leaves them and the history alone.
    checking.source_check(source_id=source.pk)
    assert source.history.count() == history_before + 1


def test_a_redelivered_task_leaves_the_same_state(news_server):
    news_server.add("/article", status=404)
    source, _ = _source_with_citation(news_server)

    first = checking.source_check(source_id=source.pk, task_id="task-1")
    again = checking.source_check(source_id=source.pk, task_id="task-1")

    assert again == first
    assert SourceCheck.objects.filter(source=source).count() == 1
    source.refresh_from_db()
    assert source.consecutive_failures == 1
    assert len(news_server.requests_to("/article")) == 1


def test_a_pasted_text_source_without_url_is_verified_against_its_text_without_fetching(news_server):
    source = SourceFactory(url="", title="Interview transcript", stored_text="\n\n".join(ARTICLE_PARAGRAPHS))
    citation = CitationFactory(source=source, excerpt=UK_EXCERPT)

    check = checking.source_check(source_id=source.pk)

    assert (check.outcome, check.excerpts_checked_against) == (CheckOutcome.STORED_TEXT, ExcerptText.PASTED_TEXT)
    assert news_server.requests == []
    citation.refresh_from_db()
    assert citation.quote_status == QuoteStatus.PRESENT
    source.refresh_from_db()
    assert source.health == SourceHealth.OK
    # Pasted text without a URL changes only through an edit, which queues its own check.
    assert source.next_check_at is None


def test_the_seed_articles_citations_all_verify_as_present():
    from django.core.management import call_command

    call_command("loadseeds", verbosity=0)
    article = Source.objects.exclude(stored_text="").get()

    check = checking.source_check(source_id=article.pk)

    statuses = list(check.citation_checks.values_list("status", flat=True))
    assert len(statuses) == Citation.objects.filter(source=article).count() == 15
    assert set(statuses) == {QuoteStatus.PRESENT}


def test_a_source_without_url_or_text_has_nothing_to_check():
    source = SourceFactory(url="", title="A pamphlet")

    assert checking.source_check(source_id=source.pk) is None
    assert checking.source_check(source_id=987654) is None
    assert SourceCheck.objects.count() == 0


def test_bookkeeping_saves_refuse_fields_that_history_records():
    source = SourceFactory()
    source.title = "Sneaky"
    with pytest.raises(ValueError, match="title"):
        save_bookkeeping(source, fields=["title", "health"])


def test_bookkeeping_of_many_records_writes_each_its_own_values_in_one_update(django_assert_num_queries):
    source = SourceFactory()
    first, second, third = (CitationFactory(source=source) for _ in range(3))
    now = timezone.now()
    check = SourceCheck.objects.create(
        source=source, url=source.url, outcome=CheckOutcome.OK, started_at=now, finished_at=now
    )
    verdict = CitationCheck.objects.create(source_check=check, citation=first, excerpt="x", status="present", score=100)
    first.quote_status, first.quote_check = QuoteStatus.ALTERED, verdict
    second.quote_status, second.quote_check = QuoteStatus.MISSING, None  # a NULL among the values

    with django_assert_num_queries(1):
        save_bookkeeping_many([first, second], fields=QUOTE_BOOKKEEPING_FIELDS)

    stored = {c.pk: (c.quote_status, c.quote_check_id) for c in Citation.objects.all()}
    assert stored[first.pk] == (QuoteStatus.ALTERED, verdict.pk)
    assert stored[second.pk] == (QuoteStatus.MISSING, None)
    assert stored[third.pk] == (QuoteStatus.UNVERIFIED, None)
    with pytest.raises(ValueError, match="excerpt"):
        save_bookkeeping_many([first], fields=["excerpt", "quote_status"])


def test_a_page_without_readable_text_keeps_the_excerpts_last_verdict(news_server):
    news_server.add("/article", body=article_html())
    source, citation = _source_with_citation(news_server)
    checking.source_check(source_id=source.pk)
    news_server.add("/article", body="<html><body><script>render()</script></body></html>")

    check = checking.source_check(source_id=source.pk)

    assert check.outcome == CheckOutcome.OK
    assert "no readable text" in check.error
    assert check.citation_checks.count() == 0
    citation.refresh_from_db()
    assert citation.quote_status == QuoteStatus.PRESENT


def test_429_without_retry_after_backs_off_one_to_two_hours(news_server, clock):
    news_server.add("/article", status=429)
    source, _ = _source_with_citation(news_server)

    checking.source_check(source_id=source.pk)

    source.refresh_from_db()
    wait = source.next_check_at - clock.now
    assert datetime.timedelta(hours=1) <= wait <= datetime.timedelta(hours=2)
