"""The public pages show what partners see (core.visibility, partner=True) and nothing else, exactly as
the partner API's visibility tests check it: drafts, claims in review, retracted claims and the actors,
topics and sources only they refer to answer 404 or stay off the pages; with the setting off, every
public address answers 404."""

import pytest
from django.urls import reverse

from tests.publishing.conftest import json_ld_blocks

pytestmark = pytest.mark.django_db

SECRET_MARKERS = ["zanzibar", "secret minister", "secret plan", "leaked memo", "leak.example.org"]


def _urls(d):
    return {
        "claim": reverse("publishing:claim", args=[d.claim.pk]),
        "actor": reverse("publishing:actor", args=[d.speaker.slug]),
        "actor-state": reverse("publishing:actor", args=[d.government.slug]),
        "timeline-svg": reverse("publishing:actor-timeline-svg", args=[d.speaker.slug]),
        "timeline-embed": reverse("publishing:actor-timeline-embed", args=[d.speaker.slug]),
        "topic": reverse("publishing:topic", args=[d.topic.slug]),
        "matrix-svg": reverse("publishing:topic-matrix-svg", args=[d.topic.slug]),
        "matrix-embed": reverse("publishing:topic-matrix-embed", args=[d.topic.slug]),
    }


def _hidden_urls(d):
    return {
        "draft claim": reverse("publishing:claim", args=[d.draft.pk]),
        "claim in review": reverse("publishing:claim", args=[d.in_review.pk]),
        "retracted claim": reverse("publishing:claim", args=[d.retracted.pk]),
        "unpublished actor": reverse("publishing:actor", args=[d.secret_actor.slug]),
        "unpublished actor's timeline": reverse("publishing:actor-timeline-svg", args=[d.secret_actor.slug]),
        "unpublished actor's embed": reverse("publishing:actor-timeline-embed", args=[d.secret_actor.slug]),
        "unpublished topic": reverse("publishing:topic", args=[d.secret_topic.slug]),
        "unpublished topic's matrix": reverse("publishing:topic-matrix-svg", args=[d.secret_topic.slug]),
        "unpublished topic's embed": reverse("publishing:topic-matrix-embed", args=[d.secret_topic.slug]),
        "unknown claim": reverse("publishing:claim", args=[999999]),
    }


def test_published_work_is_public_without_login_and_leaks_nothing_unpublished(dossier, anonymous):
    for name, url in _urls(dossier).items():
        response = anonymous.get(url)

        assert response.status_code == 200, name
        text = response.content.decode().lower()
        for marker in SECRET_MARKERS:
            assert marker not in text, f"{marker!r} leaked by the {name} page"
        for pk in (dossier.draft.pk, dossier.in_review.pk, dossier.retracted.pk):
            assert f"/public/claims/{pk}/" not in text, name


def test_unpublished_claims_actors_and_topics_answer_404(dossier, anonymous, reviewer):
    anonymous.force_login(reviewer)  # even a reviewer sees only published work here

    for name, url in _hidden_urls(dossier).items():
        assert anonymous.get(url).status_code == 404, name


def test_pages_list_exactly_the_published_records(dossier, anonymous):
    actor = anonymous.get(reverse("publishing:actor", args=[dossier.speaker.slug])).content.decode()
    topic = anonymous.get(reverse("publishing:topic", args=[dossier.topic.slug])).content.decode()
    claim = anonymous.get(reverse("publishing:claim", args=[dossier.claim.pk])).content.decode()

    claim_link = f'href="/public/claims/{dossier.claim.pk}/"'
    assert actor.count("/public/claims/") == actor.count(claim_link) >= 1
    assert topic.count("/public/claims/") == topic.count(claim_link) >= 1
    # The matrix: the two actors with published positions, nobody else.
    assert "Keir Starmer" in topic and "UK government" in topic
    # The claim's page names its published positions and its source, not the draft's.
    assert "Paris summit" in claim and "https://news.example.org/paris" in claim
    assert "Keir Starmer</a> on" in claim and "UK government</a> on" in claim


def test_a_retracted_claim_leaves_its_page_when_the_cached_copy_expires(dossier, anonymous, reviewer, settings):
    from tests.factories import CitationFactory, ClaimFactory
    from tracker import services as claim_services

    claim = ClaimFactory(speaker=dossier.speaker, text="Soon retracted.")
    CitationFactory(claim=claim, source=dossier.source)
    claim_services.claim_publish(claim=claim, user=reviewer, reason="Checked")
    url = reverse("publishing:claim", args=[claim.pk])
    assert anonymous.get(url).status_code == 200

    claim_services.claim_retract(claim=claim, user=reviewer, reason="Wrong")
    settings.PUBLIC_PAGES_CACHE_PREFIX += "-expired"  # PUBLIC_PAGES_CACHE_SECONDS later

    assert anonymous.get(url).status_code == 404


@pytest.mark.parametrize("setting_off_after_caching", [False, True])
def test_with_the_setting_off_every_public_address_answers_404(dossier, anonymous, settings, setting_off_after_caching):
    urls = _urls(dossier)
    if setting_off_after_caching:
        assert all(anonymous.get(url).status_code == 200 for url in urls.values())
    settings.PUBLIC_PAGES_ENABLED = False

    for name, url in urls.items():
        response = anonymous.get(url)
        assert response.status_code == 404, name
        assert json_ld_blocks(response.content.decode()) == []
