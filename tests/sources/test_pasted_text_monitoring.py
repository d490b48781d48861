"""Pasted text verifies excerpts while the URL stays monitored (issue 12, point 3).

A source with a URL and a pasted copy is fetched on schedule like any other (link rot, redirects,
silent edits, snapshots, health). Its excerpts are verified against the live page when it can be
read, and against the pasted copy when it cannot; every verdict says which.
"""

import datetime

import pytest
from django.urls import reverse

from sources import checking
from sources.choices import CheckOutcome, ExcerptText, QuoteStatus, SourceHealth
from sources.models import SourceCheck
from tests.factories import CitationFactory, ClaimFactory, SourceFactory
from tests.sources.checking_support import ARTICLE_PARAGRAPHS, article_html, page_url
from tests.sources.test_extraction_confidence import js_rendered_page
from tracker.choices import EditorialStatus

pytestmark = pytest.mark.django_db

PASTED = "\n\n".join(ARTICLE_PARAGRAPHS)
UK_EXCERPT = "ready and willing to put troops on the ground in Ukraine"
POLAND_EXCERPT = "Poland said it would not send soldiers but would support the effort with logistics"


def _pasted_source(server, path="/article", **fields):
    source = SourceFactory(url=page_url(server, path), title="Leaders meet in Paris", stored_text=PASTED, **fields)
    citation = CitationFactory(
        source=source, excerpt=UK_EXCERPT, claim=ClaimFactory(text="UK troops", status=EditorialStatus.PUBLISHED)
    )
    return source, citation


def test_a_readable_live_page_is_fetched_on_schedule_and_the_excerpts_checked_against_it(news_server):
    news_server.add("/article", body=article_html())
    source, citation = _pasted_source(news_server)

    check = checking.source_check(source_id=source.pk)

    assert len(news_server.requests_to("/article")) == 1
    assert (check.outcome, check.excerpts_checked_against) == (CheckOutcome.OK, ExcerptText.LIVE_PAGE)
    assert check.snapshot is not None and "ready and willing" in check.snapshot.text
    source.refresh_from_db()
    citation.refresh_from_db()
    assert citation.quote_status == QuoteStatus.PRESENT
    # Monitored like a page with nothing pasted: the next check is booked.
    assert source.health == SourceHealth.OK
    assert source.next_check_at == check.finished_at + datetime.timedelta(hours=24)


def test_a_quote_silently_removed_from_the_live_page_is_flagged_though_the_pasted_copy_has_it(news_server):
    news_server.add("/article", body=article_html())
    source, citation = _pasted_source(news_server)
    checking.source_check(source_id=source.pk)
    news_server.add("/article", body=article_html([p for p in ARTICLE_PARAGRAPHS if "United Kingdom" not in p]))

    check = checking.source_check(source_id=source.pk)

    assert (check.text_changed, check.excerpts_checked_against) == (True, ExcerptText.LIVE_PAGE)
    citation.refresh_from_db()
    assert citation.quote_status == QuoteStatus.MISSING
    source.refresh_from_db()
    assert source.health == SourceHealth.CHANGED


@pytest.mark.parametrize(
    ("status", "outcome", "health"),
    [(404, CheckOutcome.GONE, SourceHealth.DEGRADED), (403, CheckOutcome.ACCESS_DENIED, SourceHealth.DEGRADED)],
)
def test_a_page_that_cannot_be_fetched_is_still_monitored_and_the_excerpts_checked_against_the_pasted_copy(
    news_server, status, outcome, health
):
    news_server.add("/article", status=status, body="<p>Not for you</p>")
    source, citation = _pasted_source(news_server)
    wrong = CitationFactory(source=source, excerpt="France will lead a naval mission in the Black Sea")

    check = checking.source_check(source_id=source.pk)

    assert (check.outcome, check.excerpts_checked_against) == (outcome, ExcerptText.PASTED_TEXT)
    assert check.snapshot is None  # the pasted copy is no snapshot of the page
    citation.refresh_from_db()
    wrong.refresh_from_db()
    assert (citation.quote_status, wrong.quote_status) == (QuoteStatus.PRESENT, QuoteStatus.MISSING)
    source.refresh_from_db()
    assert source.health == health
    assert source.next_check_at == check.finished_at + datetime.timedelta(hours=24)  # tried again tomorrow
    assert source.consecutive_failures == (1 if outcome == CheckOutcome.GONE else 0)


def test_a_page_drawn_by_javascript_gives_a_verdict_from_the_pasted_copy_not_unverifiable(news_server):
    news_server.add("/live", body=js_rendered_page())
    source, citation = _pasted_source(news_server, path="/live")

    check = checking.source_check(source_id=source.pk)

    assert check.outcome == CheckOutcome.OK and "could not be read" in check.error
    assert check.excerpts_checked_against == ExcerptText.PASTED_TEXT
    citation.refresh_from_db()
    assert citation.quote_status == QuoteStatus.PRESENT


