"""What the engine reads (the tracker's actors, topics and citations, as plain values) and what it returns."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class KnownRole:
    """A title an actor holds in an organisation between optional dates."""

    title: str
    organisation_names: tuple[str, ...]  # the organisation's name and aliases
    start_on: datetime.date | None = None
    end_on: datetime.date | None = None

    def held_on(self, day: datetime.date | None) -> bool:
        if day is None:
            return self.end_on is None
        return (self.start_on is None or self.start_on <= day) and (self.end_on is None or day <= self.end_on)


@dataclass(frozen=True, slots=True)
class KnownActor:
    key: int | str
    name: str
    aliases: tuple[str, ...] = ()
    is_person: bool = True
    roles: tuple[KnownRole, ...] = ()


@dataclass(frozen=True, slots=True)
class KnownTopic:
    key: int | str
    title: str
    question: str
    claim_texts: tuple[str, ...] = ()  # the topic's published claims


@dataclass(frozen=True, slots=True)
class KnownCitation:
    """An excerpt of this source an existing claim already cites."""

    claim_key: int | str
    excerpt: str


@dataclass(frozen=True, slots=True)
class SpeakerMatch:
    """Who said it: a tracked actor (`actor_key`) or a name the tracker does not know (`new_name`)."""

    actor_key: int | str | None
    new_name: str
    matched_by: str  # name, alias, role, pronoun, surname, new
    mention: str  # the words of the text that named the speaker


@dataclass(frozen=True, slots=True)
class TopicScore:
    topic_key: int | str
    score: float


@dataclass(slots=True)
class Suggestion:
    """One candidate claim: an excerpt of the text, its speaker and a first draft of the claim."""

    excerpt: str
    start: int
    end: int
    paragraph: int  # 1-based, for the citation's locator
    kind: str  # direct_quote or reported (tracker.choices.ClaimKind values)
    speaker: SpeakerMatch
    confidence: float
    text: str
    verb: str
    topics: list[TopicScore] = field(default_factory=list)
    stated_on: datetime.date | None = None
    stated_on_precision: str = "day"
    duplicates: list[int | str] = field(default_factory=list)  # claims already citing an overlapping excerpt


@dataclass(slots=True)
class Suggestions:
    suggestions: list[Suggestion]
    new_actors: list[str]  # names the text gives speakers the tracker does not know, in order of appearance
