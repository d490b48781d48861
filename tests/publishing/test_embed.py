"""The timeline and the matrix, to put in a newsroom's article: a standalone SVG and a page for an <iframe>.
Only these responses may be framed by another site; every other page keeps X-Frame-Options and
`frame-ancestors 'none'`."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.config.test_content_security_policy import directives

pytestmark = pytest.mark.django_db

SVG_NS = "{http://www.w3.org/2000/svg}"


def _embeds(d):
    return {
        "timeline.svg": reverse("publishing:actor-timeline-svg", args=[d.speaker.slug]),
        "matrix.svg": reverse("publishing:topic-matrix-svg", args=[d.topic.slug]),
        "timeline embed": reverse("publishing:actor-timeline-embed", args=[d.speaker.slug]),
        "matrix embed": reverse("publishing:topic-matrix-embed", args=[d.topic.slug]),
    }


def test_embeds_may_be_framed_by_any_site(dossier, anonymous):
    for name, url in _embeds(dossier).items():
        for attempt in ("fresh", "cached"):
            response = anonymous.get(url)

            assert response.status_code == 200, (name, attempt)
            assert "X-Frame-Options" not in response, (name, attempt)
            policy = directives(response)
            assert policy["frame-ancestors"] == ["*"], (name, attempt)
            assert policy["script-src"] == ["'self'"], (name, attempt)  # the rest of the policy stays


def test_the_other_public_pages_may_not_be_framed(dossier, anonymous):
    for url in (
        reverse("publishing:claim", args=[dossier.claim.pk]),
        reverse("publishing:actor", args=[dossier.speaker.slug]),
        reverse("publishing:topic", args=[dossier.topic.slug]),
    ):
        response = anonymous.get(url)

        assert response["X-Frame-Options"] == "DENY"
        assert directives(response)["frame-ancestors"] == ["'none'"]


def test_the_timeline_svg_is_a_standalone_image_linking_to_public_pages(dossier, anonymous):
    response = anonymous.get(reverse("publishing:actor-timeline-svg", args=[dossier.speaker.slug]))

    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    root = ET.fromstring(response.content)  # noqa: S314 - our own response, not untrusted input
    assert root.tag == f"{SVG_NS}svg"
    assert root.find(f"{SVG_NS}title").text == "Keir Starmer: published stances and claims over time"
    links = {a.get("href") for a in root.iter(f"{SVG_NS}a")}
    assert links == {
        f"/public/topics/{dossier.topic.slug}/",
        f"/public/claims/{dossier.claim.pk}/",
    }


def test_the_matrix_svg_has_a_row_per_actor_with_a_published_stance(dossier, anonymous):
    response = anonymous.get(reverse("publishing:topic-matrix-svg", args=[dossier.topic.slug]))

    root = ET.fromstring(response.content)  # noqa: S314 - our own response, not untrusted input
    cells = sorted(title.text for a in root.iter(f"{SVG_NS}a") for title in a.findall(f"{SVG_NS}title"))
    assert cells == [
        "Keir Starmer on Troops in Ukraine: Support (17 February 2025)",
        "Troops in Ukraine",
        "UK government on Troops in Ukraine: Support (1 February 2025)",
    ]


def test_the_embed_page_holds_the_picture_and_opens_links_in_the_article_s_window(dossier, anonymous):
    response = anonymous.get(reverse("publishing:topic-matrix-embed", args=[dossier.topic.slug]))

    html = response.content.decode()
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert '<base target="_top">' in html
    assert 'class="chart matrix"' in html
    assert f'href="http://testserver/public/topics/{dossier.topic.slug}/"' in html


def test_the_actor_page_offers_the_embed_code(dossier, anonymous):
    html = anonymous.get(reverse("publishing:actor", args=[dossier.speaker.slug])).content.decode()

    assert (
        f"&lt;iframe src=&quot;http://testserver/public/actors/{dossier.speaker.slug}/timeline/embed/&quot;" in html
        or f'&lt;iframe src="http://testserver/public/actors/{dossier.speaker.slug}/timeline/embed/"' in html
    )
