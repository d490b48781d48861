"""Cheaper checks (issue 13, point 9): nothing computed twice, nothing computed that the check does not use.

Speed itself is measured by `make bench-checks` (docs/benchmarks.md); these tests pin the work a check
skips, by counting the calls of the costly steps on pages served by the local server.
"""

import datetime

import pytest

from sources import checking, content
from sources.content import reading
from sources.models import SourceSnapshot
from tests.factories import CitationFactory, SourceFactory
from tests.sources.checking_support import ARTICLE_PARAGRAPHS, article_html, page_url
from tests.sources.test_extraction_confidence import BODY, CAPTION, GALLERY, STANDFIRST, news_page

pytestmark = pytest.mark.django_db


class Calls:
    """Counts the calls of a function while still calling it."""

    def __init__(self, monkeypatch, owner, name):
        self.count = 0
        real = getattr(owner, name)

        def counted(*args, **kwargs):
            self.count += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)


FILLED = {
    "publisher": "Example News",
    "author": "Jane Reporter",
    "language": "en",
    "published_on": datetime.date(2025, 2, 17),
}


def _checked_source(server, **fields):
    server.add("/article", body=article_html())
    source = SourceFactory(url=page_url(server, "/article"), **fields)
    CitationFactory(source=source, excerpt="ready and willing to put troops on the ground in Ukraine")
    CitationFactory(source=source, excerpt="Poland said it would not send soldiers")
    checking.source_check(source_id=source.pk)
    return source


def test_an_unchanged_article_is_not_fingerprinted_again_nor_read_for_metadata(news_server, monkeypatch):
    source = _checked_source(news_server, **FILLED)
    fingerprints = Calls(monkeypatch, checking.content, "fingerprint")
    metadata = Calls(monkeypatch, checking.content, "extract_metadata")
    fuller = Calls(monkeypatch, reading, "_fuller_text")

    check = checking.source_check(source_id=source.pk)

    assert check.text_changed is False and check.fingerprint == source.snapshots.get().fingerprint
    # Same main text as the snapshot: its fingerprint is the snapshot's; every field filled: no metadata;
    # both excerpts word for word in the main text: the page's fuller text is never built.
    assert (fingerprints.count, metadata.count, fuller.count) == (0, 0, 0)
    assert check.metadata_found == {}


def test_a_changed_article_is_fingerprinted_once_and_its_old_text_once(news_server, monkeypatch):
    source = _checked_source(news_server, **FILLED)
    news_server.add("/article", body=article_html(ARTICLE_PARAGRAPHS[:-1]))
    fingerprints = Calls(monkeypatch, checking.content, "fingerprint")
    stable = Calls(monkeypatch, content.changes, "stable_text")
    material = Calls(monkeypatch, checking.content, "is_material_change")

    check = checking.source_check(source_id=source.pk)

    assert check.text_changed is True
    assert (fingerprints.count, stable.count, material.count) == (2, 2, 0)


def test_a_snapshot_fingerprinted_by_an_earlier_stable_form_is_no_change(news_server):
    source = _checked_source(news_server, **FILLED)
    SourceSnapshot.objects.filter(source=source).update(fingerprint="0" * 64)  # an earlier algorithm's
    news_server.add("/article", body=article_html(footer="Copyright 2026 Example News. All rights reserved."))

    check = checking.source_check(source_id=source.pk)

    assert check.text_changed is False and source.snapshots.count() == 1


def test_metadata_is_read_while_a_field_is_empty(news_server, monkeypatch):
    source = _checked_source(news_server, **{**FILLED, "author": ""})
    metadata = Calls(monkeypatch, checking.content, "extract_metadata")

    check = checking.source_check(source_id=source.pk)

    assert metadata.count == 1 and check.metadata_found["title"] == "Leaders meet in Paris on Ukraine"


def _cite_outside_the_main_text(source, server, page):
    main = reading.read_page(page).main
    outside = next(words for words in (STANDFIRST, CAPTION, GALLERY) if words not in main)
    server.add("/article", body=page)
    source.citations.all().delete()
    CitationFactory(source=source, excerpt=BODY[1][:80])
    CitationFactory(source=source, excerpt=BODY[3][:80])
    return CitationFactory(source=source, excerpt=outside)


def test_a_quote_outside_the_main_text_is_found_in_the_article_without_the_fuller_text(news_server, monkeypatch):
    source = _checked_source(news_server, **FILLED)
    _cite_outside_the_main_text(source, news_server, news_page())  # a standfirst, a caption, a gallery
    fuller = Calls(monkeypatch, reading, "_fuller_text")

    check = checking.source_check(source_id=source.pk)

    assert fuller.count == 0  # the <article> around the main text holds it word for word
    assert sorted(check.citation_checks.values_list("status", flat=True)) == ["present"] * 3


def test_a_quote_only_in_the_json_ld_still_reads_the_fuller_text(news_server, monkeypatch):
    source = _checked_source(news_server, **FILLED)
    said = "Macron said Europe would take its share of the guarantees, in a passage cut from the page"
    page = news_page(json_ld_body="\n".join([*BODY, said]))
    _cite_outside_the_main_text(source, news_server, page)
    CitationFactory(source=source, excerpt=said)
    fuller = Calls(monkeypatch, reading, "_fuller_text")

    check = checking.source_check(source_id=source.pk)

    assert fuller.count == 1
    assert sorted(check.citation_checks.values_list("status", flat=True)) == ["present"] * 4
