"""An unchanged article is not extracted again (issue 13, point 9): its main text is the snapshot's
while the markup of the article it came from is the same (sources.content.container); the teasers,
"Most read" and scripts around it may change on every request.
"""

import pytest
from django.utils import timezone

from sources import checking, content
from sources.content import container, reading
from sources.content.extraction import parse_html
from tests.factories import CitationFactory, SourceFactory
from tests.sources.checking_support import page_url
from tests.sources.test_check_costs import Calls
from tests.sources.test_extraction_confidence import BODY, STANDFIRST, js_rendered_page, news_page

pytestmark = pytest.mark.django_db


def _page(*, related: str = "Ukraine talks: what we know so far", body: list[str] = BODY) -> str:
    """news_page with its related-posts teaser (inside <main>, outside <article>) swapped."""
    page = news_page(body="\n".join(f"<p>{p}</p>" for p in body))
    return page.replace("Ukraine talks: what we know so far", related)


@pytest.fixture
def checked(news_server):
    """A source checked once (the baseline), cited from the body and the standfirst."""
    news_server.add("/article", body=_page())
    source = SourceFactory(url=page_url(news_server, "/article"))
    CitationFactory(source=source, excerpt=BODY[1][:90])
    CitationFactory(source=source, excerpt=STANDFIRST)
    checking.source_check(source_id=source.pk)
    source.refresh_from_db()
    return source


def test_the_first_check_remembers_where_the_text_came_from(checked):
    memo = checked.extraction_memo
    snapshot = checked.snapshots.get()

    assert memo["path"] == "/html/body/main/article"
    assert memo["snapshot"] == snapshot.pk and memo["url"] == checked.url
    assert memo["version"] == content.EXTRACTOR_VERSION
    assert memo["since"] == timezone.localdate().isoformat()
    assert memo["digest"] == container.digest(parse_html(_page()), memo["path"])


def test_rotating_teasers_around_an_unchanged_article_do_not_run_the_extractor(
    checked, news_server, monkeypatch, django_assert_num_queries
):
    news_server.add("/article", body=_page(related="Five charts on defence spending"))
    extractions = Calls(monkeypatch, reading, "extract_main_text")

    # The source with its latest snapshot; under the lock the same, then the check, the source's
    # bookkeeping, the citations, their verdicts, their bookkeeping and the feed rows (the savepoint
    # stands for the check's transaction inside the test's).
    with django_assert_num_queries(10):
        check = checking.source_check(source_id=checked.pk)

    assert extractions.count == 0
    assert check.text_changed is False and check.snapshot == checked.snapshots.get()
    assert check.fingerprint == checked.snapshots.get().fingerprint
    assert sorted(check.citation_checks.values_list("status", flat=True)) == ["present", "present"]
    checked.refresh_from_db()
    assert checked.extraction_memo["snapshot"] == check.snapshot.pk


def test_an_edit_inside_the_article_is_extracted_and_seen(checked, news_server, monkeypatch):
    edited = [*BODY[:1], BODY[1].replace("ready and willing", "prepared"), *BODY[2:]]
    news_server.add("/article", body=_page(body=edited))
    extractions = Calls(monkeypatch, reading, "extract_main_text")

    check = checking.source_check(source_id=checked.pk)

    assert extractions.count == 1
    assert check.text_changed is True and "prepared" in check.snapshot.text
    body_quote = check.citation_checks.get(excerpt=BODY[1][:90])
    assert body_quote.status == "altered"
    checked.refresh_from_db()
    assert checked.extraction_memo["snapshot"] == check.snapshot.pk  # the new text is remembered


def test_a_reused_text_is_extracted_afresh_after_a_week(checked, news_server, monkeypatch):
    week_ago = timezone.localdate() - checking.EXTRACTION_MEMO_MAX_AGE
    checked.extraction_memo = {**checked.extraction_memo, "since": week_ago.isoformat()}
    checked.save(update_fields=["extraction_memo"])
    extractions = Calls(monkeypatch, reading, "extract_main_text")

    check = checking.source_check(source_id=checked.pk)

    assert extractions.count == 1 and check.text_changed is False
    checked.refresh_from_db()
    assert checked.extraction_memo["since"] == timezone.localdate().isoformat()


@pytest.mark.parametrize(
    ("key", "value"),
    [("version", "trafilatura 0.1; options 1"), ("url", "https://elsewhere.example.org/article"), ("snapshot", 0)],
)
def test_a_memo_of_another_extractor_address_or_snapshot_is_not_used(checked, monkeypatch, key, value):
    checked.extraction_memo = {**checked.extraction_memo, key: value}
    checked.save(update_fields=["extraction_memo"])
    extractions = Calls(monkeypatch, reading, "extract_main_text")

    check = checking.source_check(source_id=checked.pk)

    assert extractions.count == 1 and check.text_changed is False


def test_a_page_too_thin_to_read_keeps_no_memo(news_server):
    news_server.add("/article", body=js_rendered_page())
    source = SourceFactory(url=page_url(news_server, "/article"))

    checking.source_check(source_id=source.pk)

    source.refresh_from_db()
    assert source.extraction_memo == {}


def test_the_container_is_the_article_around_the_text():
    page = _page()
    root = parse_html(page)
    main = reading.read_page(page).main

    assert container.locate(root, main) == "/html/body/main/article"


def test_a_text_the_page_does_not_hold_is_not_placed():
    root = parse_html(_page())
    main = reading.read_page(_page()).main

    assert container.locate(root, main + "\nA paragraph this page does not have at all, anywhere.") is None
    assert container.locate(root, "") is None


def test_the_digest_follows_the_article_markup_only():
    path = "/html/body/main/article"
    first = container.digest(parse_html(_page()), path)

    assert container.digest(parse_html(_page(related="Five charts on defence spending")), path) == first
    assert container.digest(parse_html(_page(body=BODY[:-1])), path) != first
    assert container.digest(parse_html(_page()), "/html/body/div[9]") == ""
    assert container.digest(parse_html(_page()), "not an xpath ((") == ""
