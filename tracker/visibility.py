"""What a partner may see: published claims and positions, and only what they reference.

Actors, topics, roles and sources have no workflow of their own; a partner sees one only once a
published claim or position refers to it, so drafting a claim about a new person or from a new
source shows nothing outside the team. Team members (anyone with the view permissions) see all.
These querysets are the single definition used by the API lists, details, nested fields, search,
exports and the changes feed.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from positions.models import Position
from sources.models import Citation, Source, SourceCheck
from tracker.choices import EditorialStatus
from tracker.models import Actor, Claim, Role, Topic

PUBLISHED = EditorialStatus.PUBLISHED


def _published_claims() -> QuerySet[Claim]:
    return Claim.objects.filter(status=PUBLISHED)


def _published_positions() -> QuerySet[Position]:
    return Position.objects.filter(status=PUBLISHED)


def _actor_visible(ref: str) -> Q:
    return Q(
        Exists(_published_claims().filter(speaker=OuterRef(ref)))
        | Exists(_published_positions().filter(actor=OuterRef(ref)))
    )


def _topic_used(ref: str) -> Q:
    return Q(
        Exists(_published_claims().filter(topics=OuterRef(ref)))
        | Exists(_published_positions().filter(topic=OuterRef(ref)))
    )


def _source_visible(ref: str) -> Q:
    return Q(Exists(Citation.objects.filter(source=OuterRef(ref), claim__status=PUBLISHED)))


def visible_claims(*, partner: bool) -> QuerySet[Claim]:
    return Claim.objects.filter(status=PUBLISHED) if partner else Claim.objects.all()


def visible_positions(*, partner: bool) -> QuerySet[Position]:
    return Position.objects.filter(status=PUBLISHED) if partner else Position.objects.all()


def visible_citations(*, partner: bool) -> QuerySet[Citation]:
    return Citation.objects.filter(claim__status=PUBLISHED) if partner else Citation.objects.all()


def visible_sources(*, partner: bool) -> QuerySet[Source]:
    return Source.objects.filter(_source_visible("pk")) if partner else Source.objects.all()


def visible_source_checks(*, partner: bool) -> QuerySet[SourceCheck]:
    """The checks of the sources a partner may see; team members see every check."""
    return SourceCheck.objects.filter(_source_visible("source")) if partner else SourceCheck.objects.all()


def visible_actors(*, partner: bool) -> QuerySet[Actor]:
    return Actor.objects.filter(_actor_visible("pk")) if partner else Actor.objects.all()


def visible_topics(*, partner: bool) -> QuerySet[Topic]:
    # A topic used by published work is visible, and so are its parent and grandparent, so the tree a
    # partner sees has no dangling parent (topic trees here are at most three levels deep).
    if not partner:
        return Topic.objects.all()
    child_used = Topic.objects.filter(parent=OuterRef("pk")).filter(_topic_used("pk"))
    grandchild_used = Topic.objects.filter(parent__parent=OuterRef("pk")).filter(_topic_used("pk"))
    return Topic.objects.filter(_topic_used("pk") | Q(Exists(child_used)) | Q(Exists(grandchild_used)))


def visible_roles(*, partner: bool) -> QuerySet[Role]:
    if not partner:
        return Role.objects.all()
    return Role.objects.filter(
        _actor_visible("actor"),
        _actor_visible("organisation"),
        Q(source__isnull=True) | _source_visible("source"),
    )
