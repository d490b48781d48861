"""schema.org ClaimReview for a rated claim: the one builder, used by the public fact-check pages
(publishing/) and by the API's `claim-review` and `claim-reviews` endpoints, so the two never disagree.

It follows schema.org and the fact-check aggregators' rules (Google's Fact Check structured data,
which the Fact Check Explorer reads; tests/publishing/test_claimreview_jsonld.py lists them):
`url` is the page that hosts the review, `datePublished` the claim's first publication (an edit
does not re-date the review), the author is the publishing organisation from settings, the rating
has a name and either a value on a 1-5 scale or, for "unverifiable", only its name, and the claim
names its speaker (with Wikidata as `sameAs`) and where it appeared.

It lives in `sources` because a review shows the claim's citations, and the API that needs it is here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone

from core.choices import DatePrecision
from sources.models import Citation, Source
from tracker.choices import ActorKind, EditorialStatus, Veracity
from tracker.models import Actor, Claim

# The claim as the review names it: short enough not to wrap in a result on a phone (Google's
# guidance: under 75 characters). The full text is on the page.
CLAIM_REVIEWED_MAX = 75
ELLIPSIS = "…"

# Our ratings on a 1-5 scale (worst 1 = false, best 5 = true). "Unverifiable" has no place on it and
# is given by name only; "unrated" claims have no review at all.
BEST_RATING, WORST_RATING = 5, 1
VERACITY_SCORE = {
    Veracity.FALSE: 1,
    Veracity.MOSTLY_FALSE: 2,
    Veracity.HALF_TRUE: 3,
    Veracity.MOSTLY_TRUE: 4,
    Veracity.TRUE: 5,
}
WIKIDATA_ENTITY = "https://www.wikidata.org/wiki/{}"


def is_reviewable(claim: Claim) -> bool:
    """A review needs a verdict: an unrated claim has none."""
    return claim.veracity != Veracity.UNRATED


def short_claim(text: str, limit: int = CLAIM_REVIEWED_MAX) -> str:
    """The claim cut at the last word boundary that fits `limit` characters, ellipsis included."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS) + 1]
    head = cut.rsplit(" ", 1)[0] if " " in cut else cut[: limit - len(ELLIPSIS)]
    return head.rstrip(" ,;:.-–—") + ELLIPSIS


def partial_date(value: datetime.date | None, precision: str) -> str | None:
    """ISO 8601 at the precision we know: 2025-02-17, 2025-02 or 2025 (never a made-up first of the month)."""
    if value is None:
        return None
    if precision == DatePrecision.YEAR:
        return f"{value:%Y}"
    if precision == DatePrecision.MONTH:
        return f"{value:%Y-%m}"
    return value.isoformat()


def first_publications(claim_ids: Iterable[int]) -> dict[int, datetime.datetime]:
    """When each claim was first published: its earliest history row with the status `published`.

    Later edits, a retraction and a re-publication leave this date alone. (History pruned past the first
    publication leaves the earliest publication still recorded.)"""
    rows = (
        Claim.history.filter(id__in=list(claim_ids), status=EditorialStatus.PUBLISHED)
        .values("id")
        .annotate(first=Min("history_date"))
        .values_list("id", "first")
    )
    return dict(rows)


def publisher(site_url: str) -> dict[str, Any]:
    """The organisation that publishes the reviews (settings: PUBLISHER_NAME, PUBLISHER_URL, PUBLISHER_LOGO_URL);
    its URL is this site's (`site_url`) unless PUBLISHER_URL names another."""
    organisation: dict[str, Any] = {
        "@type": "Organization",
        "name": settings.PUBLISHER_NAME,
        "url": settings.PUBLISHER_URL or site_url,
    }
    if settings.PUBLISHER_LOGO_URL:
        organisation["logo"] = {"@type": "ImageObject", "url": settings.PUBLISHER_LOGO_URL}
    return organisation


def review_path(claim: Claim) -> str | None:
    """The public fact-check page of a published claim, when public pages are on; else None.

    The page is routed by the `publishing` app (above this layer), so it is named, not imported."""
    if not settings.PUBLIC_PAGES_ENABLED or claim.status != EditorialStatus.PUBLISHED:
        return None
    return reverse("publishing:claim", args=[claim.pk])


def speaker(actor: Actor) -> dict[str, Any]:
    person = {"@type": "Person" if actor.kind == ActorKind.PERSON else "Organization", "name": actor.name}
    if actor.wikidata_id:
        person["sameAs"] = WIKIDATA_ENTITY.format(actor.wikidata_id)
    return person


def appearance(source: Source) -> dict[str, Any]:
    """Where the claim appeared: the page's URL, or for a stored document (a source needs a URL or a
    title) its name, publisher and date."""
    work: dict[str, Any] = {"@type": "CreativeWork"}
    if source.url:
        work["url"] = source.url
    if source.title:
        work["name"] = source.title
    if source.publisher:
        work["publisher"] = {"@type": "Organization", "name": source.publisher}
    published = partial_date(source.published_on, source.published_on_precision)
    if published:
        work["datePublished"] = published
    return work


def rating(veracity: str) -> dict[str, Any]:
    label = Veracity(veracity).label
    value: dict[str, Any] = {"@type": "Rating", "name": label, "alternateName": label}
    if veracity in VERACITY_SCORE:
        value.update(ratingValue=VERACITY_SCORE[veracity], bestRating=BEST_RATING, worstRating=WORST_RATING)
    return value


def claim_review(
    claim: Claim,
    *,
    url: str,
    site_url: str,
    citations: Sequence[Citation],
    first_published: datetime.datetime | None,
) -> dict[str, Any]:
    """The ClaimReview of one rated claim (its speaker loaded), hosted at `url` on the site at `site_url`."""
    item: dict[str, Any] = {"@type": "Claim", "author": speaker(claim.speaker)}
    stated = partial_date(claim.stated_on, claim.stated_on_precision)
    if stated:
        item["datePublished"] = stated
    sources = {citation.source_id: citation.source for citation in citations}
    item["appearance"] = [appearance(source) for source in sources.values()]
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": short_claim(claim.text),
    }
    if first_published is not None:  # None only for a team member's preview of an unpublished claim
        review["datePublished"] = timezone.localtime(first_published).date().isoformat()
    review.update(
        author=publisher(site_url),
        reviewRating=rating(claim.veracity),
        reviewBody=claim.veracity_rationale,
        itemReviewed=item,
    )
    return review


def claim_reviews(claims: Sequence[Claim], *, url_for: Callable[[Claim], str], site_url: str) -> list[dict[str, Any]]:
    """ClaimReviews for a page of rated claims (speakers loaded): citations and publication dates in one
    query each."""
    ids = [claim.pk for claim in claims]
    cited: dict[int, list[Citation]] = {pk: [] for pk in ids}
    for citation in Citation.objects.filter(claim__in=ids).select_related("source").order_by("claim", "id"):
        cited[citation.claim_id].append(citation)
    published = first_publications(ids)
    return [
        claim_review(
            claim,
            url=url_for(claim),
            site_url=site_url,
            citations=cited[claim.pk],
            first_published=published.get(claim.pk),
        )
        for claim in claims
    ]
