"""Content utilities for archived source documents.

Everything in this module is a pure function and independent of Django, so it
can be used from models, management commands, Celery tasks and tests alike.

It covers five concerns:

* **Extraction** – :func:`extract_main_text` pulls the article body out of an
  HTML page (trafilatura, with a plain-text fallback).
* **Normalisation** – :func:`normalise_text` / :func:`normalise_with_map`
  produce a comparison form of a text (NFKC, straight quotes, ASCII dashes,
  collapsed whitespace, case folded), the latter with an index map back to the
  original text.
* **Change detection** – :func:`stable_text`, :func:`fingerprint`,
  :func:`is_material_change`, :func:`text_diff` and :func:`unified_diff` tell
  whether a re-fetched page changed in substance and show editors what changed.
* **Quote verification** – :func:`verify_excerpt` checks that a citation's
  excerpt still occurs in the source text (``present``), occurs in a slightly
  reworded form (``altered``) or not at all (``missing``).
* **Metadata** – :func:`extract_metadata` reads title, publisher, author,
  publication date, canonical URL and language from JSON-LD, OpenGraph,
  standard meta tags and the document itself.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import functools
import hashlib
import html as _html
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urljoin

__all__ = [
    "DiffLine",
    "PageMetadata",
    "QuoteMatch",
    "extract_main_text",
    "extract_metadata",
    "fingerprint",
    "is_material_change",
    "normalise_text",
    "normalise_with_map",
    "parse_date",
    "split_segments",
    "stable_text",
    "text_diff",
    "unified_diff",
    "verify_excerpt",
]

# ---------------------------------------------------------------------------
# Main text extraction
# ---------------------------------------------------------------------------

_TAG_RE = re.compile(r"<\s*(?:[a-zA-Z][a-zA-Z0-9:-]*|!doctype|!--)[\s>/]", re.IGNORECASE)

#: Elements whose content is never part of the readable text.
_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "object",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "select",
    "head",
)
#: Elements that start a new line in the plain-text fallback.
_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    }
)


def looks_like_html(text: str) -> bool:
    """Return True when ``text`` appears to contain HTML markup."""
    return bool(_TAG_RE.search(text[:20000]))


def _clean_plain_text(text: str) -> str:
    """Tidy a plain-text body: unify newlines, trim lines, squeeze blank runs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [re.sub(r"[ \t\f\v\u00a0]+", " ", line).strip() for line in text.split("\n")]
    out = "\n".join(lines)
    out = re.sub(r"\n{3,}", "\n\n", out)
    return out.strip()


def _html_to_plain_text(html: str) -> str:
    """Crude but robust HTML-to-text conversion used when trafilatura fails.

    Scripts, styles and obvious chrome (nav, header, footer, aside, forms) are
    dropped; block-level elements become line breaks.
    """
    try:
        import lxml.html

        root = lxml.html.fromstring(html)
    except Exception:  # lxml raises ParserError on empty/odd documents
        stripped = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", html)
        stripped = re.sub(r"(?s)<[^>]+>", " ", stripped)
        return _clean_plain_text(_html.unescape(stripped))

    for bad in root.xpath("|".join(f"//{t}" for t in _DROP_TAGS)):
        if bad.getparent() is not None:
            bad.drop_tree()  # keeps the tail text
    for node in root.xpath("//comment() | //processing-instruction()"):
        if node.getparent() is not None:
            node.drop_tree()

    parts: list[str] = []

    def walk(el: Any) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        block = tag.lower() in _BLOCK_TAGS
        if block:
            parts.append("\n")
        if el.text and tag:
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    try:
        walk(root)
    except RecursionError:  # absurdly deep markup: lose block structure only
        return _clean_plain_text(root.text_content())
    return _clean_plain_text("".join(parts))


