"""Suggested claims: who said what in an article, matched against the actors the tracker knows.

Pure Python (no Django), so it is fast and tested on plain text: the suggest app hands it the source's
text and the tracker's actors, topics and citations as plain values (suggest/engine/types.py).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

from sources.content import verify_excerpt
from suggest.engine.attribution import Attribution, attribute
from suggest.engine.speakers import ActorIndex, main_mention
from suggest.engine.topics import TopicIndex
from suggest.engine.types import (
    KnownActor,
    KnownCitation,
    KnownRole,
    KnownTopic,
    SpeakerMatch,
    Suggestion,
    Suggestions,
    TopicScore,
)
from suggest.engine.units import QUOTE_MARKS, Unit, paragraphs, quote_mask, units

__all__ = [
    "KnownActor",
    "KnownCitation",
    "KnownRole",
    "KnownTopic",
    "SpeakerMatch",
    "Suggestion",
    "Suggestions",
    "TopicScore",
    "suggest_claims",
]

DIRECT_QUOTE_MIN_WORDS = 4  # fewer quoted words are a scare quote ("historic"), not a quotation
DUPLICATE_OVERLAP = 0.5  # of the shorter excerpt
_CONFIDENCE = {"name": 0.9, "alias": 0.85, "surname": 0.8, "role": 0.75, "pronoun": 0.7, "new": 0.55}
_LEADING_CONJUNCTION = re.compile(r"(?:but|while|whereas|with)\s+(?=\S)")
_QUOTED = re.compile(rf"[{QUOTE_MARKS}]([^{QUOTE_MARKS}]+)[{QUOTE_MARKS}]")


def suggest_claims(
    text: str,
    *,
    actors: Iterable[KnownActor],
    topics: Iterable[KnownTopic] = (),
    citations: Iterable[KnownCitation] = (),
    published_on: datetime.date | None = None,
    published_on_precision: str = "day",
) -> Suggestions:
    """Candidate claims in `text`, in reading order; roles count when held on `published_on`."""
    reader = _Reader(text, ActorIndex(actors, on=published_on), TopicIndex(topics))
    for unit in units(text):
        reader.read(unit)
    cited = _cited_spans(text, citations)
    for suggestion in reader.suggestions:
        suggestion.topics = reader.topics.scores(suggestion.excerpt)
        suggestion.stated_on, suggestion.stated_on_precision = published_on, published_on_precision
        suggestion.duplicates = [key for start, end, key in cited if _overlaps(suggestion, start, end)]
    verified = [s for s in reader.suggestions if _verified(text, s)]
    new_actors = list(dict.fromkeys(s.speaker.new_name for s in verified if s.speaker.new_name))
    return Suggestions(verified, new_actors)


class _Reader:
    """Walks the units in order, carrying the last named speaker of the paragraph (and of the text)."""

    def __init__(self, text: str, index: ActorIndex, topics: TopicIndex) -> None:
        self.text, self.index, self.topics = text, index, topics
        self.suggestions: list[Suggestion] = []
        self.new_names: list[str] = []
        self.paragraph = 0
        # Who was last named, paragraph by paragraph: a pronoun or a bare quotation goes back to them.
        self.named: list[tuple[int, SpeakerMatch]] = []
        self.previous: tuple[Unit, Suggestion | None] | None = None

    def read(self, unit: Unit) -> None:
        self.paragraph = unit.paragraph
        chunk = self.text[unit.start : unit.end]
        masked = quote_mask(chunk)
        found = attribute(chunk, masked, self.index, self.new_names)
        suggestion = None
        if found is not None:
            suggestion = self._suggest(unit, chunk, found)
        elif unit.continues and self.previous and self.previous[1] is not None:
            self.previous[1].end = unit.end  # the rest of the sentence the previous clause began
            self.previous[1].excerpt = self.text[self.previous[1].start : unit.end]
            self.previous = (unit, self.previous[1])
            return
        elif not re.search(r"\w", masked):
            # A paragraph that is only a quotation continues the previous paragraph's speaker.
            antecedent = self._antecedent("they", same_paragraph=False)
            if antecedent is not None:
                suggestion = self._make(unit, chunk, _carried(antecedent, "pronoun"), 0.6, 0)
        if suggestion is not None:
            self.suggestions.append(suggestion)
            if suggestion.speaker.matched_by != "pronoun":
                self.named.append((unit.paragraph, suggestion.speaker))
        else:
            mention = main_mention(chunk, self.index.mentions(chunk))
            if mention is not None:
                self.named.append((unit.paragraph, SpeakerMatch(mention.actor_key, "", "name", mention.text)))
        self.previous = (unit, suggestion)

    def _antecedent(self, pronoun: str, *, same_paragraph: bool) -> SpeakerMatch | None:
        """The last named speaker (or subject) that fits the pronoun: he/she a person, it an organisation."""
        for paragraph, named in reversed(self.named):
            if same_paragraph and paragraph != self.paragraph:
                return None
            person = self.index.is_person(named)
            if pronoun.lower() in ("he", "she", "i", "we") and not person or pronoun.lower() == "it" and person:
                continue
            return named
        return None

    def _suggest(self, unit: Unit, chunk: str, found: Attribution) -> Suggestion | None:
        speaker, confidence = found.speaker, 0.0
        if speaker is None:  # ", but emphasised…": the previous clause's speaker
            previous = self.previous[1] if self.previous and unit.continues else None
            if previous is None:
                return None
            speaker, confidence = previous.speaker, previous.confidence - 0.05
        elif speaker.matched_by == "pronoun":
            antecedent = self._antecedent(speaker.mention, same_paragraph=True)
            confidence = _CONFIDENCE["pronoun"]
            if antecedent is None:
                antecedent, confidence = self._antecedent(speaker.mention, same_paragraph=False), confidence - 0.1
            if antecedent is None:
                return None
            speaker = _carried(antecedent, "pronoun", mention=speaker.mention)
        else:
            confidence = _CONFIDENCE[speaker.matched_by]
            if speaker.new_name and speaker.new_name not in self.new_names:
                self.new_names.append(speaker.new_name)
        if found.how in ("according", "among"):
            confidence -= 0.1
        return self._make(unit, chunk, speaker, confidence, found.verb_end, verb=found.verb)

    def _make(
        self, unit: Unit, chunk: str, speaker: SpeakerMatch, confidence: float, verb_end: int, *, verb: str = ""
    ) -> Suggestion:
        quoted = [q.strip() for q in _QUOTED.findall(chunk)]
        quotation = max(quoted, key=len, default="")
        direct = len(quotation.split()) >= DIRECT_QUOTE_MIN_WORDS
        if direct:
            confidence += 0.05
        lead = _LEADING_CONJUNCTION.match(chunk)
        start = unit.start + (lead.end() if lead else 0)
        return Suggestion(
            excerpt=self.text[start : unit.end],
            start=start,
            end=unit.end,
            paragraph=unit.paragraph,
            kind="direct_quote" if direct else "reported",
            speaker=speaker,
            confidence=round(max(0.05, min(confidence, 0.99)), 2),
            text=_claim_text(chunk, quotation if direct else "", verb_end, fallback=self.text[start : unit.end]),
            verb=verb,
        )


def _carried(speaker: SpeakerMatch, how: str, *, mention: str = "") -> SpeakerMatch:
    return SpeakerMatch(speaker.actor_key, speaker.new_name, how, mention or speaker.mention)


def _claim_text(chunk: str, quotation: str, verb_end: int, *, fallback: str) -> str:
    """The proposed claim: the quotation itself, or what the speaker said ("…said that X" gives X)."""
    body = quotation or re.sub(r"^\s*(?:that\b|,|:)?\s*", "", chunk[verb_end:])
    body = body.strip(" ,;:-–—" + QUOTE_MARKS).rstrip(".")
    if len(body.split()) < 4:
        body = fallback.strip().rstrip(".")
    return body[:1].upper() + body[1:] + "."


def _cited_spans(text: str, citations: Iterable[KnownCitation]) -> list[tuple[int, int, int | str]]:
    spans = []
    for citation in citations:
        match = verify_excerpt(citation.excerpt, text)
        if match.found and match.start is not None and match.end is not None:
            spans.append((match.start, match.end, citation.claim_key))
    return spans


def _overlaps(suggestion: Suggestion, start: int, end: int) -> bool:
    shared = min(end, suggestion.end) - max(start, suggestion.start)
    return shared > 0 and shared >= DUPLICATE_OVERLAP * min(end - start, suggestion.end - suggestion.start)


def _verified(text: str, suggestion: Suggestion) -> bool:
    """The excerpt as the checks verify citations (sources.content.verify_excerpt), against its paragraph:
    a slice of the text, so a verdict there holds for the text, and the whole text is not normalised
    again for every suggestion."""
    for start, end in paragraphs(text):
        if start <= suggestion.start < end:
            return verify_excerpt(suggestion.excerpt, text[start:end]).status == "present"
    return False
