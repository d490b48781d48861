"""Sentence-by-sentence diffs of two text snapshots, for editors to see what changed."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from sources.content.changes import stable_line
from sources.content.normalising import normalise_text

__all__ = ["DiffKind", "DiffLine", "Marked", "split_segments", "text_diff", "unified_diff", "word_changes"]

DiffKind = Literal["equal", "removed", "added"]


@dataclass(frozen=True, slots=True)
class DiffLine:
    """One sentence-level line of a snapshot diff.

    Attributes:
        kind: ``"equal"``, ``"removed"`` (only in the old snapshot) or
            ``"added"`` (only in the new snapshot).
        text: The sentence, whitespace-collapsed but otherwise as published.
        paragraph: Index of the paragraph the sentence belongs to, in the old
            snapshot for equal/removed lines and in the new one for added lines.
    """

    kind: DiffKind
    text: str
    paragraph: int

    @property
    def prefix(self) -> str:
        """``" "``, ``"-"`` or ``"+"`` as in a unified diff."""
        return {"equal": " ", "removed": "-", "added": "+"}[self.kind]

    def __str__(self) -> str:
        return f"{self.prefix} {self.text}"


_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st mt gen col lt sgt capt cmdr adm gov sen rep pres "
    "rev hon no nos vol fig art sec ch pp p ed eds est approx dept univ inc ltd co corp "
    "vs etc al cf jan feb mar apr jun jul aug sep sept oct nov dec e.g i.e u.s u.k u.n "
    "a.m p.m".split()
)
_SENTENCE_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*(?=\s+)")


def _split_sentences(paragraph: str) -> list[str]:
    """Split one paragraph into sentences, guarding common abbreviations."""
    sentences: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(paragraph):
        end = m.end()
        rest = paragraph[end:].lstrip()
        if not rest:
            break
        if not (rest[0].isupper() or rest[0].isdigit() or rest[0] in "\"'\u201c\u2018(["):
            continue
        before = paragraph[start : m.start() + 1]
        word = re.search(r"([\w.]+)\.?$", before)
        if m.group(0).startswith(".") and word:
            token = word.group(1).rstrip(".").lower()
            if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                continue
        sentence = paragraph[start:end].strip()
        if sentence:
            sentences.append(sentence)
        start = end
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def split_segments(text: str) -> list[tuple[int, str]]:
    """Split text into ``(paragraph_index, sentence)`` pairs.

    Paragraphs are separated by newlines; whitespace inside each sentence is
    collapsed to single spaces.
    """
    segments: list[tuple[int, str]] = []
    paragraphs = [p for p in re.split(r"\s*\n\s*", text.strip()) if p.strip()]
    for index, para in enumerate(paragraphs):
        para = re.sub(r"\s+", " ", para).strip()
        for sentence in _split_sentences(para):
            segments.append((index, sentence))
    return segments


def text_diff(old: str, new: str, *, ignore_volatile: bool = False) -> list[DiffLine]:
    """Diff two text snapshots sentence by sentence.

    Sentences are compared in their normalised form (so quote style,
    whitespace and case changes do not show up), but the lines returned carry
    the published wording. Every sentence of both snapshots appears once:
    unchanged ones as ``equal``, others as ``removed`` and/or ``added``
    (removed lines come before the lines that replace them).

    With ``ignore_volatile=True`` sentences are compared in their stable form
    (see :func:`stable_text`): boilerplate and timestamp-only sentences are
    left out and edits that only touch dates/times count as equal.
    """
    old_segs, old_keys = _keyed_segments(old, ignore_volatile=ignore_volatile)
    new_segs, new_keys = _keyed_segments(new, ignore_volatile=ignore_volatile)
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    out: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(DiffLine("equal", old_segs[i][1], old_segs[i][0]) for i in range(i1, i2))
            continue
        out.extend(DiffLine("removed", old_segs[i][1], old_segs[i][0]) for i in range(i1, i2))
        out.extend(DiffLine("added", new_segs[j][1], new_segs[j][0]) for j in range(j1, j2))
    return out


def _keyed_segments(text: str, *, ignore_volatile: bool) -> tuple[list[tuple[int, str]], list[str]]:
    """The sentences of ``text`` and the key each one is compared by.

    With ``ignore_volatile`` the key is the sentence's stable form, and sentences
    whose stable form is empty (boilerplate, a bare timestamp) are left out.
    """
    segments = split_segments(text)
    if not ignore_volatile:
        return segments, [normalise_text(sentence) for _, sentence in segments]
    keyed = [(segment, stable_line(segment[1])) for segment in segments]
    kept = [(segment, key) for segment, key in keyed if key]
    return [segment for segment, _ in kept], [key for _, key in kept]


def unified_diff(
    old: str,
    new: str,
    *,
    context: int = 1,
    old_label: str = "before",
    new_label: str = "after",
) -> str:
    """Return a unified diff (one sentence per line) of two text snapshots.

    Empty string when the snapshots have the same sentences.
    """
    old_lines = [s for _, s in split_segments(old)]
    new_lines = [s for _, s in split_segments(new)]
    return "\n".join(
        difflib.unified_diff(old_lines, new_lines, fromfile=old_label, tofile=new_label, n=context, lineterm="")
    )


#: One piece of a text for word-level marking: the text (a word or the spaces between) and
#: whether it differs from the other text.
Marked = list[tuple[str, bool]]
_TOKEN_RE = re.compile(r"\S+|\s+")


def word_changes(old: str, new: str) -> tuple[Marked, Marked]:
    """Both texts split into words and spaces, each word marked when the other text lacks it.

    Words are compared in their normalised form (:func:`normalise_text`), so curly quotes, dash
    styles and case are not marked; what is marked is what an editor must look at: the words the
    excerpt has and the page does not (in ``old``), and the other way round (in ``new``).
    """
    old_tokens, new_tokens = _TOKEN_RE.findall(old or ""), _TOKEN_RE.findall(new or "")
    old_words = [i for i, token in enumerate(old_tokens) if not token.isspace()]
    new_words = [i for i, token in enumerate(new_tokens) if not token.isspace()]
    matcher = difflib.SequenceMatcher(
        None,
        [normalise_text(old_tokens[i]) for i in old_words],
        [normalise_text(new_tokens[i]) for i in new_words],
        autojunk=False,
    )
    changed_old: set[int] = set()
    changed_new: set[int] = set()
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            changed_old.update(old_words[i1:i2])
            changed_new.update(new_words[j1:j2])
    return (
        [(token, i in changed_old) for i, token in enumerate(old_tokens)],
        [(token, i in changed_new) for i, token in enumerate(new_tokens)],
    )
