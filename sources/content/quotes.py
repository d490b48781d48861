"""Whether a citation's excerpt still occurs in its source text: present, altered or missing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from sources.content.normalising import normalise_text, normalise_with_spans

__all__ = ["QuoteMatch", "QuoteStatus", "find_excerpt", "verify_excerpt"]

QuoteStatus = Literal["present", "altered", "missing", "unverifiable"]


@dataclass(frozen=True, slots=True)
class QuoteMatch:
    """Result of checking a citation excerpt against a source text.

    Attributes:
        status: ``"present"`` (found, ignoring quote/dash/case/whitespace
            style), ``"altered"`` (a close passage scores at or above the
            threshold) or ``"missing"``.
        score: Similarity 0-100 (100.0 for present).
        matched_passage: The matching passage, exactly as it appears in the
            original text (``text[start:end]``); ``""`` when missing.
        start: Offset of the passage in the original text, or None.
        end: End offset (exclusive) in the original text, or None.
    """

    status: QuoteStatus
    score: float
    matched_passage: str
    start: int | None
    end: int | None

    @property
    def found(self) -> bool:
        """True when the excerpt is present or altered."""
        return self.status in ("present", "altered")


#: Excerpts this short (normalised) are judged word by word: one changed word in "ready and
#: willing" costs more than the threshold allows in characters, yet it is plainly the same quote.
SHORT_EXCERPT_CHARS = 35
_SENTENCE_END = (".", "!", "?", ":", ";")

_GAP_RE = re.compile(r"\s*(?:\[\s*\.{3,}\s*\]|\(\s*\.{3,}\s*\)|\.{3,})\s*")


def _excerpt_pieces(excerpt: str) -> list[str]:
    """Normalise an excerpt and split it on ellipsis gaps ("...", "…", "[…]")."""
    norm = normalise_text(excerpt)
    pieces = [p.strip(" ") for p in _GAP_RE.split(norm)]
    # Drop empty pieces and pieces that are only punctuation (e.g. a ", ").
    return [p for p in pieces if p and re.search(r"\w", p)]


def _find_in_order(pieces: list[str], haystack: str) -> tuple[int, int] | None:
    """Find each piece in order; return the covering normalised span."""
    pos = 0
    first: int | None = None
    end = 0
    for piece in pieces:
        idx = haystack.find(piece, pos)
        if idx < 0:
            return None
        if first is None:
            first = idx
        end = idx + len(piece)
        pos = end
    assert first is not None
    return first, end


def _is_start(hay: str, i: int) -> bool:
    """True if a passage may start at ``hay[i]`` (start of a token or word)."""
    if i >= len(hay) or hay[i] == " ":
        return False
    if i == 0 or hay[i - 1] == " ":
        return True
    return hay[i].isalnum() and not hay[i - 1].isalnum()


def _is_end(hay: str, i: int) -> bool:
    """True if a passage may end just before ``hay[i]`` (end of token/word)."""
    if i <= 0 or hay[i - 1] == " ":
        return False
    if i >= len(hay) or hay[i] == " ":
        return True
    return hay[i - 1].isalnum() and not hay[i].isalnum()


def _refine_span(needle: str, hay: str, lo: int, hi: int) -> tuple[float, int, int]:
    """Snap a rough window ``hay[lo:hi]`` to word boundaries maximising ratio.

    Start and end candidates are token/word boundaries within a slack of about
    a quarter of the needle's length around the rough window; the pair with
    the best :func:`rapidfuzz.fuzz.ratio` against ``needle`` wins (ties go to
    the shorter passage).
    """
    from rapidfuzz import fuzz

    slack = max(12, len(needle) // 4)
    cand_starts = [i for i in range(max(0, lo - slack), min(len(hay), lo + slack) + 1) if _is_start(hay, i)]
    cand_ends = [i for i in range(max(0, hi - slack), min(len(hay), hi + slack) + 1) if _is_end(hay, i)]
    best = (-1.0, lo, hi)
    for s in cand_starts:
        for e in cand_ends:
            if e <= s:
                continue
            score = fuzz.ratio(needle, hay[s:e])
            if score > best[0] or (score == best[0] and e - s < best[2] - best[1]):
                best = (score, s, e)
    if best[0] < 0:
        return fuzz.ratio(needle, hay[lo:hi]), lo, hi
    return best


def _fuzzy_piece(piece: str, hay: str, offset: int) -> tuple[float, int, int]:
    """Best approximate occurrence of ``piece`` in ``hay[offset:]``."""
    from rapidfuzz import fuzz

    sub = hay[offset:]
    if not sub:
        return 0.0, offset, offset
    if len(piece) >= len(sub):
        lo, hi = offset, len(hay)
    else:
        align = fuzz.partial_ratio_alignment(piece, sub)
        if align is None:
            return 0.0, offset, offset
        lo, hi = align.dest_start + offset, align.dest_end + offset
    score, s, e = _refine_span(piece, hay, lo, hi)
    s, e = _whole_span(piece, hay, s, e)
    return max(float(score), float(fuzz.ratio(piece, hay[s:e]))), s, e


def _whole_span(piece: str, hay: str, s: int, e: int) -> tuple[int, int]:
    """Widen ``hay[s:e]`` by the excerpt's leading and trailing words it left out.

    The character ratio can prefer a passage that drops a changed first or last word ("Britain
    was ready" matched as "was ready"); an editor comparing them must see the word the page
    has instead ("Kingdom was ready"). Never across a sentence end.
    """
    needle_words, passage_words = piece.split(" "), hay[s:e].split(" ")
    blocks = [
        b for b in SequenceMatcher(None, needle_words, passage_words, autojunk=False).get_matching_blocks() if b.size
    ]
    if not blocks:
        return s, e
    first, last = blocks[0], blocks[-1]
    if first.b == 0:
        for _ in range(first.a):
            before = hay.rfind(" ", 0, max(0, s - 1))
            word = hay[before + 1 : s - 1]
            if s == 0 or not word or word.endswith(_SENTENCE_END):
                break
            s = before + 1
    if last.b + last.size == len(passage_words) and not hay[s:e].endswith(_SENTENCE_END):
        for _ in range(len(needle_words) - (last.a + last.size)):
            after = hay.find(" ", e + 1)
            after = len(hay) if after < 0 else after
            if e >= len(hay) or after <= e + 1:
                break
            e = after
            if hay[:e].endswith(_SENTENCE_END):
                break
    return s, e


def _one_word_changed(piece: str, passage: str) -> bool:
    """True when a short excerpt and its passage differ by one word changed, added or dropped."""
    needle_words, passage_words = piece.split(" "), passage.split(" ")
    if len(needle_words) < 3 or len(piece) > SHORT_EXCERPT_CHARS:
        return False
    edits = [
        op
        for op in SequenceMatcher(None, needle_words, passage_words, autojunk=False).get_opcodes()
        if op[0] != "equal"
    ]
    return len(edits) == 1 and max(edits[0][2] - edits[0][1], edits[0][4] - edits[0][3]) == 1


def _verbatim(excerpt: str, text: str) -> QuoteMatch | None:
    """The excerpt character for character in the text (most are pasted from it), found by one
    `str.find` without normalising the text; None otherwise, and for an excerpt with a gap (pieces)."""
    needle = excerpt.strip()
    if not needle or "…" in needle or _GAP_RE.search(needle) or not re.search(r"\w", needle):
        return None
    start = text.find(needle)
    return None if start < 0 else QuoteMatch("present", 100.0, needle, start, start + len(needle))


def find_excerpt(excerpt: str, text: str, *, verbatim_only: bool = False) -> QuoteMatch | None:
    """The excerpt's exact occurrence (after normalisation) as a ``present`` match, or None.

    The cheap half of :func:`verify_excerpt`: no fuzzy search, and no normalisation of the text when
    the excerpt is in it as it is. With ``verbatim_only``, only that: character for character.
    """
    verbatim = _verbatim(excerpt, text)
    if verbatim is not None or verbatim_only:
        return verbatim
    pieces = _excerpt_pieces(excerpt)
    if not pieces or not text:
        return None
    hay, starts, ends = normalise_with_spans(text)
    exact = _find_in_order(pieces, hay) if hay else None
    if exact is None:
        return None
    passage, o_start, o_end = _original_passage(text, starts, ends, exact)
    return QuoteMatch("present", 100.0, passage, o_start, o_end)


def verify_excerpt(excerpt: str, text: str, *, threshold: float = 85.0) -> QuoteMatch:
    """Check whether a citation excerpt occurs in a source text.

    Both sides are normalised (:func:`normalise_text`) so curly vs straight
    quotes, dash styles, case, ellipsis style and whitespace do not matter.
    An ellipsis in the excerpt (``...``, ``…``, ``[...]``) is a gap: every
    piece must occur, in order.

    * ``present`` – every piece occurs exactly (after normalisation).
    * ``altered`` – not exact, but the closest passage (found with
      :func:`rapidfuzz.fuzz.partial_ratio_alignment` and snapped to word
      boundaries) scores ``>= threshold`` with :func:`rapidfuzz.fuzz.ratio`;
      for gapped excerpts the score is the length-weighted mean of the pieces.
      A short excerpt (up to :data:`SHORT_EXCERPT_CHARS`) whose passage differs by one word is
      ``altered`` whatever its score. The passage covers the whole excerpt: a changed first or
      last word is part of it.
    * ``missing`` – otherwise; ``score`` is the best similarity found, but
      ``matched_passage`` is ``""`` and ``start``/``end`` are None.

    ``start``/``end`` are offsets into the original ``text`` and
    ``text[start:end] == matched_passage``.
    """
    verbatim = _verbatim(excerpt, text)
    if verbatim is not None:
        return verbatim
    pieces = _excerpt_pieces(excerpt)
    if not pieces or not text:
        return QuoteMatch("missing", 0.0, "", None, None)

    hay, starts, ends = normalise_with_spans(text)
    if not hay:
        return QuoteMatch("missing", 0.0, "", None, None)

    exact = _find_in_order(pieces, hay)
    if exact is not None:
        passage, o_start, o_end = _original_passage(text, starts, ends, exact)
        return QuoteMatch("present", 100.0, passage, o_start, o_end)

    score, span = _fuzzy_in_order(pieces, hay)
    if span is None:
        return QuoteMatch("missing", 0.0, "", None, None)
    if score < threshold and not (len(pieces) == 1 and _one_word_changed(pieces[0], hay[span[0] : span[1]])):
        return QuoteMatch("missing", score, "", None, None)
    passage, o_start, o_end = _original_passage(text, starts, ends, span)
    return QuoteMatch("altered", score, passage, o_start, o_end)


def _fuzzy_in_order(pieces: list[str], hay: str) -> tuple[float, tuple[int, int] | None]:
    """Place each piece approximately, in order; return the score and the covering span.

    The score is the length-weighted mean of the pieces' similarities; the span is
    None when not even the first piece could be placed.
    """
    total = 0.0
    pos = 0
    first: int | None = None
    last = 0
    for piece in pieces:
        score, s, e = _fuzzy_piece(piece, hay, pos)
        if e <= s:
            break
        total += score * len(piece)
        if first is None:
            first = s
        last = e
        pos = e
    if first is None:
        return 0.0, None
    # Pieces that could not be placed count as zero similarity.
    weight_all = sum(len(p) for p in pieces)
    return round(total / weight_all, 2), (first, last)


def _original_passage(text: str, starts: list[int], ends: list[int], span: tuple[int, int]) -> tuple[str, int, int]:
    """Map a normalised span back to ``(passage, start, end)`` in the original ``text``."""
    o_start, o_end = starts[span[0]], ends[span[1] - 1]
    return text[o_start:o_end], o_start, o_end
