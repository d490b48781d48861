"""The public pictures: an actor's timeline and a topic's stance matrix, drawn by positions.charts from
published data only, every mark linking to a public page (never to the team's pages)."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString

from positions.charts import MatrixCell, TimelineMark, TimelinePoint, TimelineRow, matrix_svg, timeline_svg
from positions.models import Position
from publishing import selectors
from tracker.models import Actor, Claim, Topic

NO_TOPIC = "Claims on no topic yet"


def _topic_url(topic: Topic) -> str:
    return reverse("publishing:topic", args=[topic.slug])


def _claim_url(claim: Claim) -> str:
    return reverse("publishing:claim", args=[claim.pk])


def _point(position: Position) -> TimelinePoint:
    evidence = list(position.evidence.all())  # published claims only (selectors.actor_positions)
    return TimelinePoint(
        on=position.as_of,
        stance=position.stance,
        label=f"{position.actor.name} on {position.topic.title}: {position.get_stance_display()} "
        f"({position.as_of_display}); evidence: {len(evidence)} published claim(s)",
        href=_claim_url(evidence[0]) if len(evidence) == 1 else _topic_url(position.topic),
    )


def actor_timeline(actor: Actor, positions: list[Position], claims: list[Claim]) -> SafeString:
    """One row per topic: the actor's published positions as circles, dated published claims as diamonds."""
    rows: dict[Any, TimelineRow] = {}
    for position in positions:
        rows.setdefault(
            position.topic_id, TimelineRow(title=position.topic.title, href=_topic_url(position.topic))
        ).points.append(_point(position))
    for claim in claims:
        if claim.stated_on is None:
            continue
        mark = TimelineMark(
            on=claim.stated_on, label=f"Claim ({claim.stated_on_display}): {claim.text[:200]}", href=_claim_url(claim)
        )
        for topic in claim.topics.all() or [None]:
            key = topic.pk if topic else None
            if key not in rows:
                rows[key] = TimelineRow(title=topic.title, href=_topic_url(topic)) if topic else TimelineRow(NO_TOPIC)
            rows[key].marks.append(mark)
    ordered = sorted((row for key, row in rows.items() if key is not None), key=lambda row: row.title)
    ordered += [rows[None]] if None in rows else []
    return timeline_svg(ordered, title=f"{actor.name}: published stances and claims over time")


def topic_matrix(topic: Topic, *, on: datetime.date) -> SafeString:
    """Rows are actors, columns the topic and its published subtopics; each cell the latest stance by `on`."""
    columns = selectors.topic_columns(topic)
    stances = selectors.topic_stances(columns, on=on)
    actors = sorted({position.actor for position in stances}, key=lambda actor: actor.name)
    actor_index = {actor.pk: index for index, actor in enumerate(actors)}
    column_index = {column.pk: index for index, column in enumerate(columns)}
    cells: dict[tuple[int, int], MatrixCell] = {}
    for position in stances:
        cells[(actor_index[position.actor_id], column_index[position.topic_id])] = MatrixCell(
            stance=position.stance,
            label=f"{position.actor.name} on {position.topic.title}: {position.get_stance_display()} "
            f"({position.as_of_display})",
            href=reverse("publishing:actor", args=[position.actor.slug]),
        )
    return matrix_svg(
        rows=[(actor.name, reverse("publishing:actor", args=[actor.slug])) for actor in actors],
        columns=[(column.title, _topic_url(column)) for column in columns],
        cells=cells,
        title=f"Published stances on {topic.title} as of {on:%-d %B %Y}",
    )
