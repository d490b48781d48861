"""Whether a citation's excerpt still occurs in its source text: present, altered or missing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sources.content.normalising import normalise_text, normalise_with_spans

__all__ = ["QuoteMatch", "QuoteStatus", "verify_excerpt"]

QuoteStatus = Literal["present", "altered", "missing"]


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
        return self.status != "missing"


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
    return float(score), s, e


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
    * ``missing`` – otherwise; ``score`` is the best similarity found, but
      ``matched_passage`` is ``""`` and ``start``/``end`` are None.

    ``start``/``end`` are offsets into the original ``text`` and
    ``text[start:end] == matched_passage``.
    """
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
    if score < threshold:
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
