import pytest
from django.core.exceptions import ValidationError

from sources import services
from sources.models import Source
from tests.factories import CitationFactory, SourceFactory
from tracker import services as tracker_services
from tracker.choices import EditorialStatus

pytestmark = pytest.mark.django_db


def test_a_source_url_is_normalised_and_unique(editor):
    source = services.source_create(
        user=editor, reason="New", data={"url": "HTTPS://News.Example.org/story?utm_source=x#top", "title": "Story"}
    )
    assert source.url == "https://news.example.org/story"

    with pytest.raises(ValidationError) as error:
        services.source_create(user=editor, reason="Again", data={"url": "https://news.example.org/story?utm_medium=y"})
    assert "already exists" in str(error.value)
    assert Source.objects.count() == 1


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "https://user:pw@example.org/"])
def test_a_hostile_url_is_refused_naming_the_url_field(editor, url):
    with pytest.raises(ValidationError) as error:
        services.source_create(user=editor, reason="x", data={"url": url, "title": "t"})
    assert "url" in error.value.message_dict
    assert Source.objects.count() == 0


def test_a_source_needs_a_url_or_a_title(editor):
    with pytest.raises(ValidationError):
        services.source_create(user=editor, reason="x", data={"publisher": "BBC"})


def test_the_last_citation_of_a_published_claim_cannot_be_deleted(reviewer):
    citation = CitationFactory()
    tracker_services.claim_publish(claim=citation.claim, user=reviewer, reason="ok")

    with pytest.raises(ValidationError) as error:
        services.citation_delete(citation=citation, user=reviewer, reason="cleanup")
    assert "at least one citation" in str(error.value)

    second = services.citation_create(
        user=reviewer, reason="Second source", claim=citation.claim, data={"source": SourceFactory(), "excerpt": "x"}
    )
    services.citation_delete(citation=citation, user=reviewer, reason="Replaced by a better source")
    citation.claim.refresh_from_db()
    assert list(citation.claim.citations.all()) == [second]
    assert citation.claim.status == EditorialStatus.PUBLISHED


def test_an_editor_cannot_change_the_citations_of_a_published_claim(editor, reviewer):
    from django.core.exceptions import PermissionDenied

    citation = CitationFactory()
    tracker_services.claim_publish(claim=citation.claim, user=reviewer, reason="ok")
    with pytest.raises(PermissionDenied):
        services.citation_update(
            citation=citation, user=editor, reason="tweak", data={"excerpt": "other"}, expected_version=None
        )
