"""Reads over the tracker that are more than a filter: claims (duplicates, look-ups) and history.

History: recent changes (keyset-paginated), an object's versions with diffs, records as they stood.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models
from django.db.models import Q, QuerySet
from rapidfuzz import fuzz, utils

from core.audit import (
    FieldChange,
    diff_versions,
    history_model,
    label_values,
    load_links,
    m2m_field_names,
    m2m_through,
)
from core.models import ChangeEntry
from sources.models import Citation, Source
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


PAGE_SIZES = (50, 200, 500)
DEFAULT_PAGE_SIZE = 50

# --- Recent changes ---------------------------------------------------------------------------


def encode_cursor(entry: ChangeEntry) -> str:
    raw = f"{entry.history_date.isoformat()}|{entry.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime.datetime, int] | None:
    """(date, id) from a cursor; None when it is malformed (the list then starts from the newest)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        date_text, pk_text = raw.split("|", 1)
        date = datetime.datetime.fromisoformat(date_text)
        return (date, int(pk_text)) if date.tzinfo is not None else None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


@dataclass
class ChangePage:
    entries: list[ChangeEntry]
    next_cursor: str | None  # older changes
    previous_cursor: str | None  # newer changes
    is_first: bool


def recent_changes(
    queryset: QuerySet[ChangeEntry], *, after: str | None = None, before: str | None = None, size: int = 50
) -> ChangePage:
    """One page of `queryset` newest first, continuing from a cursor: no OFFSET, so deep pages cost what the first does.

    `after` walks to older changes, `before` back to newer ones. The condition is written as
    `date <= d AND (date < d OR id < i)` so the database can range-scan the (…, history_date, id)
    index from the cursor and stop after `size + 1` rows.
    """
    queryset = queryset.select_related("user", "patrolled_by")
    older, newer = decode_cursor(after) if after else None, decode_cursor(before) if before else None
    if newer is not None:
        date, pk = newer
        rows = list(
            queryset.filter(Q(history_date__gte=date), Q(history_date__gt=date) | Q(id__gt=pk)).order_by(
                "history_date", "id"
            )[: size + 1]
        )
        has_newer = len(rows) > size
        rows = rows[:size][::-1]
        return ChangePage(
            entries=rows,
            next_cursor=encode_cursor(rows[-1]) if rows else None,
            previous_cursor=encode_cursor(rows[0]) if rows and has_newer else None,
            is_first=not has_newer,
        )
    if older is not None:
        date, pk = older
        queryset = queryset.filter(Q(history_date__lte=date), Q(history_date__lt=date) | Q(id__lt=pk))
    rows = list(queryset.order_by("-history_date", "-id")[: size + 1])
    has_older = len(rows) > size
    rows = rows[:size]
    return ChangePage(
        entries=rows,
        next_cursor=encode_cursor(rows[-1]) if rows and has_older else None,
        previous_cursor=encode_cursor(rows[0]) if rows and older is not None else None,
        is_first=older is None,
    )


UNPATROLLED_COUNT_CAP = 1000


def unpatrolled_count(cap: int = UNPATROLLED_COUNT_CAP) -> tuple[int, bool]:
    """How many changes await review, counting at most `cap` (shown as "1000+"): the count stays cheap
    however large a backlog grows, since the partial index is read only up to the cap."""
    count = ChangeEntry.objects.filter(patrolled_at__isnull=True)[: cap + 1].count()
    return min(count, cap), count > cap


# --- Object history ---------------------------------------------------------------------------


@dataclass
class Version:
    """One history row of a record with what it changed against the row before it."""

    model: type[models.Model]
    record: Any
    changes: list[FieldChange]
    links: dict[str, frozenset[int]] = field(default_factory=dict)

    @property
    def model_name(self) -> str:
        return self.model._meta.model_name  # type: ignore[return-value]

    @property
    def action_label(self) -> str:
        return self.record.get_history_action_display()


def _versions(model: type[models.Model], records: list[Any], previous: dict[int, Any]) -> list[Version]:
    """Diffs for `records` (newest first) of one model; `previous` maps a record's history_id to the row before it."""
    ids = {r.history_id for r in records} | {p.history_id for p in previous.values() if p is not None}
    links = load_links(model, ids) if m2m_field_names(model) else {hid: {} for hid in ids}
    versions = []
    for record in records:
        before = previous.get(record.history_id)
        if record.history_type == "-":
            changes: list[FieldChange] = []
        else:
            changes = diff_versions(
                model,
                before if record.history_type != "+" else None,
                record,
                old_links=links[before.history_id] if before is not None and record.history_type != "+" else None,
                new_links=links[record.history_id],
            )
        versions.append(Version(model=model, record=record, changes=changes, links=links[record.history_id]))
    return versions


