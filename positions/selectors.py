"""Reads over positions: timelines, stances as of a date, and changes of stance."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from core.audit import history_model, m2m_through
from core.choices import HistoryAction
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
# `as_of` (core.selectors) chooses that row in SQL with a range condition: every history row says until when
# it stood (`history_valid_until`, core.history.current_at). Every other condition (status, actor,
# topic, dates) is applied to the chosen rows: filtering the history first for an older row that
# matched would miss that the record had since moved on.
#
# Retractions since T (a `retracted` history row after T, even if the record was returned to draft or
# deleted since): the team sees the past as it was, with `retracted_on` saying the position was
# retracted later. Partners never receive retracted content: such a position is a tombstone (id,
# actor, topic, retracted, retracted_on; no stance, text, date or evidence), claims retracted since
# are left out of evidence, and changes of stance are computed as if the retracted positions had
# never been published, so a `previous_stance` never carries a retracted stance.


def _history(model: type[Model]) -> QuerySet:
    return history_model(model)._default_manager.all()


def _retractions_after(model: type[Model], moment: datetime.datetime) -> QuerySet:
    return _history(model).filter(history_action=HistoryAction.RETRACTED, history_date__gt=moment)


def _published_at(moment: datetime.datetime) -> QuerySet:
    """History rows of the positions published at `moment` whose actor and topic still exist."""
    return as_of(Position, moment).filter(
        Exists(Actor.objects.filter(pk=OuterRef("actor_id"))),
        Exists(Topic.objects.filter(pk=OuterRef("topic_id"))),
        status=EditorialStatus.PUBLISHED,
    )


# The three selectors below give narrow rows (`history_id` and what the order and the cursor need), so
# that windows and sorts carry a few columns, not whole positions; `recorded_positions` then loads
# the rows of one page.


def position_timeline_recorded(*, actor: Actor, topic: Topic | None, recorded_at: datetime.datetime) -> QuerySet:
    """The actor's positions published at `recorded_at`, in timeline order (topic title, date, id)."""
    rows = _published_at(recorded_at).filter(actor_id=actor.pk)
    if topic is not None:
        rows = rows.filter(topic_id=topic.pk)
    return rows.order_by("topic__title", "as_of", "id").values("history_id")


def stances_as_of_recorded(*, topic: Topic, on: datetime.date, recorded_at: datetime.datetime) -> QuerySet:
    """Every actor's latest position on the topic dated on or before `on`, among those published at
    `recorded_at`: one per actor, ordered by actor name (`actor_name`) and id.

    A filter added later runs before the ranking, so it must keep or drop all of an actor's rows
    (the cursor's condition on the actor's name does)."""
    latest_first = Window(RowNumber(), partition_by=[F("actor_id")], order_by=[F("as_of").desc(), F("id").desc()])
    return (
        _published_at(recorded_at)
        .filter(topic_id=topic.pk, as_of__lte=on)
        .annotate(rank=latest_first, actor_name=F("actor__name"))
        .filter(rank=1)
        .order_by("actor_name", "id")
        .values("history_id", "id", "actor_name")
    )


def position_changes_recorded(
    *,
    since: datetime.date | None,
    until: datetime.date | None,
    recorded_at: datetime.datetime,
    topic_slug: str | None = None,
    actor_slug: str | None = None,
    partner: bool = True,
) -> RecordedChanges:
    """The positions published at `recorded_at` whose stance differs from the actor's previous one on
    the topic then (`previous_stance`), dated in [since, until], by `changed_on` (the position's
    date) and id.

    For partners, positions retracted since are compared only among themselves, apart from the
    others, and listed whether or not their stance was a change (they become tombstones): no
    `previous_stance` carries a retracted stance, and no row says whether a retracted stance differed.
    """
    rows = _published_at(recorded_at)
    if topic_slug:  # these keep or drop whole (actor, topic) chains: safe before the comparison
        rows = rows.filter(topic__slug=topic_slug)
    if actor_slug:
        rows = rows.filter(actor__slug=actor_slug)
    retracted = Q(id__in=_retractions_after(Position, recorded_at).values("id"))
    rows = rows.annotate(
        retracted_since=ExpressionWrapper(retracted, output_field=BooleanField()) if partner else Value(False)
    )
    return RecordedChanges(
        rows.order_by().values("history_id", "id", "actor_id", "topic_id", "as_of", "stance", "retracted_since"),
        since=since,
        until=until,
        partner=partner,
    )


