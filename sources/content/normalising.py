"""Normalised forms of text.

The comparison form (:func:`normalise_text`: NFKC, straight quotes, ASCII dashes,
collapsed whitespace, case folded), optionally with the offsets of each normalised
character in the original text, and the display form of a short value read from
a page's markup (:func:`clean_value`).
"""

from __future__ import annotations

import functools
import html as _html
import re
import unicodedata
from typing import Any

__all__ = ["clean_value", "comparison_form", "normalise_text", "normalise_with_map", "normalise_with_spans"]

_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u2035\u2039\u203a\u02bc\u02bb\u0060\u00b4\uff07\u275b\u275c"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb\u301d\u301e\u301f\uff02\u275d\u275e"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d\u2e3a\u2e3b"
#: Characters removed entirely (zero-width and invisible formatting).
_ZERO_WIDTH = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e"

_CHAR_MAP: dict[int, str | None] = {}
_CHAR_MAP.update({ord(c): "'" for c in _SINGLE_QUOTES})
_CHAR_MAP.update({ord(c): '"' for c in _DOUBLE_QUOTES})
_CHAR_MAP.update({ord(c): "-" for c in _DASHES})
_CHAR_MAP.update({ord(c): "" for c in _ZERO_WIDTH})
_CHAR_MAP[ord("\u2026")] = "..."
_CHAR_MAP[ord("\u2034")] = '"'  # triple prime: closest is a double quote


def _normalise_cluster(cluster: str) -> str:
    """Normalise one base character plus its combining marks."""
    s = cluster.translate(_CHAR_MAP)
    if not s:
        return ""
    s = unicodedata.normalize("NFKC", s).translate(_CHAR_MAP)
    return s.casefold()


# Words of printable ASCII separated by single spaces: NFKC leaves them alone, casefold is lower(),
# one character each (a single space between two words is its own whitespace run).
_ASCII_RUN = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")
_ASCII_SPACE_RUN = re.compile(r"[ \t\n\r\f\v]+")


def _normalise_spans(text: str) -> tuple[str, list[int], list[int]]:
    """Normalise ``text`` and record, per output char, its source span.

    Returns ``(normalised, starts, ends)`` where ``text[starts[i]:ends[i]]`` is
    the original character cluster (or whitespace run) that produced
    ``normalised[i]``.

    Runs of ASCII words and of ASCII whitespace, most of any Western text, are taken whole
    (lower-cased, one span per character); every other character goes through the per-cluster
    rules. A news article is normalised several times faster so, with the same result.
    """
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pending_space: tuple[int, int] | None = None  # span of a whitespace run
    n = len(text)
    i = 0
    while i < n:
        space = _ASCII_SPACE_RUN.match(text, i)
        # A run's last character belongs to the cluster of a combining mark after it.
        stop = (space.end() - 1 if _combining_at(text, space.end()) else space.end()) if space else i
        if stop > i:
            pending_space = (i if pending_space is None else pending_space[0], stop)
            i = stop
            continue
        run = _ASCII_RUN.match(text, i)
        end = (run.end() - 1 if _combining_at(text, run.end()) else run.end()) if run else i
        if end > i:
            pending_space = _flush_space(out, starts, ends, pending_space)
            out.append(text[i:end].lower())
            starts.extend(range(i, end))
            ends.extend(range(i + 1, end + 1))
            i = end
            continue
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        norm = _normalise_cluster(text[i:j])
        if norm.isspace():
            pending_space = (i if pending_space is None else pending_space[0], j)
        elif norm:  # not zero-width / invisible
            pending_space = _flush_space(out, starts, ends, pending_space)
            for ch in norm:
                if ch.isspace():  # e.g. NFKC of U+00B4 yields " \u0301"
                    ch = " "
                    if out and out[-1].endswith(" "):
                        continue
                out.append(ch)
                starts.append(i)
                ends.append(j)
        i = j
    normalised = "".join(out)
    # A trailing whitespace run is simply not emitted (stripped).
    stripped = normalised.rstrip(" ")
    del starts[len(stripped) :], ends[len(stripped) :]
    return stripped, starts, ends


def _combining_at(text: str, index: int) -> bool:
    return index < len(text) and bool(unicodedata.combining(text[index]))


def _flush_space(out: list[str], starts: list[int], ends: list[int], pending: tuple[int, int] | None) -> None:
    """Emit one space for a pending whitespace run (never a leading one); the run is then done."""
    if pending is not None and out:
        out.append(" ")
        starts.append(pending[0])
        ends.append(pending[1])


# verify_excerpt runs once per citation against the same source text; normalising a long article is
# a per-character Python loop, so keep the last few results (read-only: callers only index them).
normalise_with_spans = functools.lru_cache(maxsize=8)(_normalise_spans)


def normalise_with_map(text: str) -> tuple[str, list[int]]:
    """Normalise ``text`` and return an index map back into the original.

    The normalised form is the same as :func:`normalise_text`. The map has
    one entry per normalised character: ``index_map[i]`` is the offset in
    ``text`` of the character (or the first character of the whitespace run)
    that produced ``normalised[i]``. A normalised span ``[a, b)`` therefore
    starts at ``index_map[a]`` in the original; :func:`verify_excerpt` uses the
    matching end offsets internally so a span maps back exactly.
    """
    normalised, starts, _ = _normalise_spans(text)
    return normalised, starts


def normalise_text(text: str) -> str:
    """Return the comparison form of ``text``.

    Applies Unicode NFKC; maps curly/angled quotes and primes to ``'`` and
    ``"``; maps every dash and minus sign to ``-``; expands ``…`` to ``...``;
    removes zero-width characters and soft hyphens; collapses every run of
    whitespace (including non-breaking and other Unicode spaces) to a single
    space; case folds; strips.
    """
    return _normalise_spans(text)[0]


def comparison_form(text: str) -> str:
    """:func:`normalise_text` done on the whole string at once, without an offset map: ten times faster.

    The same result on any real text; it differs only on degenerate input (a combining mark right
    after whitespace, a zero-width character inside a cluster, decomposed Hangul jamo), where
    composing across the whole string joins what the per-character form keeps apart. Used where a
    text is only compared with texts normalised the same way (fingerprints), never to locate an
    excerpt, whose offsets need :func:`normalise_with_spans`.
    """
    folded = unicodedata.normalize("NFKC", text.translate(_CHAR_MAP)).translate(_CHAR_MAP).casefold()
    return " ".join(folded.split())


def clean_value(value: Any) -> str | None:
    """Unescape entities, collapse whitespace; None for empty/non-strings."""
    if not isinstance(value, str):
        return None
    value = re.sub(r"\s+", " ", _html.unescape(value)).strip()
    return value or None
