"""Public pages: a claim's fact-check page (with its ClaimReview JSON-LD), an actor's page with the
timeline, a topic's page with the stance matrix, and the two pictures to embed in a newsroom's article
(a standalone SVG and a page for an <iframe>).

No login, published work only (publishing/selectors.py), and nothing at all unless PUBLIC_PAGES_ENABLED.
Pages are cached for PUBLIC_PAGES_CACHE_SECONDS in Django's cache and marked `Cache-Control: public`
for the same time, so a retraction leaves them within that time (twice that behind a shared cache).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from csp.decorators import csp_replace
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import cache_page
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from core.middleware import CACHE_ERRORS
from positions.charts import legend_html
from publishing import pictures, selectors
from sources.claimreview import claim_reviews, is_reviewable

logger = logging.getLogger(__name__)

SVG = "image/svg+xml; charset=utf-8"
# Characters that could end or confuse the <script> element holding the JSON-LD (as json_script escapes).
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """404 unless public pages are on; then the cached page, marked public for shared caches.

    The switch is read before the cache, so turning the pages off hides them at once. The cache is
    built per request so its timeout and key prefix follow the settings (tests give each test its own
    prefix, so one test's pages never answer another's)."""

    @wraps(view)
    def with_headers(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=settings.PUBLIC_PAGES_CACHE_SECONDS)
        return response

    @wraps(view)
    @require_safe
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.PUBLIC_PAGES_ENABLED:
            raise Http404("Public pages are switched off.")
        cached = cache_page(settings.PUBLIC_PAGES_CACHE_SECONDS, key_prefix=settings.PUBLIC_PAGES_CACHE_PREFIX)
        try:
            return cached(with_headers)(request, *args, **kwargs)
        except CACHE_ERRORS as error:
            # Redis away: the page is served uncached rather than not at all (docs/design.md).
            logger.warning("Public page served uncached: the cache is unreachable (%s).", error)
            return with_headers(request, *args, **kwargs)

    return wrapper


def embeddable(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Any site may frame this response: no X-Frame-Options, and CSP `frame-ancestors *` on it alone."""
    return xframe_options_exempt(csp_replace({"frame-ancestors": ["*"]})(view))


def json_ld(data: dict[str, Any]) -> SafeString:
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).translate(_SCRIPT_ESCAPES)
    return mark_safe(text)  # noqa: S308 - JSON with <, > and & escaped cannot leave its <script>


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@public_page
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = selectors.public_claim(pk)
    if claim is None:
        raise Http404("No published claim with this number.")
    page = selectors.claim_page(claim)
    url = request.build_absolute_uri(reverse("publishing:claim", args=[claim.pk]))
    review = None
    if is_reviewable(claim):
        review = claim_reviews([claim], url_for=lambda _claim: url, site_url=_site_url(request))[0]
    return render(
        request,
        "publishing/claim.html",
        {
            "page": page,
            "claim": claim,
            "canonical_url": url,
            "review": review,
            "json_ld": json_ld(review) if review else "",
            "publisher_name": settings.PUBLISHER_NAME,
        },
    )


def _actor_or_404(slug: str):
    actor = selectors.public_actor(slug)
    if actor is None:
        raise Http404("No published work by this actor.")
    return actor


def _topic_or_404(slug: str):
    topic = selectors.public_topic(slug)
    if topic is None:
        raise Http404("No published work on this topic.")
    return topic


def _timeline(actor) -> tuple[SafeString, list, list]:
    positions, claims = selectors.actor_positions(actor), selectors.actor_claims(actor)
    return pictures.actor_timeline(actor, positions, claims), positions, claims


@public_page
def actor_detail(request: HttpRequest, slug: str) -> HttpResponse:
    actor = _actor_or_404(slug)
    chart, positions, claims = _timeline(actor)
    return render(
        request,
        "publishing/actor.html",
        {
            "actor": actor,
            "chart": chart,
            "legend": legend_html(),
            "positions": positions,
            "claims": claims,
            "canonical_url": request.build_absolute_uri(reverse("publishing:actor", args=[slug])),
            "embed_url": request.build_absolute_uri(reverse("publishing:actor-timeline-embed", args=[slug])),
            "svg_url": request.build_absolute_uri(reverse("publishing:actor-timeline-svg", args=[slug])),
            "embed_title": f"{actor.name}: stances over time",
            "publisher_name": settings.PUBLISHER_NAME,
        },
    )


@public_page
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = _topic_or_404(slug)
    on = timezone.localdate()
    return render(
        request,
        "publishing/topic.html",
        {
            "topic": topic,
            "on": on,
            "chart": pictures.topic_matrix(topic, on=on),
            "legend": legend_html(),
            "claims": selectors.topic_claims(topic),
            "canonical_url": request.build_absolute_uri(reverse("publishing:topic", args=[slug])),
            "embed_url": request.build_absolute_uri(reverse("publishing:topic-matrix-embed", args=[slug])),
            "svg_url": request.build_absolute_uri(reverse("publishing:topic-matrix-svg", args=[slug])),
            "embed_title": f"Stances on {topic.title}",
            "publisher_name": settings.PUBLISHER_NAME,
        },
    )


# --- Embeddable pictures -------------------------------------------------------------------------


@embeddable
@public_page
def actor_timeline_svg(request: HttpRequest, slug: str) -> HttpResponse:
    chart, _, _ = _timeline(_actor_or_404(slug))
    return HttpResponse(chart, content_type=SVG)


@embeddable
@public_page
def topic_matrix_svg(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse(pictures.topic_matrix(_topic_or_404(slug), on=timezone.localdate()), content_type=SVG)


def _embed(request: HttpRequest, *, title: str, chart: SafeString, page_url: str) -> HttpResponse:
    return render(
        request,
        "publishing/embed.html",
        {
            "title": title,
            "chart": chart,
            "legend": legend_html(),
            "page_url": request.build_absolute_uri(page_url),
            "publisher_name": settings.PUBLISHER_NAME,
        },
    )


@embeddable
@public_page
def actor_timeline_embed(request: HttpRequest, slug: str) -> HttpResponse:
    actor = _actor_or_404(slug)
    chart, _, _ = _timeline(actor)
    return _embed(
        request,
        title=f"{actor.name}: stances over time",
        chart=chart,
        page_url=reverse("publishing:actor", args=[slug]),
    )


@embeddable
@public_page
def topic_matrix_embed(request: HttpRequest, slug: str) -> HttpResponse:
    topic = _topic_or_404(slug)
    return _embed(
        request,
        title=f"Stances on {topic.title}",
        chart=pictures.topic_matrix(topic, on=timezone.localdate()),
        page_url=reverse("publishing:topic", args=[slug]),
    )
