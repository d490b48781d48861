"""The text cut into candidate units: paragraphs, sentences (pysbd), quotations kept whole, clauses.

Offsets are into the original text throughout, so every excerpt is `text[start:end]`, verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pysbd

QUOTE_MARKS = '"“”„«»'
MAX_SENTENCES = 2
_PARAGRAPH = re.compile(r"[^\n]+")
# Where one sentence joins two statements: ", but", ", while", ", with", "; ".
_CLAUSE_BREAK = re.compile(r",\s+(?=(?:but|while|whereas|with)\s)|;\s+")


@dataclass(frozen=True, slots=True)
class Unit:
    start: int
    end: int
    paragraph: int
    continues: bool = False  # a clause after a break: a missing subject is the previous clause's speaker


def paragraphs(text: str) -> Iterator[tuple[int, int]]:
    for match in _PARAGRAPH.finditer(text):
        start, end = _strip(text, match.start(), match.end())
        if end > start:
            yield start, end


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def quote_mask(text: str) -> str:
    """`text` with everything between double quotation marks blanked, offsets unchanged."""
    out, inside = [], False
    for char in text:
        if char in QUOTE_MARKS:
            inside = not inside
            out.append(char)
        else:
            out.append(" " if inside else char)
    return "".join(out)


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of `text[start:end]`; a quotation running over several sentences stays in one span."""
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    spans = [_strip(text, start + span.start, start + span.end) for span in segmenter.segment(text[start:end])]
    merged: list[list[tuple[int, int]]] = []
    open_quote = False
    for span in spans:
        if span[1] <= span[0]:
            continue
        if open_quote and merged or merged and _attribution_only(text, merged[-1][-1], span):
            merged[-1].append(span)
        else:
            merged.append([span])
        if sum(text.count(mark, span[0], span[1]) for mark in QUOTE_MARKS) % 2:
            open_quote = not open_quote
    return [(group[0][0], group[-1][1]) if len(group) == 1 else _whole(group) for group in merged]


_TAG = re.compile(r"^[A-Z][\w.’'-]*(?: [A-Z][\w.’'-]*)* [a-z]+\.$")


def _attribution_only(text: str, previous: tuple[int, int], span: tuple[int, int]) -> bool:
    """ "…investigation?’” | Holmes testified.": a tag after a quotation that ends in ? or ! is the
    quotation's attribution, not a sentence of its own."""
    return text[previous[1] - 1] in QUOTE_MARKS and bool(_TAG.match(text[span[0] : span[1]]))


def _whole(group: list[tuple[int, int]]) -> tuple[int, int]:
    # A quotation of three sentences or more: the last two, where news puts the attribution ("…," she said).
    return group[-MAX_SENTENCES][0] if len(group) > MAX_SENTENCES else group[0][0], group[-1][1]


def units(text: str) -> Iterator[Unit]:
    """Candidate units paragraph by paragraph: sentences, split into clauses where a sentence joins two."""
    for number, (p_start, p_end) in enumerate(paragraphs(text), start=1):
        for s_start, s_end in sentences(text, p_start, p_end):
            yield from _clauses(text, number, s_start, s_end)


def _clauses(text: str, paragraph: int, start: int, end: int) -> Iterator[Unit]:
    masked = quote_mask(text[start:end])
    cuts = list(_CLAUSE_BREAK.finditer(masked))
    if not cuts:
        yield Unit(start, end, paragraph)
        return
    begin = start
    for index, cut in enumerate(cuts):
        yield Unit(begin, start + cut.start(), paragraph, continues=index > 0)
        begin = start + cut.end()
    yield Unit(begin, end, paragraph, continues=True)