def extract_main_text(html: str, *, url: str | None = None) -> str:
    """Return the main readable text of a fetched document.

    HTML is run through trafilatura tuned for precision (no comments, no
    tables, no images, no links; trafilatura's stateful deduplication is
    off so the result depends only on the input). If trafilatura finds nothing,
    a plain strip of the page (without script/style/nav/header/footer/aside)
    is returned instead. Bodies that contain no markup at all are treated as
    plain text and passed through with only newline/whitespace tidying.

    Args:
        html: The raw document (HTML or plain text).
        url: The document's URL, passed to trafilatura as a hint.

    Returns:
        The extracted text, paragraphs separated by newlines ("" if empty).
    """
    if not html or not html.strip():
        return ""
    if not looks_like_html(html):
        return _clean_plain_text(html)

    text: str | None = None
    try:
        import trafilatura

        text = trafilatura.extract(
            html,
            url=url,
            favor_precision=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            include_formatting=False,
            # NB: trafilatura's ``deduplicate`` uses a process-wide cache, which
            # would make repeated extractions of the same page lose text.
            deduplicate=False,
            output_format="txt",
        )
    except Exception:  # pragma: no cover - defensive: never fail a fetch here
        text = None
    if text and text.strip():
        return _clean_plain_text(text)
    return _html_to_plain_text(html)


# ---------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------

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


def _iter_clusters(text: str) -> Iterator[tuple[int, int]]:
    """Yield ``(start, end)`` of each base character with its combining marks."""
    n = len(text)
    i = 0
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        yield i, j
        i = j


def _normalise_spans(text: str) -> tuple[str, list[int], list[int]]:
    """Normalise ``text`` and record, per output char, its source span.

    Returns ``(normalised, starts, ends)`` where ``text[starts[i]:ends[i]]`` is
    the original character cluster (or whitespace run) that produced
    ``normalised[i]``.
    """
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pending_space: tuple[int, int] | None = None  # span of a whitespace run
    for s, e in _iter_clusters(text):
        norm = _normalise_cluster(text[s:e])
        if not norm:
            continue  # zero-width / invisible
        if norm.isspace():
            if pending_space is None:
                pending_space = (s, e)
            else:
                pending_space = (pending_space[0], e)
            continue
        if pending_space is not None:
            if out:  # no leading space
                out.append(" ")
                starts.append(pending_space[0])
                ends.append(pending_space[1])
            pending_space = None
        for ch in norm:
            if ch.isspace():  # e.g. NFKC of U+00B4 yields " \u0301"
                ch = " "
                if out and out[-1] == " ":
                    continue
            out.append(ch)
            starts.append(s)
            ends.append(e)
    # A trailing whitespace run is simply not emitted (stripped).
    while out and out[-1] == " ":
        out.pop()
        starts.pop()
        ends.pop()
    return "".join(out), starts, ends


# verify_excerpt runs once per citation against the same source text; normalising a long article is
# a per-character Python loop, so keep the last few results (read-only: callers only index them).
_normalise_spans_cached = functools.lru_cache(maxsize=8)(_normalise_spans)


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


# ---------------------------------------------------------------------------
# Stable form and fingerprint
# ---------------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
    r"aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)"
_DAY = r"(?:[0-3]?\d(?:st|nd|rd|th)?)"
_YEAR = r"(?:1[89]\d\d|2\d\d\d)"
_TZ = (
    r"(?:\s*\(?(?:gmt|utc|bst|cet|cest|eet|eest|est|edt|cst|cdt|mst|mdt|pst|pdt|et|pt|ist|aest|aedt|z)\)?"
    r"(?:\s*[+-]\s*\d{1,2}(?::?\d\d)?)?)"
)

_VOLATILE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        # ISO 8601 date, optionally with time and zone.
        r"\b\d{4}-\d\d-\d\d(?:[t ]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:z|[+-]\d\d:?\d\d)?)?\b",
        # 3 March 2025 / Monday, 3rd March, 2025 / 3 mar. 2025
        rf"\b{_WEEKDAY}?{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b",
        # March 3, 2025 / Feb. 18, 2025 / Tuesday, February 18 2025
        rf"\b{_WEEKDAY}?{_MONTH}\s+{_DAY},?\s+{_YEAR}\b",
        # Weekday + day + month without year: "Tuesday 18 February"
        rf"\b{_WEEKDAY}{_DAY}\s+{_MONTH}(?![a-z])",
        rf"\b{_WEEKDAY}{_MONTH}\s+{_DAY}\b",
        # Numeric dates 18/02/2025, 2/18/25, 18.02.2025, 2025/02/18
        r"\b\d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d\d)\b",
        r"\b\d{4}/\d{1,2}/\d{1,2}\b",
        # Times: 12:34, 12:34:56, 9:05 pm, 9.05am, 9am, with optional zone.
        rf"\b\d{{1,2}}:\d\d(?::\d\d)?(?:\s*(?:am|pm|a\.m\.|p\.m\.))?{_TZ}?(?![\w:])",
        rf"\b\d{{1,2}}(?:\.\d\d)?\s*(?:am|pm|a\.m\.|p\.m\.){_TZ}?(?!\w)",
        # "14.00 GMT" (dotted time only when a zone follows).
        rf"\b\d{{1,2}}\.\d\d{_TZ}(?!\w)",
        # Relative times: "2 hours ago", "an hour ago", "just now", "5 min read".
        r"\b(?:\d+|an?|one|few)\s+(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|h|m|days?|weeks?|months?|years?)\s+ago\b",
        r"\bjust now\b",
        r"\b\d+\s*(?:-\s*)?(?:min(?:ute)?s?)\s+read\b",
    )
)

