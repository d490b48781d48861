"""What the public pages show: exactly what a partner sees (core.visibility, partner=True).

Every read here starts from `visible(..., partner=True)`, so drafts, claims in review, retracted claims
and the actors, topics and sources only they refer to stay off the public pages as they stay out of
the partner API.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from core.visibility import visible
from positions.models import Position
from positions.selectors import stance_matrix_as_of
from sources.claimreview import first_publications
from sources.models import Citation
from tracker.models import Actor, Claim, Topic


def public_claims() -> QuerySet[Claim]:
    return visible(Claim, partner=True)


def public_claim(pk: int) -> Claim | None:
    return public_claims().select_related("speaker").filter(pk=pk).first()


def public_actor(slug: str) -> Actor | None:
    return visible(Actor, partner=True).filter(slug=slug).first()


def public_topic(slug: str) -> Topic | None:
    return visible(Topic, partner=True).filter(slug=slug).first()


@dataclass
class ClaimPage:
    """A published claim with what its fact-check page shows."""

    claim: Claim
    citations: list[Citation]
    topics: list[Topic]
    first_published: datetime.datetime | None
    positions: list[Position] = field(default_factory=list)


def claim_page(claim: Claim) -> ClaimPage:
    # A published claim's citations, their sources and its topics are partner-visible by definition
    # (the claim shows them), so they need no visibility filter of their own.
    citations = list(visible(Citation, partner=True).filter(claim=claim).select_related("source").order_by("id"))
    return ClaimPage(
        claim=claim,
        citations=citations,
        topics=list(claim.topics.order_by("title")),
        first_published=first_publications([claim.pk]).get(claim.pk),
        positions=list(
            visible(Position, partner=True).filter(evidence=claim).select_related("actor", "topic").order_by("id")
        ),
    )


def actor_claims(actor: Actor) -> list[Claim]:
    return list(public_claims().filter(speaker=actor).prefetch_related("topics").order_by("-stated_on", "-id"))


def actor_positions(actor: Actor) -> list[Position]:
    """The actor's published positions, each with only its published evidence."""
    return list(
        visible(Position, partner=True)
        .filter(actor=actor)
        .select_related("actor", "topic")
        .prefetch_related(Prefetch("evidence", queryset=public_claims().only("pk")))
        .order_by("topic__title", "as_of", "id")
    )


def topic_columns(topic: Topic) -> list[Topic]:
    """The topic and its published subtopics: the columns of its stance matrix."""
    children = visible(Topic, partner=True).filter(parent=topic).order_by("title")
    return [topic, *children]


def topic_stances(topics: list[Topic], *, on: datetime.date) -> list[Position]:
    """Every actor's latest published stance on each of `topics` as of `on`."""
    stances = stance_matrix_as_of(on=on).filter(topic__in=topics)
    return list(stances.filter(pk__in=visible(Position, partner=True).values("pk")))


def topic_claims(topic: Topic, *, limit: int = 50) -> list[Claim]:
    return list(public_claims().filter(topics=topic).select_related("speaker").order_by("-stated_on", "-id")[:limit])