class RecordedChanges:
    """The rows of `position_changes_recorded`, in order, and what the API's cursor pagination asks of
    them (`order_by` the two ordering fields, `filter` past the cursor's date, a slice).

    The comparison is one LAG over each chain (an actor on a topic, retracted positions apart for
    partners) of the narrow rows the ORM selects; the dates, the cursor and the page apply to its
    result, and the page is a top-N sort. SQL around the ORM's query, not the ORM's own window filter:
    that wraps the window in a subquery sorted in full and carries the row's date through a second
    window so the cursor cannot run before the comparison (half the time of the unfiltered changes at
    the bench-api size, docs/benchmarks.md).
    """

    ORDER = ("changed_on", "id")

    def __init__(
        self,
        chains: QuerySet,
        *,
        since: datetime.date | None,
        until: datetime.date | None,
        partner: bool,
        descending: bool = False,
        bounds: tuple[tuple[str, Any], ...] = (),
    ) -> None:
        self._chains, self._since, self._until, self._partner = chains, since, until, partner
        self._descending, self._bounds = descending, bounds

    def _copy(self, **changes: Any) -> RecordedChanges:
        state = {"since": self._since, "until": self._until, "partner": self._partner}
        state |= {"descending": self._descending, "bounds": self._bounds} | changes
        return RecordedChanges(self._chains, **state)

    def order_by(self, *fields: str) -> RecordedChanges:
        if tuple(f.lstrip("-") for f in fields) != self.ORDER or len({f.startswith("-") for f in fields}) != 1:
            raise ValueError(f"Changes are ordered by {', '.join(self.ORDER)}, both ascending or both descending.")
        return self._copy(descending=fields[0].startswith("-"))

    def filter(self, **conditions: Any) -> RecordedChanges:
        operators = {"changed_on__gt": ">", "changed_on__lt": "<", "changed_on__gte": ">=", "changed_on__lte": "<="}
        unknown = set(conditions) - set(operators)
        if unknown:
            raise ValueError(f"Changes can only be filtered by their date ({', '.join(sorted(unknown))}).")
        return self._copy(bounds=self._bounds + tuple((operators[k], v) for k, v in conditions.items()))

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        if not isinstance(page, slice) or page.step is not None or page.stop is None:
            raise TypeError("Take a page of changes with a slice [start:stop].")
        start = page.start or 0
        return self._fetch(limit=max(page.stop - start, 0), offset=start)

    def __iter__(self):
        return iter(self._fetch(limit=None, offset=0))

    def _fetch(self, *, limit: int | None, offset: int) -> list[dict[str, Any]]:
        chains_sql, params = self._chains.query.sql_with_params()
        params = list(params)
        changed = "previous_stance IS NOT NULL AND previous_stance <> stance"
        where = [f"(({changed}) AND NOT retracted_since) OR retracted_since" if self._partner else changed]
        bounds = [(">=", self._since), ("<=", self._until), *self._bounds]
        for operator, value in bounds:
            if value is not None:
                where.append(f"as_of {operator} %s")
                params.append(value)
        direction = "DESC" if self._descending else "ASC"
        page = ""
        if limit is not None:
            page = " LIMIT %s OFFSET %s"
            params += [limit, offset]
        # The ORM's compiled query and fixed text; every value is a parameter.
        sql = (
            "SELECT history_id, id, as_of AS changed_on, previous_stance FROM ("  # noqa: S608
            " SELECT history_id, id, as_of, stance, retracted_since, LAG(stance) OVER ("
            "  PARTITION BY actor_id, topic_id, retracted_since ORDER BY as_of, id) AS previous_stance"
            f" FROM ({chains_sql}) AS published) AS compared"
            f" WHERE {' AND '.join(f'({condition})' for condition in where)}"
            f" ORDER BY as_of {direction}, id {direction}{page}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        date_field = Position._meta.get_field("as_of")
        for row in rows:  # SQLite gives dates back as text
            row["changed_on"] = date_field.to_python(row["changed_on"])
        return rows


def _evidence_at(history_ids: list[int], moment: datetime.datetime, *, partner: bool) -> dict[int, list[int]]:
    """The evidence of each history row: claims published at `moment`, for partners only those not
    retracted since."""
    published_then = as_of(Claim, moment).filter(id=OuterRef("claim_id"), status=EditorialStatus.PUBLISHED)
    through = m2m_through(Position, "evidence")
    links = through._default_manager.filter(Exists(published_then), history_id__in=history_ids)
    if partner:
        links = links.exclude(claim_id__in=_retractions_after(Claim, moment).values("id"))
    evidence: dict[int, list[int]] = {}
    for history_id, claim_id in links.order_by("claim_id").values_list("history_id", "claim_id"):
        evidence.setdefault(history_id, []).append(claim_id)
    return evidence


# Every column of a position's history row (its relations by id), for `recorded_positions`.
_OWN_COLUMNS = [field.attname for field in history_model(Position)._meta.concrete_fields]


def recorded_positions(
    page: Iterable[dict[str, Any]], *, recorded_at: datetime.datetime, partner: bool
) -> list[Position]:
    """The positions of one page of the selectors above, as they stood, in the page's order: with
    `visible_evidence` as it stood, `previous_stance` where the page has it, `retracted_on` (the date
    of a retraction since the moment) and, for partners, `tombstone` on those. Two queries."""
    page = list(page)
    if not page:
        return []
    history_ids = [key["history_id"] for key in page]
    first_retraction = _retractions_after(Position, recorded_at).filter(id=OuterRef("id")).order_by("history_date")
    rows = (
        _history(Position)
        .select_related("actor", "topic")
        .only(*_OWN_COLUMNS, "actor__slug", "actor__name", "topic__slug", "topic__title")  # what is shown of them
        .annotate(retracted_at=Subquery(first_retraction.values("history_date")[:1]))
        .in_bulk(history_ids)
    )
    evidence = _evidence_at(history_ids, recorded_at, partner=partner)
    positions = []
    for key in page:
        row = rows.get(key["history_id"])
        if row is None:  # pruned (manage.py prunehistory) between the two queries
            continue
        position = row.instance
        position.actor, position.topic = row.actor, row.topic
        position.retracted_on = timezone.localtime(row.retracted_at).date() if row.retracted_at else None
        position.tombstone = partner and position.retracted_on is not None
        position.previous_stance = key.get("previous_stance")
        claim_ids = [] if position.tombstone else evidence.get(row.history_id, [])
        position.visible_evidence = [Claim(pk=claim_id) for claim_id in claim_ids]
        positions.append(position)
    return positions


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