_MARK = "\x00"
_LABELLED_MARK = re.compile(
    r"(?:\b(?:(?:last|first|originally)\s+)?(?:updated|published|posted|modified|edited|"
    r"reviewed|last\s+modified|date)\b(?:\s+(?:on|at))?[\s:,|\-]*)" + _MARK
)
_MARK_RUN = re.compile(_MARK + r"(?:[\s,;:|/\-@.\u00b7()]*(?:\b(?:at|on)\b)?[\s,;:|/\-@.\u00b7()]*" + _MARK + r")+")
#: Lines that, once volatile parts are gone, contain only these are dropped.
_LABEL_ONLY = re.compile(
    r"^(?:[\W_]|\b(?:last|first|originally|updated|published|posted|modified|edited|"
    r"reviewed|date|on|at|by|time)\b)*$"
)

#: Whole-line boilerplate (matched against a normalised line).
_BOILERPLATE_LINES: tuple[tuple[re.Pattern[str], int], ...] = tuple(
    (re.compile(p), max_len)
    for p, max_len in (
        # Cookie / consent notices.
        (r"\b(?:we|this (?:web)?site|our (?:web)?site|(?:web)?site) uses? cookies\b", 400),
        (
            r"\bcookies?\b.{0,60}\b(?:consent|privacy|your experience|settings|preferences|policy|"
            r"browsing|continuing to|manage|accept)\b",
            300,
        ),
        (r"\b(?:accept|reject|decline|manage|allow|use of)(?: all| necessary| optional| our)? cookies\b", 300),
        (r"^(?:accept|accept all|reject all|i agree|agree|ok|got it|manage (?:preferences|options|settings))$", 40),
        # Newsletters / subscriptions.
        (r"\b(?:sign up|signup|subscribe)\b.*\bnewsletters?\b", 250),
        (r"\bnewsletters?\b.*\b(?:sign up|subscribe|inbox|email)\b", 250),
        (r"^(?:subscribe|sign up|sign in|log in|login|register)\b.{0,80}$", 100),
        # Sharing and social.
        (
            r"^(?:share|share this|share this (?:article|story|page|post)|share on \w+|"
            r"share via \w+|tweet|email|print|copy link|copy link to clipboard|link copied)\b[\W\w]{0,60}$",
            80,
        ),
        (r"^(?:follow us|follow us on)\b.{0,80}$", 100),
        # Advertising.
        (
            r"^(?:advertisement|advertisements|advert|sponsored|sponsored content|ad|ads|"
            r"story continues below(?: this)? advertisement|article continues below(?: this)? (?:advertisement|ad)|"
            r"continue reading below|skip advertisement|paid content|promoted)[\W]*$",
            80,
        ),
        # Copyright lines.
        (r"^(?:\(c\)|\u00a9|copyright\b)", 250),
        (r"\ball rights reserved\b", 250),
        # Read-more / related link blocks.
        (
            r"^(?:read more|read next|read also|also read|more on this story|"
            r"related(?: articles| stories| content| topics)?|"
            r"recommended(?: for you)?|most read|most popular|you may also like|see also|more from)\b.{0,150}$",
            170,
        ),
        (
            r"^(?:skip to (?:main )?content|jump to content|back to top|top of page|"
            r"image (?:source|caption)|image:|photo:|getty images|reuters|ap photo)\b.{0,80}$",
            100,
        ),
    )
)


def _strip_volatile(line: str) -> str:
    """Remove dates, times and relative timestamps from a normalised line."""
    for pat in _VOLATILE_PATTERNS:
        line = pat.sub(_MARK, line)
    if _MARK not in line:
        return line
    line = _MARK_RUN.sub(_MARK, line)
    line = _LABELLED_MARK.sub(_MARK, line)
    if _LABEL_ONLY.match(line.replace(_MARK, " ")):
        return ""
    line = line.replace(_MARK, "")
    return re.sub(r" {2,}", " ", line).strip()


