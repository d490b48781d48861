"""Public pages are cached (Django's cache, PUBLIC_PAGES_CACHE_SECONDS) and say so to shared caches."""

import pytest
from django.urls import reverse

from tests.api.test_degradation import redis_is_down  # noqa: F401 (a fixture)
from tracker.models import Claim

pytestmark = pytest.mark.django_db


def test_a_public_page_is_served_from_the_cache_until_it_expires(dossier, anonymous, settings):
    url = reverse("publishing:claim", args=[dossier.claim.pk])
    first = anonymous.get(url)
    Claim.objects.filter(pk=dossier.claim.pk).update(text="Changed behind the cache's back.")

    again = anonymous.get(url)
    settings.PUBLIC_PAGES_CACHE_PREFIX += "-expired"  # as if the entry had expired
    fresh = anonymous.get(url)

    assert first["Cache-Control"] == again["Cache-Control"]
    assert sorted(first["Cache-Control"].split(", ")) == ["max-age=300", "public"]
    assert "Expires" in first
    assert "Cookie" not in first.get("Vary", "")
    assert b"The UK is ready to put troops on the ground." in again.content
    assert b"Changed behind the cache" not in again.content
    assert b"Changed behind the cache&#x27;s back." in fresh.content


def test_a_cached_page_costs_no_query(dossier, anonymous, django_assert_num_queries, django_assert_max_num_queries):
    url = reverse("publishing:actor", args=[dossier.speaker.slug])
    with django_assert_max_num_queries(12):
        assert anonymous.get(url).status_code == 200

    with django_assert_num_queries(0):
        assert anonymous.get(url).status_code == 200


def test_a_404_is_not_cached(dossier, anonymous, reviewer):
    from tests.factories import CitationFactory
    from tracker import services as claim_services

    url = reverse("publishing:claim", args=[dossier.draft.pk])
    assert anonymous.get(url).status_code == 404
    dossier.draft.speaker = dossier.speaker
    dossier.draft.save()
    CitationFactory(claim=dossier.draft, source=dossier.source)
    claim_services.claim_publish(claim=dossier.draft, user=reviewer, reason="Checked")

    assert anonymous.get(url).status_code == 200


def test_the_cache_time_follows_the_setting(dossier, anonymous, settings):
    settings.PUBLIC_PAGES_CACHE_SECONDS = 60

    response = anonymous.get(reverse("publishing:topic", args=[dossier.topic.slug]))

    assert "max-age=60" in response["Cache-Control"]


@pytest.mark.usefixtures("redis_is_down")
def test_with_redis_away_a_public_page_is_served_uncached(dossier, anonymous, caplog):
    """The cache points at a closed port for real (tests/api/test_degradation.py): the page still
    answers, and the log says why."""
    response = anonymous.get(reverse("publishing:claim", args=[dossier.claim.pk]))

    assert response.status_code == 200
    assert b"The UK is ready to put troops on the ground." in response.content
    assert "Public page served uncached: the cache is unreachable" in caplog.text
