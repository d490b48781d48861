"""Who a stretch of text names: tracked actors by name, alias or role held at a date, or a new name."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from suggest.engine.demonyms import DEMONYMS, demonyms_of
from suggest.engine.types import KnownActor, SpeakerMatch

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})
PRONOUNS = {"he", "she", "they", "it", "we", "i"}
# A mention after one of these is an object ("talks with Putin"), not the speaker, unless nothing else is named.
_PREPOSITIONS = {
    "with", "of", "to", "for", "by", "from", "between", "against", "on", "in", "at", "about", "among", "than", "into",
}  # fmt: skip
_NAME_WORD = r"[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?"
PROPER_NAME = re.compile(rf"\b{_NAME_WORD}(?:\s+(?:[A-Z]\.\s+)?{_NAME_WORD})+\b")
_GROUP = re.compile(rf"^(?:the |many |some |several |both |other )?(?P<name>(?:{'|'.join(DEMONYMS)}) [a-z]+s)$")
# Titles in front of a name are not part of it ("Former Senator Jane Roe" names Jane Roe).
_TITLE_WORDS = {
    "Former", "President", "Vice", "Prime", "Minister", "Senator", "Sen", "Rep", "Representative", "Ambassador",
    "Secretary", "General", "Gen", "Col", "Lt", "Colonel", "Lieutenant", "Chancellor", "Mr", "Mrs", "Ms", "Dr",
    "Foreign", "Defence", "Defense", "Chief", "Governor", "Mayor", "Judge", "Justice", "Speaker", "Leader", "Chairman",
    "Chair", "Deputy", "Press", "State", "Special", "Envoy", "King", "Queen", "Prince", "Pope", "Sir", "Lord", "Dame",
}  # fmt: skip


def _key(text: str) -> str:
    return " ".join(text.translate(_APOSTROPHES).lower().split())


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    actor_key: int | str
    matched_by: str  # name, alias, surname, role
    text: str


class ActorIndex:
    """One regular expression over every name, alias and role phrase of the tracked actors.

    Names and aliases match with their case ("US" is not "us"); role phrases ignore it ("the British prime
    minister"), except an organisation's all-capital abbreviation. Longer phrases win over their prefixes.
    """

    def __init__(self, actors: Iterable[KnownActor], *, on: datetime.date | None) -> None:
        self._by_key: dict[str, list[tuple[int | str, str]]] = {}
        self._persons: set[int | str] = set()
        patterns: dict[str, str] = {}
        actors = list(actors)
        surnames: dict[str, list[int | str]] = {}
        for actor in actors:
            if actor.is_person:
                self._persons.add(actor.key)
            for phrase, how in [(actor.name, "name"), *((alias, "alias") for alias in actor.aliases)]:
                for variant in _possessive_variants(phrase):
                    self._add(patterns, variant, re.escape(variant).replace(r"\ ", r"\s+"), actor.key, how)
            parts = actor.name.split()
            if actor.is_person and len(parts) > 1 and len(parts[-1]) > 2:
                surnames.setdefault(parts[-1], []).append(actor.key)
            for role in actor.roles:
                if role.held_on(on):
                    for phrase, pattern in _role_phrases(role.title, role.organisation_names):
                        self._add(patterns, phrase, pattern, actor.key, "role")
        for surname, keys in surnames.items():
            if len(keys) == 1 and _key(surname) not in self._by_key:
                self._add(patterns, surname, re.escape(surname), keys[0], "surname")
        ordered = sorted(patterns.items(), key=lambda item: len(item[0]), reverse=True)
        body = "|".join(pattern for _phrase, pattern in ordered) or r"(?!x)x"
        self._regex = re.compile(rf"(?<!\w)(?:{body})(?!\w)")

    def _add(self, patterns: dict[str, str], phrase: str, pattern: str, key: int | str, how: str) -> None:
        entries = self._by_key.setdefault(_key(phrase), [])
        if all(existing != key for existing, _how in entries):
            entries.append((key, how))
        patterns.setdefault(phrase, pattern)

    def is_person(self, speaker: SpeakerMatch) -> bool:
        if speaker.actor_key is not None:
            return speaker.actor_key in self._persons
        return bool(speaker.new_name) and all(word[:1].isupper() for word in speaker.new_name.split())

    def mentions(self, text: str) -> list[Mention]:
        found = []
        for match in self._regex.finditer(text):
            entries = self._by_key.get(_key(match.group(0)))
            if entries and len(entries) == 1:  # a phrase two actors share names neither
                key, how = entries[0]
                found.append(Mention(match.start(), match.end(), key, how, match.group(0)))
        return found


def _possessive_variants(phrase: str) -> list[str]:
    """ "Russian foreign ministry" is also "Russia's foreign ministry"."""
    variants = [phrase]
    first, _, rest = phrase.partition(" ")
    if rest and first in DEMONYMS:
        variants += [f"{country}'s {rest}" for country in DEMONYMS[first][:1]]
        variants += [f"{country}’s {rest}" for country in DEMONYMS[first][:1]]
    return variants


def _role_phrases(title: str, organisation_names: Iterable[str]) -> list[tuple[str, str]]:
    title_re = "(?i:" + re.escape(title).replace(r"\ ", r"\s+") + ")"
    phrases = []
    for org in organisation_names:
        for name in [org, *demonyms_of(org)]:
            name_re = re.escape(name).replace(r"\ ", r"\s+")
            if not name.isupper():
                name_re = f"(?i:{name_re})"
            phrases.append((f"{name} {title}", rf"{name_re}\s+{title_re}"))
            phrases.append((f"{title} of {name}", rf"{title_re}\s+of\s+(?:the\s+)?{name_re}"))
            phrases.append((f"{name}'s {title}", rf"{name_re}['’]s\s+{title_re}"))
    return phrases


def speaker_in(subject: str, index: ActorIndex, *, new_names: list[str]) -> SpeakerMatch | None:
    """The speaker a subject phrase names: a tracked actor, a surname of a new name, or a new name."""
    stripped = subject.strip(" ,;:-–—\"“”'")
    if stripped.lower() in PRONOUNS:
        return SpeakerMatch(None, "", "pronoun", stripped)
    mention = main_mention(stripped, index.mentions(stripped), head=True)
    if mention is not None:
        return SpeakerMatch(mention.actor_key, "", mention.matched_by, mention.text)
    for name in reversed(new_names):
        if stripped == name.split()[-1]:
            return SpeakerMatch(None, name, "surname", stripped)
    names = [m.group(0) for m in PROPER_NAME.finditer(stripped)]
    if names:
        words = names[-1].split()
        while len(words) > 2 and words[0].rstrip(".") in _TITLE_WORDS:
            words.pop(0)
        if words[0].rstrip(".") not in _TITLE_WORDS:
            return SpeakerMatch(None, " ".join(words), "new", names[-1])
    group = _GROUP.match(stripped)
    if group:
        return SpeakerMatch(None, group.group("name"), "new", stripped)
    return None


def main_mention(subject: str, mentions: list[Mention], *, head: bool = False) -> Mention | None:
    """The first mention that is neither possessive nor after a preposition; else the first after one.

    With `head`, the last such mention: the head of a noun phrase comes last ("State Department official
    David Holmes" is Holmes)."""
    primary, secondary = [], []
    for index, mention in enumerate(mentions):
        following = subject[mention.end : mention.end + 2].translate(_APOSTROPHES)
        if following == "'s" and not any(m.start == mention.start and m.end > mention.end for m in mentions):
            continue
        before = subject[: mention.start].split()
        nxt = mentions[index + 1] if index + 1 < len(mentions) else None
        if mention.matched_by == "role" and nxt is not None and nxt.start - mention.end <= 1:
            continue  # "Israeli Prime Minister Benjamin Netanyahu": the name decides
        (secondary if before and before[-1].lower() in _PREPOSITIONS else primary).append(mention)
    if head and primary:
        return primary[-1]
    return (primary or secondary or [None])[0]


def head_speaker(phrase: str, index: ActorIndex, *, new_names: list[str]) -> SpeakerMatch | None:
    """The speaker after an inverted verb ("…, said another witness, former adviser Fiona Hill, who…"): the
    first comma-separated part that ends with a name; else whoever the first part names."""
    parts = [part.strip(" .") for part in phrase.split(",")]
    for part in parts:
        if part.split(" ", 1)[0].lower() in ("who", "which", "whose"):
            break
        found = speaker_in(part, index, new_names=new_names)
        if found is not None and part.endswith(found.mention):
            return found
    return speaker_in(parts[0], index, new_names=new_names) if parts else None