def _is_boilerplate(line: str) -> bool:
    """Return True for a normalised line that is only site boilerplate."""
    for pat, max_len in _BOILERPLATE_LINES:
        if len(line) <= max_len and pat.search(line):
            return True
    return False


def stable_text(text: str) -> str:
    """Return the volatility-free comparison form of a page's text.

    The text is split into lines; each line is normalised
    (:func:`normalise_text`); lines that are typical boilerplate (cookie
    notices, newsletter prompts, share buttons, "Advertisement", copyright
    lines, "Read more" links...) are dropped; dates, times and relative
    timestamps ("2 hours ago") are removed, and lines left with only a label
    such as "Updated" are dropped. The remaining lines are joined with single
    spaces, so re-wrapping paragraphs does not change the result either.

    Note that dates are removed everywhere, so a correction that changes only
    a date in the body is not considered a material change (see
    :func:`text_diff` to display such edits).
    """
    if looks_like_html(text):
        text = extract_main_text(text)
    kept: list[str] = []
    for raw in re.split(r"[\r\n\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85]+", text):
        line = normalise_text(raw)
        if not line or _is_boilerplate(line):
            continue
        line = _strip_volatile(line)
        if line and not _is_boilerplate(line):
            kept.append(line)
    return " ".join(kept)


def fingerprint(text: str) -> str:
    """Return the SHA-256 hex digest of :func:`stable_text` of ``text``.

    Two snapshots of a page that differ only in whitespace, quote/dash style,
    case, timestamps or boilerplate lines have the same fingerprint.
    """
    return hashlib.sha256(stable_text(text).encode("utf-8")).hexdigest()


def is_material_change(old: str, new: str) -> bool:
    """Return True when two snapshots differ beyond volatile/boilerplate noise."""
    return stable_text(old) != stable_text(new)


# ---------------------------------------------------------------------------
# Diffs
# ---------------------------------------------------------------------------

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


def _stable_segment(sentence: str) -> str:
    """Stable comparison key of one sentence ("" for boilerplate/date-only)."""
    line = normalise_text(sentence)
    if not line or _is_boilerplate(line):
        return ""
    line = _strip_volatile(line)
    return "" if not line or _is_boilerplate(line) else line


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
    old_segs = split_segments(old)
    new_segs = split_segments(new)
    if ignore_volatile:
        old_pairs = [(seg, _stable_segment(seg[1])) for seg in old_segs]
        new_pairs = [(seg, _stable_segment(seg[1])) for seg in new_segs]
        old_segs = [seg for seg, key in old_pairs if key]
        new_segs = [seg for seg, key in new_pairs if key]
        old_keys = [key for _, key in old_pairs if key]
        new_keys = [key for _, key in new_pairs if key]
    else:
        old_keys = [normalise_text(s) for _, s in old_segs]
        new_keys = [normalise_text(s) for _, s in new_segs]
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    out: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(DiffLine("equal", old_segs[i][1], old_segs[i][0]) for i in range(i1, i2))
            continue
        out.extend(DiffLine("removed", old_segs[i][1], old_segs[i][0]) for i in range(i1, i2))
        out.extend(DiffLine("added", new_segs[j][1], new_segs[j][0]) for j in range(j1, j2))
    return out


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


# ---------------------------------------------------------------------------
# Quote verification
# ---------------------------------------------------------------------------

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

    hay, starts, ends = _normalise_spans_cached(text)
    if not hay:
        return QuoteMatch("missing", 0.0, "", None, None)

    def to_original(a: int, b: int) -> tuple[str, int, int]:
        o_start, o_end = starts[a], ends[b - 1]
        return text[o_start:o_end], o_start, o_end

    exact = _find_in_order(pieces, hay)
    if exact is not None:
        passage, o_start, o_end = to_original(*exact)
        return QuoteMatch("present", 100.0, passage, o_start, o_end)

    total = 0.0
    weight = 0
    pos = 0
    first: int | None = None
    last = 0
    for piece in pieces:
        score, s, e = _fuzzy_piece(piece, hay, pos)
        if e <= s:
            break
        total += score * len(piece)
        weight += len(piece)
        if first is None:
            first = s
        last = e
        pos = e
    if first is None or weight == 0:
        return QuoteMatch("missing", 0.0, "", None, None)
    # Pieces that could not be placed count as zero similarity.
    weight_all = sum(len(p) for p in pieces)
    score = round(total / weight_all, 2)
    if score < threshold:
        return QuoteMatch("missing", score, "", None, None)
    passage, o_start, o_end = to_original(first, last)
    return QuoteMatch("altered", score, passage, o_start, o_end)


