"""Metadata and verdicts only from the page we cited: a redirect to a different document fills
nothing and is recorded as its own outcome, with the target shown (issue 13, point 1)."""

import pytest
from django.urls import reverse

from core.history import get_system_user
from sources import checking
from sources.choices import CheckOutcome, QuoteStatus, SourceHealth
from sources.models import SourceCheck
from tests.factories import CitationFactory, SourceFactory
from tests.sources.checking_support import article_html, page_url

pytestmark = pytest.mark.django_db

EXCERPT = "ready and willing to put troops on the ground in Ukraine"
OTHER_ARTICLE = article_html(
    [
        "Farmers blocked roads in Brussels on Tuesday to protest against a trade agreement with South America.",
        "Police said several thousand tractors had entered the city before dawn.",
    ],
    title="Farmers block Brussels",
    meta='<meta name="author" content="Someone Else"><meta property="og:locale" content="fr_BE">'
    '<meta property="article:published_time" content="2024-12-18">',
)


def test_a_redirect_to_another_article_fills_nothing_and_says_where_it_went(client, editor, news_server):
    news_server.redirect("/2025/02/paris", "/2024/12/farmers", status=301)
    news_server.add("/2024/12/farmers", body=OTHER_ARTICLE)
    source = SourceFactory(url=page_url(news_server, "/2025/02/paris"), title="", author="", language="")
    citation = CitationFactory(source=source, excerpt=EXCERPT)
    rows = source.history.count()

    check = checking.source_check(source_id=source.pk)

    assert check.outcome == CheckOutcome.REDIRECTED_ELSEWHERE
    assert check.final_url.endswith("/2024/12/farmers") and check.metadata_filled == []
    source.refresh_from_db()
    assert (source.title, source.author, source.language, source.published_on) == ("", "", "", None)
    assert source.history.count() == rows  # no "filled empty fields" row by the system user
    assert not source.history.filter(history_user=get_system_user()).exists()
    assert source.health == SourceHealth.DEGRADED
    citation.refresh_from_db()
    assert citation.quote_status == QuoteStatus.UNVERIFIED  # not judged against someone else's article
    client.force_login(editor)
    page = client.get(reverse("sources:source-detail", args=[source.pk])).content.decode()
    assert "The address now leads to a different document" in page
    assert "/2024/12/farmers" in page


def test_the_same_article_at_a_new_address_is_still_ours(news_server):
    news_server.redirect("/2025/02/paris", "/europe/2025/02/paris-meeting", status=301)
    news_server.add(
        "/europe/2025/02/paris-meeting", body=article_html(meta='<meta name="author" content="Jo Reporter">')
    )
    source = SourceFactory(url=page_url(news_server, "/2025/02/paris"), title="", author="")
    CitationFactory(source=source, excerpt=EXCERPT)

    check = checking.source_check(source_id=source.pk)

    assert check.outcome == CheckOutcome.REDIRECTED
    source.refresh_from_db()
    assert (source.author, source.health) == ("Jo Reporter", SourceHealth.MOVED)
    assert source.citations.get().quote_status == QuoteStatus.PRESENT


def test_a_page_whose_text_was_replaced_behind_a_redirect_is_another_document(news_server):
    news_server.add("/2025/02/paris", body=article_html())
    source = SourceFactory(url=page_url(news_server, "/2025/02/paris"))
    checking.source_check(source_id=source.pk)  # a snapshot of the article as cited
    news_server.redirect("/2025/02/paris", "/2024/12/farmers", status=301)
    news_server.add("/2024/12/farmers", body=OTHER_ARTICLE)

    check = checking.source_check(source_id=source.pk)

    assert check.outcome == CheckOutcome.REDIRECTED_ELSEWHERE
    assert SourceCheck.objects.filter(source=source).count() == 2
