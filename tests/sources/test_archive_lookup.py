"""Optional Wayback Machine look-up on failed checks, against a recorded availability-API response."""

import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from sources import checking
from sources.choices import CheckOutcome
from tests.factories import SourceFactory
from tests.sources.checking_support import article_html, page_url

pytestmark = pytest.mark.django_db

# The example answer of https://archive.org/wayback/available as documented by the Internet Archive.
RECORDED = (Path(__file__).parent / "fixtures" / "wayback_available.json").read_text()


@pytest.fixture
def archive(news_server, settings):
    settings.SOURCE_CHECK_ARCHIVE_API = page_url(news_server, "/wayback/available")
    news_server.add("/wayback/available", body=RECORDED, content_type="application/json")
    return news_server


def test_archive_look_up_is_off_by_default(archive, settings):
    assert settings.SOURCE_CHECK_ARCHIVE_LOOKUP is False
    archive.add("/article", status=404)
    source = SourceFactory(url=page_url(archive, "/article"))

    check = checking.source_check(source_id=source.pk)

    assert check.outcome == CheckOutcome.GONE
    assert check.archive_url == ""
    assert archive.requests_to("/wayback/available") == []


def test_a_gone_page_records_the_closest_capture(archive, settings):
    settings.SOURCE_CHECK_ARCHIVE_LOOKUP = True
    archive.add("/article", status=410)
    source = SourceFactory(url=page_url(archive, "/article"), published_on=datetime.date(2025, 2, 17))

    check = checking.source_check(source_id=source.pk)

    assert check.archive_url == "http://web.archive.org/web/20130919044612/http://example.com/"
    assert check.archived_at == datetime.datetime(2013, 9, 19, 4, 46, 12, tzinfo=datetime.UTC)
    (request,) = archive.requests_to("/wayback/available")
    query = parse_qs(urlsplit(request.target).query)
    assert query == {"url": [source.url], "timestamp": ["20250217"]}


def test_no_capture_and_working_pages_record_nothing(archive, settings):
    settings.SOURCE_CHECK_ARCHIVE_LOOKUP = True
    archive.add("/wayback/available", body='{"url": "x", "archived_snapshots": {}}', content_type="application/json")
    archive.add("/gone", status=404)
    archive.add("/fine", body=article_html())
    gone = SourceFactory(url=page_url(archive, "/gone"))
    fine = SourceFactory(url=page_url(archive, "/fine"))

    assert checking.source_check(source_id=gone.pk).archive_url == ""
    assert checking.source_check(source_id=fine.pk).archive_url == ""
    assert len(archive.requests_to("/wayback/available")) == 1  # only for the failure
