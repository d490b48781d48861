"""A revert goes through the services: an excerpt or URL reverted has the effects of an ordinary edit."""

import pytest

from core.choices import HistoryAction
from core.models import ChangeEntry
from core.reverting import record_revert
from sources import checking, services
from sources.choices import QuoteStatus
from sources.models import Citation
from tests.conftest import forget_pending_on_commit
from tests.factories import CitationFactory, ClaimFactory, SourceFactory
from tests.sources.checking_support import article_html, page_url
from tracker import services as tracker_services

pytestmark = pytest.mark.django_db

UK_EXCERPT = "ready and willing to put troops on the ground in Ukraine"
NEVER_SAID = "Everyone agreed on every point at once"


def _queued_checks(callbacks) -> list[int]:
    """The source checks queued by on-commit callbacks (the feed's own callbacks left out)."""
    return [c.source_check_id for c in callbacks if hasattr(c, "source_check_id")]


def _run(callbacks) -> None:
    for callback in callbacks:
        callback()


def test_reverting_an_excerpt_edit_resets_the_verdict_and_queues_a_check(
    news_server, editor, reviewer, django_capture_on_commit_callbacks
):
    news_server.add("/article", body=article_html())
    source = SourceFactory(url=page_url(news_server, "/article"))
    citation = CitationFactory(source=source, excerpt=UK_EXCERPT)
    first = citation.history.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.citation_update(
            citation=citation, user=editor, reason="Wrong quote", data={"excerpt": NEVER_SAID}, expected_version=1
        )
    checking.source_check(source_id=source.pk)
    citation.refresh_from_db()
    assert citation.quote_status == QuoteStatus.MISSING

    forget_pending_on_commit()
    with django_capture_on_commit_callbacks() as callbacks:
        record_revert(model="citation", version=first, user=reviewer, reason="Back to the quote the claim rests on")
        citation.refresh_from_db()
        # The verdict was about the reverted-away excerpt: it is not carried over to the old one.
        assert (citation.excerpt, citation.quote_status, citation.quote_check) == (
            UK_EXCERPT,
            QuoteStatus.UNVERIFIED,
            None,
        )
    assert _queued_checks(callbacks) == [source.pk]
    _run(callbacks)

    citation.refresh_from_db()
    assert citation.quote_status == QuoteStatus.PRESENT
    latest = citation.history.first()
    assert (latest.history_user, latest.history_action, latest.history_change_reason) == (
        reviewer,
        HistoryAction.REVERTED,
        "Back to the quote the claim rests on",
    )


def test_reverting_a_source_url_queues_a_check(news_server, editor, reviewer, django_capture_on_commit_callbacks):
    news_server.add("/article", body=article_html())
    news_server.add("/moved", body=article_html())
    source = SourceFactory(url=page_url(news_server, "/article"))
    first = source.history.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.source_update(
            source=source,
            user=editor,
            reason="New address",
            data={"url": page_url(news_server, "/moved")},
            expected_version=1,
        )

    forget_pending_on_commit()
    with django_capture_on_commit_callbacks() as callbacks:
        record_revert(model="source", version=first, user=reviewer, reason="The old address was right")
    source.refresh_from_db()
    assert source.url == page_url(news_server, "/article")
    assert _queued_checks(callbacks) == [source.pk]
    entry = ChangeEntry.objects.filter(model="sources.source", object_id=source.pk).first()
    # The check after the move filled the empty language from the page; the revert takes that back too.
    assert (entry.action, entry.user, entry.summary) == (HistoryAction.REVERTED, reviewer, "URL, language")


def test_reverting_a_claim_restores_its_citations_through_the_citation_services(
    news_server, editor, reviewer, django_capture_on_commit_callbacks
):
    news_server.add("/article", body=article_html())
    source = SourceFactory(url=page_url(news_server, "/article"))
    with django_capture_on_commit_callbacks(execute=True):
        claim = tracker_services.claim_create(
            user=editor,
            reason="From the article",
            data={"speaker": ClaimFactory().speaker, "text": "The UK would send troops."},
            citations=[
                {"source": source, "excerpt": UK_EXCERPT},
                {"source": source, "excerpt": "Ukraine must be part of any talks"},
            ],
        )
    kept, dropped = claim.citations.order_by("pk")
    version = claim.history.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.citation_update(
            citation=kept, user=editor, reason="Shorter", data={"excerpt": NEVER_SAID}, expected_version=1
        )
        services.citation_delete(citation=dropped, user=editor, reason="Not needed")
        added = services.citation_create(
            user=editor, reason="Another", claim=claim, data={"source": source, "excerpt": "troops"}
        )

    forget_pending_on_commit()
    with django_capture_on_commit_callbacks() as callbacks:
        record_revert(model="claim", version=version, user=reviewer, reason="Back to the first draft")

    citations = {c.pk: c for c in Citation.objects.filter(claim=claim)}
    assert set(citations) == {kept.pk, dropped.pk}  # the later one removed, the deleted one back under its id
    assert citations[kept.pk].excerpt == UK_EXCERPT
    assert citations[dropped.pk].excerpt == "Ukraine must be part of any talks"
    assert all(c.quote_status == QuoteStatus.UNVERIFIED for c in citations.values())
    assert set(_queued_checks(callbacks)) == {source.pk}
    actions = dict(
        ChangeEntry.objects.filter(model="sources.citation", reason="Back to the first draft").values_list(
            "object_id", "action"
        )
    )
    assert actions == {
        kept.pk: HistoryAction.REVERTED,
        dropped.pk: HistoryAction.RESTORED,
        added.pk: HistoryAction.DELETED,
    }
    assert set(ChangeEntry.objects.filter(reason="Back to the first draft").values_list("user", flat=True)) == {
        reviewer.pk
    }
    _run(callbacks)
    assert set(Citation.objects.filter(claim=claim).values_list("quote_status", flat=True)) == {QuoteStatus.PRESENT}
