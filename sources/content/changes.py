"""Whether a re-fetched page changed in substance: its stable form and fingerprint.

The stable form leaves out what changes on every visit without the article changing:
whitespace, quote and dash styles, case, dates and times, and boilerplate lines
(cookie notices, newsletter prompts, share buttons, "Advertisement", copyright lines).
"""

from __future__ import annotations

import hashlib
import re

from sources.content.extraction import extract_main_text, looks_like_html
from sources.content.normalising import comparison_form

__all__ = ["fingerprint", "is_material_change", "stable_line", "stable_text"]

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
            r"^(?:read more|read next|read also|also read|also on|also in|more on this story|more stories|"
            r"related(?: articles| stories| content| topics| coverage)?|"
            r"recommended(?: for you)?|most read|most popular|most viewed|popular now|trending|top stories|"
            r"editor'?s picks|you may also like|you might also like|see also|more from|"
            r"(?:watch|listen|read|more|latest)\s*:)(?:\b|\s).{0,150}$",
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


def stable_line(line: str) -> str:
    """Stable comparison form of one line or sentence ("" for boilerplate or date-only)."""
    line = comparison_form(line)
    if not line or _is_boilerplate(line):
        return ""
    line = _strip_volatile(line)
    return "" if not line or _is_boilerplate(line) else line


def stable_text(text: str) -> str:
    """Return the volatility-free comparison form of a page's text.

    The text is split into lines; each line is normalised
    (:func:`comparison_form`); lines that are typical boilerplate (cookie
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
        line = stable_line(raw)
        if line:
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