def _with_previous(history: QuerySet, records: list[Any], older: Any | None = None) -> dict[int, Any]:
    """The row before each record of the same object: from the list itself or `older` (the row just past
    the page), else one query per object. A creation has none."""
    previous: dict[int, Any] = {}
    oldest_by_object: dict[int, Any] = {}
    for record in records:  # newest first
        if record.id in oldest_by_object:
            previous[oldest_by_object[record.id].history_id] = record
        oldest_by_object[record.id] = record
    for object_id, oldest in oldest_by_object.items():
        if oldest.history_type == "+":
            previous[oldest.history_id] = None
        elif older is not None and older.id == object_id:
            previous[oldest.history_id] = older
        else:
            previous[oldest.history_id] = (
                history.filter(id=object_id, history_id__lt=oldest.history_id).order_by("-history_id").first()
            )
    return previous


@dataclass
class ObjectHistory:
    versions: list[Version]  # newest first; a claim's citation changes interleaved by date
    next_cursor: int | None  # history_id of the last version shown, when older ones exist


def object_history(model: type[models.Model], pk: int, *, before: int | None = None, size: int = 50) -> ObjectHistory:
    """Every version of one record (page by page, newest first) with field-level and M2M diffs.

    For a claim, the history rows of its citations are interleaved, each diffed against that
    citation's previous row, so one page answers "what did this claim and its sources say".
    """
    history = history_model(model)._default_manager.all()
    rows = history.filter(id=pk).select_related("history_user").order_by("-history_date", "-history_id")
    anchor = None
    if before is not None:
        anchor = history.filter(id=pk, history_id=before).values_list("history_date", flat=True).first()
        if anchor is not None:
            rows = rows.filter(Q(history_date__lt=anchor) | Q(history_date=anchor, history_id__lt=before))
    fetched = list(rows[: size + 1])
    more = len(fetched) > size
    records = fetched[:size]
    versions = _versions(model, records, _with_previous(history, records, fetched[size] if more else None))

    if model._meta.label == "tracker.Claim" and records:
        from sources.models import Citation

        citation_history = history_model(Citation)._default_manager.all()
        # Pages split the citation rows at the dates of the claim rows that end them, so none falls between.
        newest = anchor
        oldest = records[-1].history_date if more else None
        citation_rows = citation_history.filter(claim_id=pk).select_related("history_user", "source")
        if newest is not None:
            citation_rows = citation_rows.filter(history_date__lt=newest)
        if oldest is not None:
            citation_rows = citation_rows.filter(history_date__gte=oldest)
        citation_records = list(citation_rows.order_by("-history_date", "-history_id"))
        versions += _versions(Citation, citation_records, _with_previous(citation_history, citation_records))
        versions.sort(key=lambda v: (v.record.history_date, v.record.history_id), reverse=True)
    for version_model in {v.model for v in versions}:
        label_values(version_model, [c for v in versions if v.model is version_model for c in v.changes])
    return ObjectHistory(versions=versions, next_cursor=records[-1].history_id if more else None)


def get_version(model: type[models.Model], pk: int, history_id: int) -> Any:
    return history_model(model)._default_manager.select_related("history_user").get(id=pk, history_id=history_id)


def version_moment(model: type[models.Model], record: Any) -> datetime.datetime:
    """The end of the change that wrote `record`: a claim's citations saved in the same change count as part of it."""
    if model._meta.label != "tracker.Claim" or record.history_change_id is None:
        return record.history_date
    from sources.models import Citation

    last = (
        history_model(Citation)
        ._default_manager.filter(claim_id=record.id, history_change_id=record.history_change_id)
        .aggregate(last=models.Max("history_date"))["last"]
    )
    return max(record.history_date, last) if last else record.history_date


def citations_at(claim_id: int, moment: datetime.datetime) -> list[Any]:
    """The citations of a claim as they stood at `moment`: each one's latest history row, deletions dropped."""
    from sources.models import Citation

    return list(
        Citation.history.filter(claim_id=claim_id, history_date__lte=moment)  # type: ignore[attr-defined]
        .latest_of_each()
        .exclude(history_type="-")
        .select_related("source")
        .order_by("id")
    )


