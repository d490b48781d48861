"""Who a unit of text attributes a statement to, and by which verb.

In order: a quotation followed by its speaker ("…," Netanyahu said / said Avi Bell), a subject before a
speech verb ("British Prime Minister Starmer has stated that…"), "with X warning…", "consensus among X
that…", "according to X". The subject is cut down to its head first: relative clauses (", who…,"),
appositions ("Keith Kellogg, Trump's envoy,") and leading clauses ("While…, Rubio cautioned") go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from suggest.engine.speakers import ActorIndex, head_speaker, speaker_in
from suggest.engine.speech import ACCORDING_TO, FINITE_VERB, GERUND_VERB, HELD_AMONG
from suggest.engine.types import SpeakerMatch
from suggest.engine.units import QUOTE_MARKS

MAX_SUBJECT_WORDS = 12
_RELATIVE = re.compile(r",\s*(?:who|which|whose|whom)\b[^,]*,")
_DASHED = re.compile(r"\s[-–—]\s*(?:who|which|whose|whom)\b[^-–—]*[-–—]\s")
_DASH_APPOSITION = re.compile(r"\s[-–—]\s(?P<names>[^-–—]+?)\s[-–—]\s*$")
_OPEN_RELATIVE = re.compile(r"(?:\s[-–—]|,)\s*(?:who|which|whose|whom)\b[^-–—,]*$")
_CONJUNCTION = re.compile(r"^\s*(?:but|while|whereas|and|with)\b\s*", re.IGNORECASE)
_WHO = re.compile(r",\s*who\s+(?:[^,]*?\s)?" + FINITE_VERB.pattern)
ANTECEDENT_WORDS = 4
_TRAILING_TAG = re.compile(r",\s+(?P<subject>[A-Z][^,]{0,60}?)\s+" + FINITE_VERB.pattern + r"\s*[.!?]?\s*$")
_WITH = re.compile(r"^with\s+(?P<subject>.+?)\s+" + GERUND_VERB.pattern, re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Attribution:
    speaker: SpeakerMatch | None  # None: the verb has no subject of its own (", but emphasised…")
    verb: str
    verb_end: int  # offset in the unit where the reported content starts
    how: str  # quote, subject, with, among, according


def clean_subject(subject: str) -> str | None:
    subject = _CONJUNCTION.sub("", subject)
    subject = _DASHED.sub(" ", _RELATIVE.sub(" ", subject)).strip()
    if _OPEN_RELATIVE.search(subject):
        return None  # the verb is inside a relative clause ("X - which has rejected…"): not X's statement
    named = _DASH_APPOSITION.search(subject)
    if named:  # "The only two Arab states to have signed… - Egypt and Jordan -": the apposition names them
        subject = named.group("names")
    if subject.endswith(","):
        subject = subject[: subject.index(",")]
    if "," in subject:
        subject = subject[subject.rindex(",") + 1 :]
    subject = subject.strip(" -–—")
    if len(subject.split()) > MAX_SUBJECT_WORDS:
        return None
    return subject


def attribute(unit: str, masked: str, index: ActorIndex, new_names: list[str]) -> Attribution | None:
    """The attribution of `unit` (its quotations blanked in `masked`), or None when it reports no speech."""
    last_quote = max((masked.rfind(mark) for mark in QUOTE_MARKS), default=-1)
    if last_quote >= 0:
        found = _after_quote(unit, masked, last_quote, index, new_names)
        if found:
            return found
    tag = _TRAILING_TAG.search(masked)
    if tag:  # "Afterward, Sondland said he had relayed…, Morrison testified.": the whole is Morrison's
        speaker = speaker_in(unit[tag.start("subject") : tag.end("subject")], index, new_names=new_names)
        if speaker is not None and speaker.matched_by != "pronoun":
            return Attribution(speaker, tag.group("verb"), 0, "tag")
    for verb in FINITE_VERB.finditer(masked):
        subject = clean_subject(unit[: verb.start()])
        if subject is None:
            continue
        if not subject:
            return Attribution(None, verb.group("verb"), verb.end(), "subject")
        speaker = speaker_in(subject, index, new_names=new_names)
        if speaker is not None:
            return Attribution(speaker, verb.group("verb"), verb.end(), "subject")
    with_clause = _WITH.match(masked)
    if with_clause:
        subject = unit[with_clause.start("subject") : with_clause.end("subject")]
        speaker = speaker_in(subject, index, new_names=new_names)
        if speaker is not None:
            return Attribution(speaker, with_clause.group("verb"), with_clause.end(), "with")
    who = _WHO.search(masked)
    if who:  # "…with those of Senator Rubio, who has taken a more reserved stance": who is the nearest name
        antecedent = " ".join(unit[: who.start()].split()[-ANTECEDENT_WORDS:])
        speaker = speaker_in(antecedent, index, new_names=new_names)
        if speaker is not None and speaker.matched_by != "pronoun":
            return Attribution(speaker, who.group("verb"), who.end(), "who")
    for pattern, how in ((HELD_AMONG, "among"), (ACCORDING_TO, "according")):
        match = pattern.search(masked)
        if match:
            speaker = speaker_in(unit[match.start("who") : match.end("who")], index, new_names=new_names)
            if speaker is not None:
                return Attribution(speaker, how, match.end(), how)
    return None


def _after_quote(
    unit: str, masked: str, last_quote: int, index: ActorIndex, new_names: list[str]
) -> Attribution | None:
    """ "…," Grisham said / "…," said Avi Bell, senior fellow at…"""
    tail_start = last_quote + 1
    verb = FINITE_VERB.search(masked, tail_start)
    if verb is None:
        return None
    between = unit[tail_start : verb.start()]
    inverted = between.rstrip().endswith(",") or not between.strip(" ,")
    between = between.strip(" ,")
    if not inverted:
        if len(between.split()) > MAX_SUBJECT_WORDS:
            return None
        speaker = speaker_in(between, index, new_names=new_names)
    else:
        speaker = head_speaker(unit[verb.end() :], index, new_names=new_names)
    if speaker is None:
        return None
    return Attribution(speaker, verb.group("verb"), 0, "quote")
