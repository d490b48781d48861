"""A background check's write is in recent changes under the system user, with its reason."""

import pytest

from core.history import get_system_user
from core.models import ChangeEntry
from sources import checking, tasks
from tests.factories import CitationFactory, SourceFactory
from tests.sources.checking_support import article_html, page_url

pytestmark = pytest.mark.django_db


def test_a_celery_check_filling_empty_metadata_appears_in_recent_changes_as_the_system_user(news_server):
    meta = '<meta property="og:site_name" content="Example News"><meta name="author" content="Jane Reporter">'
    news_server.add("/article", body=article_html(meta=meta))
    source = SourceFactory(url=page_url(news_server, "/article"), title="Editor's own title")
    CitationFactory(source=source, excerpt="ready and willing to put troops on the ground in Ukraine")
    before = set(ChangeEntry.objects.values_list("pk", flat=True))

    result = tasks.check_source.apply(args=[source.pk])

    assert result.successful(), result.traceback
    source.refresh_from_db()
    assert (source.publisher, source.author) == ("Example News", "Jane Reporter")
    entries = list(ChangeEntry.objects.exclude(pk__in=before))
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.model, entry.object_id) == ("sources.source", source.pk)
    assert entry.user == get_system_user()
    assert entry.reason == checking.METADATA_REASON
    assert "publisher" in entry.summary and "author" in entry.summary
