"""Reads over actors, topics and claims that are more than a filter."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from rapidfuzz import fuzz, utils

from tracker.choices import EditorialStatus
from tracker.models import Actor, Claim

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