def test_the_pasted_copy_is_verified_as_it_is_when_the_check_is_recorded(news_server, reviewer, monkeypatch):
    from sources.services import source_update

    news_server.add("/article", status=404)
    source, citation = _pasted_source(news_server)
    observe = checking._observe

    def observe_then_edit(observed):
        observation = observe(observed)
        source_update(  # an editor replaces the pasted copy while the page is being fetched
            source=observed,
            user=reviewer,  # partners see the source (its claim is published): a reviewer's change
            reason="Pasted the corrected copy",
            data={"stored_text": "The minister said nothing about troops."},
            expected_version=None,
        )
        return observation

    monkeypatch.setattr(checking, "_observe", observe_then_edit)

    checking.source_check(source_id=source.pk)

    citation.refresh_from_db()
    assert citation.quote_status == QuoteStatus.MISSING


def test_the_pages_and_the_admin_say_which_text_the_excerpts_were_checked_against(client, editor, news_server):
    news_server.add("/article", status=410)
    source, citation = _pasted_source(news_server)
    live = SourceFactory(url=page_url(news_server, "/live-article"), title="Live one")
    news_server.add("/live-article", body=article_html())
    altered = CitationFactory(
        source=live, excerpt=POLAND_EXCERPT.replace("logistics", "money"), claim=ClaimFactory(text="Poland")
    )
    checking.source_check(source_id=source.pk)
    checking.source_check(source_id=live.pk)
    client.force_login(editor)

    source_page = client.get(reverse("sources:source-detail", args=[source.pk])).content.decode()
    claim_page = client.get(reverse("tracker:claim-detail", args=[citation.claim_id])).content.decode()
    flagged_page = client.get(reverse("sources:claim-flagged")).content.decode()
    checks_admin = client.get(reverse("admin:sources_sourcecheck_changelist")).content.decode()
    citations_admin = client.get(reverse("admin:sources_citation_changelist")).content.decode()

    pasted = 'against <span class="checked-against">the pasted text (the live page could not be read)</span>'
    assert pasted in source_page and pasted in claim_page
    assert "against the live page when it can be read, and against the pasted text when it cannot" in source_page
    assert "Excerpts checked against the pasted text." in source_page
    assert 'against <span class="checked-against">the live page</span>' in flagged_page  # the altered one
    assert "the pasted text" in checks_admin and "the live page" in checks_admin
    assert citations_admin.count('<td class="field-checked_against">the pasted text</td>') == 1
    altered.refresh_from_db()
    assert altered.quote_status == QuoteStatus.ALTERED
    assert SourceCheck.objects.filter(excerpts_checked_against="").count() == 0


def test_a_redirect_to_another_article_is_recorded_and_the_excerpts_checked_against_the_pasted_copy(news_server):
    news_server.redirect("/article", "/2024/12/farmers", status=301)
    news_server.add(
        "/2024/12/farmers",
        body=article_html(
            ["Farmers blocked roads in Brussels on Tuesday to protest against a trade agreement."],
            title="Farmers block Brussels",
        ),
    )
    source, citation = _pasted_source(news_server)

    check = checking.source_check(source_id=source.pk)

    assert (check.outcome, check.excerpts_checked_against) == (
        CheckOutcome.REDIRECTED_ELSEWHERE,
        ExcerptText.PASTED_TEXT,
    )
    assert check.final_url.endswith("/2024/12/farmers") and check.metadata_filled == []
    citation.refresh_from_db()
    assert citation.quote_status == QuoteStatus.PRESENT  # from the copy, never from the farmers' article


def test_a_pasted_text_source_given_a_url_while_checked_is_not_applied_and_stays_due(
    news_server, reviewer, monkeypatch
):
    from sources.services import source_update

    source = SourceFactory(url="", title="Transcript", stored_text=PASTED)
    citation = CitationFactory(source=source, excerpt=UK_EXCERPT)
    observe = checking._observe

    def observe_then_give_a_url(observed):
        observation = observe(observed)
        source_update(
            source=observed,
            user=reviewer,
            reason="Found it online",
            data={"url": page_url(news_server, "/article")},
            expected_version=None,
        )
        return observation

    monkeypatch.setattr(checking, "_observe", observe_then_give_a_url)

    check = checking.source_check(source_id=source.pk)

    assert check.outcome == CheckOutcome.STORED_TEXT and check.error == checking.OUTDATED_NOTE
    citation.refresh_from_db()
    source.refresh_from_db()
    assert citation.quote_status == QuoteStatus.UNVERIFIED
    assert source.next_check_at is not None  # due: the next check fetches the new address
