"""Speech verbs: the words by which news reports who said or holds what.

Finite forms find an attribution ("Rubio cautioned that…", "…, Netanyahu said."); a gerund only after
"with X" ("…, with the foreign minister warning of…"). Verbs that are also common nouns (a call, a
claim, a fear) count in the plain present only when "that", "for" or "to" follows.
"""

from __future__ import annotations

import re

# lemma -> irregular or doubled forms; the regular ones are made by _forms().
_LEMMAS: dict[str, tuple[str, ...]] = {
    "say": ("said", "says", "saying"),
    "tell": ("told", "tells", "telling"),
    "write": ("wrote", "writes", "writing"),
    "add": (),
    "state": (),
    "warn": (),
    "urge": (),
    "insist": (),
    "allege": (),
    "accuse": (),
    "stress": (),
    "emphasize": (),
    "emphasise": (),
    "reiterate": (),
    "deny": (),
    "argue": (),
    "believe": (),
    "express": (),
    "condemn": (),
    "criticise": (),
    "criticize": (),
    "reject": (),
    "welcome": (),
    "announce": (),
    "declare": (),
    "confirm": (),
    "caution": (),
    "testify": (),
    "tweet": (),
    "suggest": (),
    "acknowledge": (),
    "admit": ("admitted", "admitting"),
    "pledge": (),
    "vow": (),
    "threaten": (),
    "predict": (),
    "explain": (),
    "describe": (),
    "label": ("labelled", "labelling"),
    "slam": ("slammed", "slamming"),
    "assail": (),
    "blame": (),
    "assert": (),
    "maintain": (),
    "counter": (),
    "reply": (),
    "respond": (),
    "complain": (),
    "cheer": (),
    "concede": (),
    "recall": (),
    "reveal": (),
}
# Also nouns: counted in the plain present ("officials fear that…") only before that/for/to.
_NOUNISH: dict[str, tuple[str, ...]] = {
    "fear": (),
    "hope": (),
    "claim": (),
    "call": (),
    "demand": (),
    "promise": (),
    "note": (),
    "question": (),
}
# Set phrases of stating or holding a stance.
_PHRASES = (
    r"ma(?:de|kes?) (?:it )?clear",
    r"(?:is|are|was|were) keen to",
    r"(?:has|have|had) been vocal",
    r"(?:took|takes?|taken) an? (?:\w+ ){0,3}stance",
    r"expressed (?:hope|concern|regret)s?",
    r"express (?:hope|concern|regret)s?",
)


def _forms(lemma: str) -> tuple[set[str], set[str], set[str]]:
    """(past and third-person forms, plain present, gerund) of a regular verb."""
    if lemma.endswith("e"):
        past, third, ing = lemma + "d", lemma + "s", lemma[:-1] + "ing"
    elif lemma.endswith("y") and lemma[-2] not in "aeiou":
        past, third, ing = lemma[:-1] + "ied", lemma[:-1] + "ies", lemma + "ing"
    elif lemma.endswith(("s", "sh", "ch", "x")):
        past, third, ing = lemma + "ed", lemma + "es", lemma + "ing"
    else:
        past, third, ing = lemma + "ed", lemma + "s", lemma + "ing"
    return {past, third}, {lemma}, {ing}


def _build() -> tuple[str, str]:
    finite: set[str] = set()
    gerund: set[str] = set()
    plain: set[str] = set()
    for lemma, extra in _LEMMAS.items():
        lemma = lemma.strip()
        done, base, ing = _forms(lemma)
        finite |= done
        plain |= base
        gerund |= ing
        for form in extra:
            (gerund if form.endswith("ing") else finite).add(form)
    nounish_plain = set()
    for lemma, _extra in _NOUNISH.items():
        done, base, ing = _forms(lemma)
        finite |= done
        gerund |= ing
        nounish_plain |= base
    words = "|".join(sorted(finite | plain, key=len, reverse=True))
    nouns = "|".join(sorted(nounish_plain, key=len, reverse=True))
    gerunds = "|".join(sorted(gerund, key=len, reverse=True))
    progressive = rf"(?:is|are|was|were) (?:\w+ )?(?:{gerunds})"
    finite_re = rf"(?:{'|'.join(_PHRASES)}|{progressive}|(?:{words})|(?:{nouns})(?= (?:that|for|to)\b))"
    return finite_re, gerunds


_FINITE, _GERUNDS = _build()
# Optional auxiliaries and adverbs before the verb belong to it ("has already stated", "also sharply criticised").
_AUX_WORDS = (
    "has|have|had|would|will|did|does|do|also|already|repeatedly|previously|recently|further|sharply|strongly"
    "|publicly|then|later|again|firmly|however"
)
_AUX = rf"(?:(?:{_AUX_WORDS})\s+)*"

# Case-sensitive: verbs are lower case in running text, and "the United States" states nothing.
FINITE_VERB = re.compile(rf"\b{_AUX}(?P<verb>{_FINITE})\b")
GERUND_VERB = re.compile(rf"\b(?P<verb>{_GERUNDS})\b")
ACCORDING_TO = re.compile(r"\baccording to (?P<who>[^,.;]+)", re.IGNORECASE)
HELD_AMONG = re.compile(
    r"\b(?:consensus|agreement) (?:among|between) (?P<who>[^,.;]+?) (?:that|on|about)\b", re.IGNORECASE
)
