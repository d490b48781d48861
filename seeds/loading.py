"""Load the seed dossier (seeds/dossier.json) through the services, idempotently.

Each record is matched by a natural key (slug, title, speaker and text, ...). A record that already
holds the dossier's values is left alone, so a second load writes nothing and adds no history.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from core.history import get_system_user
from positions import services as position_services
from positions.models import Position
from sources import services as source_services
from sources.models import Citation, Source
from tracker import services
from tracker.choices import EditorialStatus
from tracker.models import Actor, Claim, Role, Topic

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"
DOSSIER = SEEDS_DIR / "dossier.json"


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


class SeedLoader:
    def __init__(self, *, path: Path = DOSSIER, user: Any = None, progress: Callable[[Iterable], Iterable] = iter):
        self.path = path
        self.dossier = json.loads(path.read_text(encoding="utf-8"))
        self.user = user or get_system_user()
        self.reason = f"Load seed dossier ({path.name})"
        self.progress = progress
        self.counts: Counter[str] = Counter()
        self.sources: dict[str, Source] = {}
        self.actors: dict[str, Actor] = {}
        self.topics: dict[str, Topic] = {}
        self.claims: dict[str, Claim] = {}

    def _upsert(self, kind: str, existing: Any, data: dict[str, Any], create: Callable, update: Callable) -> Any:
        if existing is None:
            self.counts[f"{kind} created"] += 1
            return create(user=self.user, reason=self.reason, data=data)
        if all(getattr(existing, name) == value for name, value in data.items()):
            self.counts[f"{kind} unchanged"] += 1
            return existing
        self.counts[f"{kind} updated"] += 1
        return update(existing, data)

    def total(self) -> int:
        d = self.dossier
        return sum(len(d[k]) for k in ("sources", "actors", "roles", "topics", "claims", "positions"))

    def load(self) -> Counter[str]:
        with transaction.atomic():
            for step in self.progress(self._steps()):
                step()
        return self.counts

    def _steps(self) -> Iterable[Callable[[], None]]:
        d = self.dossier
        yield from (lambda s=s: self._source(s) for s in d["sources"])
        yield from (lambda a=a: self._actor(a) for a in d["actors"])
        yield from (lambda t=t: self._topic(t) for t in d["topics"])
        yield from (lambda r=r: self._role(r) for r in d["roles"])
        yield from (lambda c=c: self._claim(c) for c in d["claims"])
        yield from (lambda p=p: self._position(p) for p in d["positions"])

    def _source(self, spec: dict[str, Any]) -> None:
        data = {
            "title": spec["title"],
            "kind": spec["kind"],
            "language": spec.get("language", ""),
            "published_on": _date(spec.get("published_on")),
            "published_on_precision": spec.get("published_on_precision", "day"),
            "url": spec.get("url", ""),
        }
        if "stored_text_file" in spec:
            data["stored_text"] = (self.path.parent / spec["stored_text_file"]).read_text(encoding="utf-8")
        existing = Source.objects.filter(title=spec["title"]).first()
        self.sources[spec["key"]] = self._upsert(
            "sources",
            existing,
            data,
            source_services.source_create,
            lambda obj, data: source_services.source_update(
                source=obj, user=self.user, reason=self.reason, data=data, expected_version=None
            ),
        )

    def _actor(self, spec: dict[str, Any]) -> None:
        data = {
            "name": spec["name"],
            "slug": spec["slug"],
            "kind": spec["kind"],
            "summary": spec.get("summary", ""),
            "aliases": spec.get("aliases", []),
            "country_code": spec.get("country_code", ""),
            "wikidata_id": spec.get("wikidata_id", ""),
        }
        self.actors[spec["slug"]] = self._upsert(
            "actors",
            Actor.objects.filter(slug=spec["slug"]).first(),
            data,
            services.actor_create,
            lambda obj, data: services.actor_update(
                actor=obj, user=self.user, reason=self.reason, data=data, expected_version=None
            ),
        )

    def _topic(self, spec: dict[str, Any]) -> None:
        data = {k: spec.get(k, "") for k in ("slug", "title", "question", "summary")}
        self.topics[spec["slug"]] = self._upsert(
            "topics",
            Topic.objects.filter(slug=spec["slug"]).first(),
            data,
            services.topic_create,
            lambda obj, data: services.topic_update(
                topic=obj, user=self.user, reason=self.reason, data=data, expected_version=None
            ),
        )

    def _role(self, spec: dict[str, Any]) -> None:
        actor, organisation = self.actors[spec["actor"]], self.actors[spec["organisation"]]
        data = {
            "actor": actor,
            "organisation": organisation,
            "title": spec["title"],
            "source": self.sources[spec["source"]],
            "excerpt": spec["excerpt"],
            "start_on": _date(spec.get("start_on")),
            "end_on": _date(spec.get("end_on")),
        }
        existing = Role.objects.filter(actor=actor, organisation=organisation, title=spec["title"]).first()
        self._upsert(
            "roles",
            existing,
            data,
            services.role_create,
            lambda obj, data: services.role_update(
                role=obj, user=self.user, reason=self.reason, data=data, expected_version=None
            ),
        )

    def _claim(self, spec: dict[str, Any]) -> None:
        speaker = self.actors[spec["speaker"]]
        topics = [self.topics[slug] for slug in spec["topics"]]
        data = {
            "speaker": speaker,
            "text": spec["text"],
            "kind": spec["kind"],
            "context": spec.get("context", ""),
            "stated_on": _date(spec.get("stated_on")),
        }
        claim = Claim.objects.filter(speaker=speaker, text=spec["text"]).first()
        if claim is None:
            self.counts["claims created"] += 1
            claim = services.claim_create(user=self.user, reason=self.reason, data=data, topics=topics)
        elif all(getattr(claim, k) == v for k, v in data.items()) and set(claim.topics.all()) == set(topics):
            self.counts["claims unchanged"] += 1
        else:
            self.counts["claims updated"] += 1
            claim = services.claim_update(
                claim=claim, user=self.user, reason=self.reason, data=data, topics=topics, expected_version=None
            )
        for citation in spec["citations"]:
            source = self.sources[citation["source"]]
            data = {"source": source, "excerpt": citation["excerpt"], "locator": citation.get("locator", "")}
            existing = Citation.objects.filter(claim=claim, source=source, excerpt=citation["excerpt"]).first()
            self._upsert(
                "citations",
                existing,
                data,
                lambda user, reason, data, claim=claim: source_services.citation_create(
                    user=user, reason=reason, claim=claim, data=data
                ),
                lambda obj, data: source_services.citation_update(
                    citation=obj, user=self.user, reason=self.reason, data=data, expected_version=None
                ),
            )
        if claim.status != EditorialStatus.PUBLISHED:
            services.claim_publish(claim=claim, user=self.user, reason=self.reason)
        self.claims[spec["key"]] = claim

    def _position(self, spec: dict[str, Any]) -> None:
        defaults = self.dossier.get("position_defaults", {})
        actor, topic = self.actors[spec["actor"]], self.topics[spec["topic"]]
        as_of = _date(spec.get("as_of", defaults.get("as_of")))
        data = {
            "actor": actor,
            "topic": topic,
            "stance": spec["stance"],
            "as_of": as_of,
            "as_of_precision": spec.get("as_of_precision", defaults.get("as_of_precision", "day")),
            "as_of_inferred": spec.get("as_of_inferred", defaults.get("as_of_inferred", False)),
            "summary": spec.get("summary", ""),
            "conditions": spec.get("conditions", ""),
        }
        evidence = [self.claims[key] for key in spec["evidence"]]
        position = (
            Position.objects.filter(actor=actor, topic=topic, as_of=as_of)
            .exclude(status=EditorialStatus.RETRACTED)
            .first()
        )
        if position is None:
            self.counts["positions created"] += 1
            position = position_services.position_create(
                user=self.user, reason=self.reason, data=data, evidence=evidence
            )
        elif all(getattr(position, k) == v for k, v in data.items()) and set(position.evidence.all()) == set(evidence):
            self.counts["positions unchanged"] += 1
        else:
            self.counts["positions updated"] += 1
            position = position_services.position_update(
                position=position,
                user=self.user,
                reason=self.reason,
                data=data,
                evidence=evidence,
                expected_version=None,
            )
        if position.status != EditorialStatus.PUBLISHED:
            position_services.position_publish(position=position, user=self.user, reason=self.reason)
