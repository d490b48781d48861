"""Reads over positions: timelines, stances as of a date, and changes of stance."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from positions.models import Position
from tracker.choices import EditorialStatus
from tracker.models import Actor, Topic

PUBLIC_STATUSES = (EditorialStatus.PUBLISHED,)
TEAM_STATUSES = (EditorialStatus.DRAFT, EditorialStatus.IN_REVIEW, EditorialStatus.PUBLISHED)


def _visible(statuses: Iterable[str]) -> QuerySet[Position]:
    return Position.objects.filter(status__in=list(statuses)).select_related("actor", "topic")


def position_timeline(
    *, actor: Actor, topic: Topic | None = None, statuses: Iterable[str] = PUBLIC_STATUSES
) -> QuerySet[Position]:
    """An actor's positions in date order, on one topic or on all of them."""
    queryset = _visible(statuses).filter(actor=actor)
    if topic is not None:
        queryset = queryset.filter(topic=topic)
    return queryset.order_by("topic__title", "as_of", "id")


def stance_as_of(
    *, actor: Actor, topic: Topic, on: datetime.date, statuses: Iterable[str] = PUBLIC_STATUSES
) -> Position | None:
    """The actor's latest position on the topic dated on or before `on`, or None."""
    return _visible(statuses).filter(actor=actor, topic=topic, as_of__lte=on).order_by("-as_of", "-id").first()


def stances_as_of(*, topic: Topic, on: datetime.date, statuses: Iterable[str] = PUBLIC_STATUSES) -> QuerySet[Position]:
    """Every actor's latest position on the topic dated on or before `on`: one row per actor."""
    statuses = list(statuses)
    latest_for_actor = (
        Position.objects.filter(
            topic=topic,
            actor=OuterRef("actor"),
            as_of__lte=on,
            status__in=statuses,
        )
        .order_by("-as_of", "-id")
        .values("id")[:1]
    )
    return (
        _visible(statuses)
        .filter(topic=topic, as_of__lte=on)
        .filter(id=Subquery(latest_for_actor))
        .order_by("actor__name")
    )


def previous_position_subquery(statuses: Iterable[str]) -> Subquery:
    """The stance of the same actor's previous position on the same topic (by date, then id)."""
    statuses = list(statuses)
    earlier = Q(as_of__lt=OuterRef("as_of")) | Q(as_of=OuterRef("as_of"), id__lt=OuterRef("id"))
    return Subquery(
        Position.objects.filter(
            earlier,
            actor=OuterRef("actor"),
            topic=OuterRef("topic"),
            status__in=statuses,
        )
        .order_by("-as_of", "-id")
        .values("stance")[:1]
    )


def position_changes(
    *,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    topic: Topic | None = None,
    actor: Actor | None = None,
    statuses: Iterable[str] = PUBLIC_STATUSES,
    include_first: bool = False,
) -> QuerySet[Position]:
    """Positions dated in [since, until] whose stance differs from the actor's previous one on the topic.

    Each row is annotated with `previous_stance`. An actor's first position on a topic has no
    previous stance; it counts as a change only with `include_first`.
    """
    statuses = list(statuses)
    queryset = _visible(statuses).annotate(previous_stance=previous_position_subquery(statuses))
    if since is not None:
        queryset = queryset.filter(as_of__gte=since)
    if until is not None:
        queryset = queryset.filter(as_of__lte=until)
    if topic is not None:
        queryset = queryset.filter(topic=topic)
    if actor is not None:
        queryset = queryset.filter(actor=actor)
    changed = ~Q(previous_stance=F("stance")) & Q(previous_stance__isnull=False)
    if include_first:
        changed |= Q(previous_stance__isnull=True)
    return queryset.filter(changed).order_by("as_of", "id")


def stance_matrix_as_of(*, on: datetime.date, statuses: Iterable[str] = PUBLIC_STATUSES) -> QuerySet[Position]:
    """Every actor's latest position on every topic dated on or before `on`: one row per actor and topic."""
    statuses = list(statuses)
    latest = (
        Position.objects.filter(
            topic=OuterRef("topic"),
            actor=OuterRef("actor"),
            as_of__lte=on,
            status__in=statuses,
        )
        .order_by("-as_of", "-id")
        .values("id")[:1]
    )
    return _visible(statuses).filter(as_of__lte=on).filter(id=Subquery(latest)).order_by("actor__name", "topic__title")
