"""PDF sources: their text read with pypdf and their excerpts verified like a page's (issue 13, point 8).

The fixtures are real PDFs printed by Chromium from a press statement (embedded fonts, lines wrapped
mid-sentence): statement_v1.pdf, and statement_v2.pdf where one word of the British prime minister's
quote was changed and the Polish paragraph removed — the silent edits newsrooms watch for. They are
served by the local HTTP server as application/pdf.
"""

import io
from pathlib import Path

import pypdf
import pytest

from sources import checking
from sources.choices import CheckOutcome, ExcerptText, QuoteStatus, SourceHealth
from sources.content import read_pdf
from tests.factories import CitationFactory, SourceFactory
from tests.sources.checking_support import page_url

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
V1 = (FIXTURES / "statement_v1.pdf").read_bytes()
V2 = (FIXTURES / "statement_v2.pdf").read_bytes()
# Spans a line break in the PDF ("…contribute to\nsecurity guarantees…").
UK = (
    "ready and willing to contribute to security guarantees for Ukraine by putting its own troops on the ground "
    "if necessary"
)
POLAND = "Poland does not plan to send soldiers to Ukraine"
CHANCELLOR = "the debate about sending peacekeeping forces is premature and highly inappropriate"
NEVER = "France will lead a naval mission in the Black Sea"


def _serve(server, path, body):
    server.add(path, body=body, content_type="application/pdf")


def _pdf_source(server, path="/statements/paris.pdf", excerpts=(UK, POLAND, CHANCELLOR, NEVER), **fields):
    source = SourceFactory(url=page_url(server, path), title="Joint statement", kind="official_statement", **fields)
    citations = [CitationFactory(source=source, excerpt=excerpt) for excerpt in excerpts]
    return source, citations


def _statuses(citations):
    for citation in citations:
        citation.refresh_from_db()
    return [citation.quote_status for citation in citations]


def test_the_text_of_a_printed_pdf_is_read_across_line_breaks():
    reading = read_pdf(V1)

    assert reading.confident
    assert "Joint statement by European leaders" in reading.main
    assert "contribute to\nsecurity guarantees" in reading.main  # wrapped as printed...
    assert "Élysée Palace" in reading.main


def test_excerpts_of_a_pdf_are_present_altered_or_missing_like_a_pages(news_server):
    _serve(news_server, "/statements/paris.pdf", V1)
    source, citations = _pdf_source(news_server)

    check = checking.source_check(source_id=source.pk)

    assert (check.outcome, check.content_type, check.error) == (CheckOutcome.OK, "application/pdf", "")
    assert check.excerpts_checked_against == ExcerptText.LIVE_PAGE
    assert _statuses(citations) == [QuoteStatus.PRESENT] * 3 + [QuoteStatus.MISSING]
    assert "ready and willing to contribute" in check.snapshot.text  # the text, not the bytes, is kept

    _serve(news_server, "/statements/paris.pdf", V2)  # the statement silently edited
    second = checking.source_check(source_id=source.pk)

    assert second.text_changed
    assert _statuses(citations) == [QuoteStatus.ALTERED, QuoteStatus.MISSING, QuoteStatus.PRESENT, QuoteStatus.MISSING]
    altered = citations[0].quote_check
    assert "if requested" in altered.matched_passage and altered.score < 100
    source.refresh_from_db()
    assert source.health == SourceHealth.CHANGED


def test_the_same_statement_printed_again_is_no_change(news_server):
    _serve(news_server, "/statements/paris.pdf", V1)
    source, _ = _pdf_source(news_server)
    checking.source_check(source_id=source.pk)
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(V1))
    writer.add_metadata({"/Title": "Joint statement (reissued)"})  # other bytes, same text
    reissued = io.BytesIO()
    writer.write(reissued)
    assert reissued.getvalue() != V1
    _serve(news_server, "/statements/paris.pdf", reissued.getvalue())

    check = checking.source_check(source_id=source.pk)

    assert check.text_changed is False and check.fingerprint == source.snapshots.get().fingerprint


def test_a_pdf_without_text_says_why_and_judges_no_excerpt(news_server):
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)  # what a scan without a text layer gives pypdf: no text
    scan = io.BytesIO()
    writer.write(scan)
    _serve(news_server, "/scan.pdf", scan.getvalue())
    source, citations = _pdf_source(news_server, path="/scan.pdf", excerpts=(UK,))

    check = checking.source_check(source_id=source.pk)

    assert check.outcome == CheckOutcome.OK
    assert "The PDF could not be read: it has only 0 characters" in check.error
    assert "scan without a text layer" in check.error
    assert _statuses(citations) == [QuoteStatus.UNVERIFIED]
    assert check.excerpts_checked_against == ""


def test_a_damaged_or_locked_pdf_is_no_crash_and_falls_back_to_the_pasted_text(news_server):
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(V1))
    writer.encrypt(user_password="secret", owner_password="owner")
    locked = io.BytesIO()
    writer.write(locked)
    _serve(news_server, "/locked.pdf", locked.getvalue())
    _serve(news_server, "/damaged.pdf", V1[: len(V1) // 3])
    pasted = "The United Kingdom is ready and willing to contribute to security guarantees for Ukraine."
    locked_source, (on_locked,) = _pdf_source(
        news_server, path="/locked.pdf", excerpts=("ready and willing to contribute",), stored_text=pasted
    )
    damaged_source, (on_damaged,) = _pdf_source(news_server, path="/damaged.pdf", excerpts=(UK,))

    locked_check = checking.source_check(source_id=locked_source.pk)
    damaged_check = checking.source_check(source_id=damaged_source.pk)

    assert locked_check.error == "The PDF is protected by a password; it could not be read."
    assert locked_check.excerpts_checked_against == ExcerptText.PASTED_TEXT
    assert damaged_check.error.startswith("The PDF could not be read")
    assert _statuses([on_locked, on_damaged]) == [QuoteStatus.PRESENT, QuoteStatus.UNVERIFIED]
