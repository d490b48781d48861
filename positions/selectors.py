"""Reads over positions: timelines, stances as of a date, and changes of stance."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from core.selectors import as_of, records_with_link_as_of
from positions.models import Position
from tracker.choices import EditorialStatus
from tracker.models import Actor, Claim, Role, Topic

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


# --- As our records stood at a past moment (from history) -----------------------------------------
# "What was true on date D" reads today's positions; "what we knew at moment T" replays the history
# tables: each record's latest history row at or before T, if that row is a published, undeleted one.
# Filters run in Python after picking each record's latest row, because filtering first (on status or
# topic) would find an older row that matched and miss that the record had since moved on.


def _latest_rows_at(model: type, recorded_at: datetime.datetime) -> list:
    rows = model.history.filter(history_date__lte=recorded_at).order_by("id", "-history_date", "-history_id")
    latest, seen = [], set()
    for row in rows.iterator():
        if row.id in seen:
            continue
        seen.add(row.id)
        if row.history_type != "-":
            latest.append(row)
    return latest


def _recorded_positions(recorded_at: datetime.datetime) -> list[Position]:
    """Positions published at `recorded_at`, as they stood then, with `visible_evidence` as it stood then."""

    rows = [row for row in _latest_rows_at(Position, recorded_at) if row.status == EditorialStatus.PUBLISHED]
    published_claims = {
        row.id for row in _latest_rows_at(Claim, recorded_at) if row.status == EditorialStatus.PUBLISHED
    }
    through = Position.history.model._meta.get_field("historicalposition_evidence").related_model
    evidence: dict[int, list[int]] = {}
    for history_id, claim_id in through.objects.filter(history__in=[r.history_id for r in rows]).values_list(
        "history_id", "claim_id"
    ):
        evidence.setdefault(history_id, []).append(claim_id)
    actors = {a.pk: a for a in Actor.objects.filter(pk__in={r.actor_id for r in rows})}
    topics = {t.pk: t for t in Topic.objects.filter(pk__in={r.topic_id for r in rows})}
    positions = []
    for row in rows:
        position = row.instance
        if position.actor_id not in actors or position.topic_id not in topics:
            continue  # the actor or topic has since been deleted
        position.actor, position.topic = actors[position.actor_id], topics[position.topic_id]
        claim_ids = sorted(cid for cid in evidence.get(row.history_id, []) if cid in published_claims)
        position.visible_evidence = [Claim(pk=cid) for cid in claim_ids]
        positions.append(position)
    return positions


def position_timeline_recorded(*, actor: Actor, topic: Topic | None, recorded_at: datetime.datetime) -> list[Position]:
    rows = [
        p
        for p in _recorded_positions(recorded_at)
        if p.actor_id == actor.pk and (topic is None or p.topic_id == topic.pk)
    ]
    return sorted(rows, key=lambda p: (p.topic.title, p.as_of, p.pk))


def stances_as_of_recorded(*, topic: Topic, on: datetime.date, recorded_at: datetime.datetime) -> list[Position]:
    latest: dict[int, Position] = {}
    for position in _recorded_positions(recorded_at):
        if position.topic_id != topic.pk or position.as_of > on:
            continue
        current = latest.get(position.actor_id)
        if current is None or (position.as_of, position.pk) > (current.as_of, current.pk):
            latest[position.actor_id] = position
    return sorted(latest.values(), key=lambda p: (p.actor.name, p.pk))


def position_changes_recorded(
    *,
    since: datetime.date | None,
    until: datetime.date | None,
    recorded_at: datetime.datetime,
    topic_slug: str | None = None,
    actor_slug: str | None = None,
) -> list[Position]:
    by_pair: dict[tuple[int, int], list[Position]] = {}
    for position in _recorded_positions(recorded_at):
        by_pair.setdefault((position.actor_id, position.topic_id), []).append(position)
    changes = []
    for positions in by_pair.values():
        positions.sort(key=lambda p: (p.as_of, p.pk))
        for previous, position in zip(positions, positions[1:], strict=False):
            position.previous_stance = previous.stance
            if position.stance == previous.stance:
                continue
            if (since and position.as_of < since) or (until and position.as_of > until):
                continue
            if (topic_slug and position.topic.slug != topic_slug) or (actor_slug and position.actor.slug != actor_slug):
                continue
            changes.append(position)
    return sorted(changes, key=lambda p: (p.as_of, p.pk))


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


# --- As our records stood (the history pages of an actor and a topic) ----------------------------


@dataclass
class ActorAsOf:
    actor: Any  # historical row
    roles: list[Any]
    memberships: list[Any]
    positions: list[Any]
    claims: list[Any]
    names: dict[tuple[str, int], str]  # ("actor"|"topic", id) -> name as it stood


@dataclass
class TopicAsOf:
    topic: Any
    positions: list[Any]
    claims: list[Any]
    names: dict[tuple[str, int], str]


def _names_as_of(moment: datetime.datetime, actor_ids: set[int], topic_ids: set[int]) -> dict[tuple[str, int], str]:
    names: dict[tuple[str, int], str] = {}
    if actor_ids:
        for pk, name in as_of(Actor, moment).filter(id__in=actor_ids).values_list("id", "name"):
            names[("actor", pk)] = name
    if topic_ids:
        for pk, title in as_of(Topic, moment).filter(id__in=topic_ids).values_list("id", "title"):
            names[("topic", pk)] = title
    return names


def actor_as_of(pk: int, moment: datetime.datetime) -> ActorAsOf | None:
    """An actor, their roles, positions and claims as our records stood at `moment`; None if not yet recorded."""
    actor = as_of(Actor, moment).filter(id=pk).first()
    if actor is None:
        return None
    roles = list(as_of(Role, moment).filter(actor_id=pk).order_by("-start_on", "title"))
    memberships = list(as_of(Role, moment).filter(organisation_id=pk).order_by("-start_on", "title"))
    positions = list(as_of(Position, moment).filter(actor_id=pk).order_by("topic_id", "-as_of", "id"))
    claims = list(as_of(Claim, moment).filter(speaker_id=pk).order_by("-stated_on", "-id"))
    actor_ids = {r.organisation_id for r in roles} | {r.actor_id for r in memberships}
    names = _names_as_of(moment, actor_ids, {p.topic_id for p in positions})
    for role in roles:
        role.organisation_name = names.get(("actor", role.organisation_id), f"#{role.organisation_id}")
    for role in memberships:
        role.actor_name = names.get(("actor", role.actor_id), f"#{role.actor_id}")
    for position in positions:
        position.topic_name = names.get(("topic", position.topic_id), f"#{position.topic_id}")
    return ActorAsOf(actor, roles, memberships, positions, claims, names)


def topic_as_of(pk: int, moment: datetime.datetime) -> TopicAsOf | None:
    """A topic, the positions taken on it and the claims filed under it as our records stood at `moment`."""
    topic = as_of(Topic, moment).filter(id=pk).first()
    if topic is None:
        return None
    positions = list(as_of(Position, moment).filter(topic_id=pk).order_by("actor_id", "-as_of", "id"))
    claims = list(records_with_link_as_of(Claim, "topics", pk, moment).order_by("-stated_on", "-id"))
    names = _names_as_of(moment, {p.actor_id for p in positions} | {c.speaker_id for c in claims}, set())
    for position in positions:
        position.actor_name = names.get(("actor", position.actor_id), f"#{position.actor_id}")
    for claim in claims:
        claim.speaker_name = names.get(("actor", claim.speaker_id), f"#{claim.speaker_id}")
    return TopicAsOf(topic, positions, claims, names)