def compare_versions(model: type[models.Model], old: Any, new: Any) -> list[FieldChange]:
    """Field-level and M2M differences between any two versions of one record (and, for a claim, its citations)."""
    links = load_links(model, [old.history_id, new.history_id])
    changes = diff_versions(model, old, new, old_links=links[old.history_id], new_links=links[new.history_id])
    if model._meta.label == "tracker.Claim":
        before = {c.id: c for c in citations_at(old.id, version_moment(model, old))}
        after = {c.id: c for c in citations_at(new.id, version_moment(model, new))}
        changed = sorted(
            pk for pk in before.keys() & after.keys() if _citation_key(before[pk]) != _citation_key(after[pk])
        )
        if before.keys() != after.keys() or changed:
            changes.append(
                FieldChange(
                    name="citations",
                    label="citations",
                    is_m2m=True,
                    added=[str(after[pk].instance) for pk in sorted(after.keys() - before.keys())],
                    removed=[str(before[pk].instance) for pk in sorted(before.keys() - after.keys())],
                    changed_display=[(str(before[pk].instance), str(after[pk].instance)) for pk in changed],
                )
            )
    label_values(model, [c for c in changes if c.name != "citations"])
    for change in changes:
        if change.name == "citations":
            change.added_display, change.removed_display = list(change.added), list(change.removed)
    return changes


def _citation_key(record: Any) -> tuple:
    return (record.source_id, record.excerpt, record.locator, record.relation, record.accessed_on)


# --- As our records stood ---------------------------------------------------------------------


def as_of(model: type[models.Model], moment: datetime.datetime) -> QuerySet:
    """The latest history row of each record at `moment`, deleted records dropped (historical rows, not instances)."""
    return (
        model.history.filter(history_date__lte=moment)  # type: ignore[attr-defined]
        .latest_of_each()
        .exclude(history_type="-")
    )


def linked_as_of(model: type[models.Model], name: str, rows: list[Any]) -> dict[int, frozenset[int]]:
    """{history_id: ids} of M2M field `name` for the given history rows, one query."""
    through = m2m_through(model, name)
    target = model._meta.get_field(name).related_model._meta.model_name  # type: ignore[union-attr]
    links: dict[int, set[int]] = {row.history_id: set() for row in rows}
    for history_id, target_id in through._default_manager.filter(history_id__in=list(links)).values_list(
        "history_id", f"{target}_id"
    ):
        links[history_id].add(target_id)
    return {hid: frozenset(ids) for hid, ids in links.items()}


def records_with_link_as_of(
    model: type[models.Model], name: str, target_id: int, moment: datetime.datetime
) -> QuerySet:
    """Rows of `model` whose version current at `moment` linked `target_id` through M2M field `name`."""
    through = m2m_through(model, name)
    target = model._meta.get_field(name).related_model._meta.model_name  # type: ignore[union-attr]
    return as_of(model, moment).filter(
        history_id__in=through._default_manager.filter(**{f"{target}_id": target_id}).values("history_id")
    )


def find_as_of(model: type[models.Model], slug: str) -> int | None:
    """The pk of the record that has (or last had) `slug`."""
    current = model._default_manager.filter(slug=slug).values_list("pk", flat=True).first()
    if current is not None:
        return current
    return (
        history_model(model)
        ._default_manager.filter(slug=slug)
        .order_by("-history_date")
        .values_list("id", flat=True)
        .first()
    )


def snapshot(model: type[models.Model], record: Any) -> list[FieldChange]:
    """Every field and link of one version, with display values, for "the record as it stood"."""
    links = load_links(model, [record.history_id])[record.history_id]
    skipped = {"id", "created_at", "updated_at", *model._tracked_history.excluded_fields}  # type: ignore[attr-defined]
    values = [
        FieldChange(name=f.name, label=str(f.verbose_name), new=getattr(record, f.attname))
        for f in model._meta.concrete_fields
        if f.name not in skipped
    ]
    values += [
        FieldChange(
            name=name,
            label=str(model._meta.get_field(name).verbose_name),
            is_m2m=True,
            added=sorted(ids),
        )
        for name, ids in links.items()
    ]
    label_values(model, values)
    return values


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
    from tracker.models import Actor, Topic

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
    from positions.models import Position
    from tracker.models import Actor, Claim, Role

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
    from positions.models import Position
    from tracker.models import Claim, Topic

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


CLAIM_CITATION_KEYS = (
    "claim_id",
    "id",
    "source_id",
    "source_url",
    "source_title",
    "excerpt",
    "locator",
    "relation",
    "accessed_on",
)


def claim_citation_rows(claim_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each claim's citations with their source's URL and title, oldest first, as plain rows (one query).

    The source's URL and title come from correlated subqueries, not a join: for the 200 citations of a
    page PostgreSQL hashes the whole sources table for a join, but makes 200 primary-key look-ups here.
    """
    source = Source.objects.filter(pk=models.OuterRef("source_id"))
    rows = (
        Citation.objects.filter(claim_id__in=claim_ids)
        .annotate(source_url=models.Subquery(source.values("url")[:1]))
        .annotate(source_title=models.Subquery(source.values("title")[:1]))
        .order_by("id")
        .values(*CLAIM_CITATION_KEYS)
    )
    citations: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        citations.setdefault(row.pop("claim_id"), []).append(row)
    return citations