# ---------------------------------------------------------------------------
# Metadata
# ---------------------------------------------------------------------------

Precision = Literal["day", "month", "year"]


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """Bibliographic metadata of a web page.

    ``published_on`` is a :class:`datetime.date`; when only the month or year
    is known it is the first day of that month/year and ``published_precision``
    says so (``"day"``, ``"month"`` or ``"year"``; None when there is no date).
    """

    title: str | None = None
    publisher: str | None = None
    author: str | None = None
    published_on: _dt.date | None = None
    canonical_url: str | None = None
    language: str | None = None
    published_precision: Precision | None = None


_ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "asknewsarticle",
        "askpublicnewsarticle",
        "blogposting",
        "liveblogposting",
        "scholarlyarticle",
        "report",
        "techarticle",
        "socialmediaposting",
        "satiricalarticle",
        "advertisercontentarticle",
        "medicalscholarlyarticle",
    }
)
_ORG_TYPES = frozenset({"organization", "newsmediaorganization", "corporation", "governmentorganization"})

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}


def _clean(value: Any) -> str | None:
    """Unescape entities, collapse whitespace; None for empty/non-strings."""
    if not isinstance(value, str):
        return None
    value = re.sub(r"\s+", " ", _html.unescape(value)).strip()
    return value or None


def _safe_date(y: int, m: int = 1, d: int = 1) -> _dt.date | None:
    try:
        return _dt.date(y, m, d)
    except ValueError:
        return None


