"""Reads over the tracker that are more than a filter: claims (duplicates, look-ups) and history.

History: recent changes (keyset-paginated), an object's versions with diffs, records as they stood.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models
from django.db.models import Q, QuerySet
from rapidfuzz import fuzz, utils

from tracker.choices import EditorialStatus
from tracker.models import Actor, Claim, Topic

# token_sort_ratio at or above this (0-100) counts as "near-identical": word order and case ignored.
DUPLICATE_THRESHOLD = 90


def claim_near_duplicates(*, speaker: Actor, text: str, exclude_pk: Any = None, limit: int = 5) -> list[Claim]:
    """The speaker's live claims whose text is near-identical to `text`, most similar first."""
    queryset = Claim.objects.filter(speaker=speaker).exclude(status=EditorialStatus.RETRACTED)
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    scored = []
    for claim in queryset.only("id", "text", "status", "speaker_id"):
        score = fuzz.token_sort_ratio(text, claim.text, processor=utils.default_process)
        if score >= DUPLICATE_THRESHOLD:
            claim.similarity = round(score)
            scored.append(claim)
    scored.sort(key=lambda c: -c.similarity)
    return scored[:limit]


def actor_lookup(value: str) -> list[Actor]:
    """Actors matching a typed name: the slug, then the exact name, then an exact alias."""
    value = value.strip()
    if not value:
        return []
    by_slug = list(Actor.objects.filter(slug=value))
    if by_slug:
        return by_slug
    by_name = list(Actor.objects.filter(name__iexact=value))
    if by_name:
        return by_name
    return [actor for actor in Actor.objects.filter(aliases__icontains=value) if value in actor.aliases]


def actor_suggestions(query: str, *, limit: int = 15) -> QuerySet[Actor]:
    query = query.strip()
    queryset = Actor.objects.all()
    if query:
        queryset = queryset.filter(Q(name__icontains=query) | Q(slug__icontains=query))
    return queryset.order_by("name")[:limit]


# A claim's topics in the order every other view of them uses (Topic.Meta.ordering), ties by id.
TOPIC_ORDER = (*Topic._meta.ordering, "id")


def claims_for_representation(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    """Claims with their speaker's slug (`speaker_slug`) and, on PostgreSQL, their topic slugs
    (`topic_slugs`, in topic order) read in the claims query itself, for ClaimSerializer; elsewhere
    `claim_topic_slugs` reads the topics in a query of their own."""
    claims = claims.annotate(speaker_slug=models.F("speaker__slug"))
    if connection.vendor != "postgresql":
        return claims
    from django.contrib.postgres.expressions import ArraySubquery  # imports psycopg

    topics = Topic.objects.filter(claims=models.OuterRef("pk")).order_by(*TOPIC_ORDER).values("slug")
    return claims.annotate(topic_slugs=ArraySubquery(topics))


def claim_topic_slugs(claim_ids: list[int]) -> dict[int, list[str]]:
    """The slugs of each claim's topics, in topic order, for a page of claims (one query)."""
    slugs: dict[int, list[str]] = {}
    links = Claim.topics.through.objects.filter(claim_id__in=claim_ids)
    order = [f"topic__{name}" for name in TOPIC_ORDER]
    for claim_id, slug in links.order_by(*order).values_list("claim_id", "topic__slug"):
        slugs.setdefault(claim_id, []).append(slug)
    return slugs
