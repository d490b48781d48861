"""Which topics a suggested claim is about: word overlap with each topic's question and published claims."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from suggest.engine.types import KnownTopic, TopicScore

MIN_SCORE = 0.2
MAX_TOPICS = 3
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
# Truncating words to their first letters is the cheapest stemmer that joins troops/troop, sanctions/sanctioned.
_STEM = 6
_STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having he
    her here hers him his how i if in into is it its itself just may me might more most must my no nor not now of
    off on once only or other our out over own same she should so some such than that the their them then there
    these they this those through to too under until up very was we were what when where which while who whom why
    will with would you your said says say told should""".split()
)


def words(text: str) -> frozenset[str]:
    return frozenset(w.lower()[:_STEM] for w in _WORD.findall(text) if w.lower() not in _STOPWORDS and len(w) > 2)


def _similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


class TopicIndex:
    def __init__(self, topics: Iterable[KnownTopic]) -> None:
        self._topics = [
            (topic.key, words(f"{topic.title} {topic.question}"), [words(text) for text in topic.claim_texts])
            for topic in topics
        ]

    def scores(self, text: str) -> list[TopicScore]:
        own = words(text)
        scored = []
        for key, question, claims in self._topics:
            score = max([_similarity(own, question), *(_similarity(own, claim) for claim in claims)])
            if score >= MIN_SCORE:
                scored.append(TopicScore(key, round(score, 2)))
        scored.sort(key=lambda s: s.score, reverse=True)
        return scored[:MAX_TOPICS]