def parse_date(value: str | None) -> tuple[_dt.date | None, Precision | None]:
    """Parse a published date string and report its precision.

    Accepts ISO 8601 (``2025-02-18``, ``2025-02-18T10:00:00+01:00``,
    ``2025-02``, ``2025``), ``2025/02/18``, ``20250218``, ``18 February 2025``,
    ``Feb. 18, 2025``, ``February 2025``. The date is taken as written (no
    time-zone conversion).

    Returns ``(date, precision)`` or ``(None, None)``.
    """
    if not value:
        return None, None
    v = _html.unescape(value).strip().lower()
    m = re.match(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[t\s_])", v)
    if m:
        d = _safe_date(int(m[1]), int(m[2]), int(m[3]))
        return (d, "day") if d else (None, None)
    m = re.match(r"^(\d{4})(\d\d)(\d\d)(?:$|t)", v)
    if m:
        d = _safe_date(int(m[1]), int(m[2]), int(m[3]))
        return (d, "day") if d else (None, None)
    m = re.match(r"^(\d{4})[-/](\d{1,2})$", v)
    if m:
        d = _safe_date(int(m[1]), int(m[2]))
        return (d, "month") if d else (None, None)
    m = re.match(r"^(\d{4})$", v)
    if m:
        d = _safe_date(int(m[1]))
        return (d, "year") if d else (None, None)
    m = re.match(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$", v)
    if m:  # ambiguous; assume day-first unless impossible
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        d = _safe_date(y, b, a) or _safe_date(y, a, b)
        return (d, "day") if d else (None, None)
    v = re.sub(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", "", v)
    month_re = r"([a-z]{3})[a-z]*\.?"
    m = re.match(rf"^(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{month_re},?\s+(\d{{4}})\b", v)
    if m and m[2] in _MONTHS:
        d = _safe_date(int(m[3]), _MONTHS[m[2]], int(m[1]))
        return (d, "day") if d else (None, None)
    m = re.match(rf"^{month_re}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", v)
    if m and m[1] in _MONTHS:
        d = _safe_date(int(m[3]), _MONTHS[m[1]], int(m[2]))
        return (d, "day") if d else (None, None)
    m = re.match(rf"^{month_re},?\s+(\d{{4}})$", v)
    if m and m[1] in _MONTHS:
        return _safe_date(int(m[2]), _MONTHS[m[1]]), "month"
    return None, None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _types(node: dict[str, Any]) -> set[str]:
    return {t.lower() for t in _as_list(node.get("@type")) if isinstance(t, str)}


def _walk_jsonld(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Yield every dict node of a JSON-LD document, depth first, in order.

    Covers top-level lists, ``@graph`` arrays and nested nodes (e.g. a
    ``WebPage`` whose ``mainEntity`` is the ``NewsArticle``).
    """
    if depth > 12:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk_jsonld(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for value in data.values():
            if isinstance(value, (dict, list)):
                yield from _walk_jsonld(value, depth + 1)


def _load_jsonld(raw: str) -> Any | None:
    """Parse a JSON-LD script body; None when it is malformed."""
    raw = raw.strip()
    raw = re.sub(r"^(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>$", "", raw).strip()
    raw = re.sub(r"^<!--|-->$", "", raw).strip()
    if not raw:
        return None
    try:
        return json.loads(raw, strict=False)
    except (ValueError, RecursionError):
        return None


def _node_names(value: Any, by_id: dict[str, dict[str, Any]]) -> list[str]:
    """Names from a JSON-LD Person/Organization value (str, dict, list, @id ref)."""
    names: list[str] = []
    for item in _as_list(value):
        if isinstance(item, str):
            name = _clean(item)
            if name and not re.match(r"^https?://", name):
                names.append(name)
        elif isinstance(item, dict):
            node = item
            if "name" not in node and isinstance(node.get("@id"), str):
                node = by_id.get(node["@id"], node)
            name = node.get("name")
            if isinstance(name, list):
                name = next((n for n in name if isinstance(n, str)), None)
            if isinstance(name, dict):
                name = name.get("@value")
            cleaned = _clean(name)
            if cleaned:
                names.append(cleaned)
    # Deduplicate, keep order.
    return list(dict.fromkeys(names))


def _jsonld_fields(docs: Iterable[Any]) -> dict[str, Any]:
    """Collect metadata fields from parsed JSON-LD documents."""
    nodes = [n for doc in docs for n in _walk_jsonld(doc)]
    by_id: dict[str, dict[str, Any]] = {}
    for n in nodes:  # keep the fullest node per @id, not a bare reference
        node_id = n.get("@id")
        if isinstance(node_id, str) and len(n) > len(by_id.get(node_id, {})):
            by_id[node_id] = n
    article = next((n for n in nodes if _types(n) & _ARTICLE_TYPES), None)
    fields: dict[str, Any] = {}
    if article is None:
        return fields
    headline = article.get("headline") or article.get("name")
    if isinstance(headline, list):
        headline = next((h for h in headline if isinstance(h, str)), None)
    fields["title"] = _clean(headline)
    publisher = _node_names(article.get("publisher"), by_id)
    if not publisher:
        org = next((n for n in nodes if _types(n) & _ORG_TYPES), None)
        publisher = _node_names(org, by_id) if org else []
    fields["publisher"] = publisher[0] if publisher else None
    authors = _node_names(article.get("author"), by_id)
    fields["author"] = ", ".join(authors) if authors else None
    date_value = article.get("datePublished") or article.get("dateCreated")
    fields["date"] = date_value if isinstance(date_value, str) else None
    lang = article.get("inLanguage")
    if isinstance(lang, dict):
        lang = lang.get("alternateName") or lang.get("name")
    fields["language"] = _clean(lang)
    url = article.get("url")
    if not isinstance(url, str):
        page = article.get("mainEntityOfPage")
        url = page.get("@id") if isinstance(page, dict) else page
    fields["url"] = _clean(url) if isinstance(url, str) else None
    return fields


def _flip_name(name: str) -> str:
    """Turn a bibliographic "Last, First" into "First Last" (else unchanged)."""
    m = re.match(r"^([^,]+),\s*([^,]+)$", name)
    if not m or re.fullmatch(r"(?i)(?:jr|sr|[ivx]+)\.?", m[2].strip()):
        return name
    return f"{m[2].strip()} {m[1].strip()}"


def _first(*values: str | None) -> str | None:
    return next((v for v in values if v), None)


def extract_metadata(html: str, *, url: str | None = None) -> PageMetadata:
    """Extract bibliographic metadata from an HTML page.

    Sources, highest precedence first: JSON-LD (``Article``/``NewsArticle``/
    ``ReportageNewsArticle``/... nodes, including ``@graph`` arrays, lists and
    ``@id`` references; malformed blocks are skipped), OpenGraph
    (``og:title``, ``og:site_name``, ``article:published_time``,
    ``article:author``, ``og:url``, ``og:locale``), standard meta tags
    (``author``, ``citation_*``, ``dc.*``/``dcterms.*``, ``parsely-*``,
    ``twitter:title``...), then the document itself (``<title>``,
    ``<html lang>``).

    The canonical URL comes from ``<link rel="canonical">`` first, then
    ``og:url``, the JSON-LD ``url``/``mainEntityOfPage``, then ``url``;
    relative values are resolved against ``url``.
    """
    if not html or not html.strip():
        return PageMetadata(canonical_url=url)
    try:
        import lxml.html

        root = lxml.html.fromstring(html)
    except Exception:
        return PageMetadata(canonical_url=url)

    # --- meta tags (property/name/itemprop -> list of contents, lower-cased keys)
    meta: dict[str, list[str]] = {}
    for el in root.iter("meta"):
        content = _clean(el.get("content"))
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = el.get(attr)
            if key:
                for k in key.lower().split():
                    meta.setdefault(k, []).append(content)

    def m(*keys: str) -> str | None:
        for k in keys:
            vals = meta.get(k)
            if vals:
                return vals[0]
        return None

    def m_all(key: str) -> list[str]:
        return list(dict.fromkeys(meta.get(key, [])))

    # --- JSON-LD
    docs = []
    for script in root.iter("script"):
        if (script.get("type") or "").split(";")[0].strip().lower() == "application/ld+json":
            doc = _load_jsonld(script.text or "")
            if doc is not None:
                docs.append(doc)
    try:
        ld = _jsonld_fields(docs)
    except Exception:  # pathological JSON-LD must never break metadata
        ld = {}

    # --- document-level fallbacks
    title_el = root.find(".//title")
    doc_title = _clean(title_el.text_content()) if title_el is not None else None
    html_el = root if root.tag == "html" else root.getroottree().getroot()
    doc_lang = _clean(html_el.get("lang") or html_el.get("xml:lang")) if html_el is not None else None
    canonical = None
    for link in root.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        if "canonical" in rels and link.get("href"):
            canonical = _clean(link.get("href"))
            break

    def not_url(value: str | None) -> str | None:
        return None if value and re.match(r"^https?://", value) else value

    og_authors = [a for a in m_all("article:author") if not_url(a)]
    meta_authors = (
        [_flip_name(a) for a in m_all("citation_author")]
        or m_all("dc.creator")
        or m_all("dcterms.creator")
        or m_all("author")
        or m_all("parsely-author")
        or m_all("sailthru.author")
    )
    title = _first(
        ld.get("title"),
        m("og:title"),
        m("citation_title", "dc.title", "dcterms.title", "parsely-title", "twitter:title", "headline"),
        doc_title,
    )
    publisher = _first(
        ld.get("publisher"),
        m("og:site_name"),
        m(
            "citation_publisher",
            "citation_journal_title",
            "dc.publisher",
            "dcterms.publisher",
            "publisher",
            "application-name",
        ),
    )
    author = _first(
        ld.get("author"),
        ", ".join(og_authors) if og_authors else None,
        ", ".join(meta_authors) if meta_authors else None,
    )

    published_on: _dt.date | None = None
    precision: Precision | None = None
    for candidate in (
        ld.get("date"),
        m("article:published_time", "og:published_time"),
        m(
            "citation_publication_date",
            "citation_date",
            "citation_online_date",
            "dc.date",
            "dc.date.issued",
            "dcterms.date",
            "dcterms.issued",
            "dcterms.created",
            "parsely-pub-date",
            "sailthru.date",
            "pubdate",
            "publishdate",
            "publish-date",
            "date",
            "datepublished",
            "article.published",
        ),
    ):
        published_on, precision = parse_date(candidate)
        if published_on:
            break

    og_locale = m("og:locale")
    language = _first(
        ld.get("language"),
        og_locale.replace("_", "-") if og_locale else None,
        m("content-language", "dc.language", "dcterms.language", "citation_language", "language"),
        doc_lang,
    )

    canonical = _first(canonical, m("og:url"), ld.get("url"), url)
    if canonical and url:
        canonical = urljoin(url, canonical)

    return PageMetadata(
        title=title,
        publisher=publisher,
        author=author,
        published_on=published_on,
        canonical_url=canonical,
        language=language,
        published_precision=precision if published_on else None,
    )
