"""Reads for suggestions: a source's text and the tracker's actors, topics and citations as engine values."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db.models.functions import Lower

from sources.models import Citation, Source
from suggest.engine import KnownActor, KnownCitation, KnownRole, KnownTopic, Suggestions, suggest_claims
from tracker.choices import ActorKind, EditorialStatus
from tracker.models import Actor, Claim, Role, Topic

# Published claims per topic compared with a suggestion: the latest, enough to know the topic's words.
CLAIMS_PER_TOPIC = 50


def source_text(source: Source) -> str:
    """What suggestions read: the pasted text, else the text the latest check extracted from the page."""
    if source.stored_text.strip():
        return source.stored_text
    return source.snapshots.order_by("-created_at", "-id").values_list("text", flat=True).first() or ""


def known_actors() -> list[KnownActor]:
    roles: dict[int, list[KnownRole]] = defaultdict(list)
    for role in Role.objects.select_related("organisation").only(
        "actor_id", "title", "start_on", "end_on", "organisation__name", "organisation__aliases"
    ):
        names = (role.organisation.name, *role.organisation.aliases)
        roles[role.actor_id].append(KnownRole(role.title, names, role.start_on, role.end_on))
    return [
        KnownActor(
            key=actor.pk,
            name=actor.name,
            aliases=tuple(actor.aliases),
            is_person=actor.kind == ActorKind.PERSON,
            roles=tuple(roles.get(actor.pk, ())),
        )
        for actor in Actor.objects.only("id", "name", "aliases", "kind")
    ]


def known_topics() -> list[KnownTopic]:
    texts: dict[int, list[str]] = defaultdict(list)
    links = (
        Claim.topics.through.objects.filter(claim__status=EditorialStatus.PUBLISHED)
        .order_by("topic_id", "-claim_id")
        .values_list("topic_id", "claim__text")
    )
    for topic_id, text in links:
        if len(texts[topic_id]) < CLAIMS_PER_TOPIC:
            texts[topic_id].append(text)
    return [
        KnownTopic(key=topic.pk, title=topic.title, question=topic.question, claim_texts=tuple(texts.get(topic.pk, ())))
        for topic in Topic.objects.only("id", "title", "question")
    ]


def suggestions_for_source(source: Source) -> Suggestions:
    """Candidate claims in the source's text, matched against everything the tracker knows."""
    text = source_text(source)
    if not text.strip():
        return Suggestions([], [])
    citations = [
        KnownCitation(claim_key=claim_id, excerpt=excerpt)
        for claim_id, excerpt in Citation.objects.filter(source=source).values_list("claim_id", "excerpt")
    ]
    return suggest_claims(
        text,
        actors=known_actors(),
        topics=known_topics(),
        citations=citations,
        published_on=source.published_on,
        published_on_precision=source.published_on_precision,
    )


def typed_names(actors: Iterable[Actor]) -> dict[int, str]:
    """How the page shows each speaker so that the form reads it back (tracker.selectors.actor_lookup): the
    name, or the slug when the name is shared or is another actor's slug. Two queries for the whole page."""
    actors = list(actors)
    names = {actor.name.lower() for actor in actors}
    shared = Counter(
        Actor.objects.annotate(lowered=Lower("name")).filter(lowered__in=names).values_list("lowered", flat=True)
    )
    slugs = set(Actor.objects.filter(slug__in=[actor.name for actor in actors]).values_list("slug", flat=True))
    return {
        actor.pk: actor.name if shared[actor.name.lower()] == 1 and actor.name not in slugs else actor.slug
        for actor in actors
    }
