"""How much of a page we could read, and excerpts verified against all of it.

The main text (trafilatura) is what is fingerprinted and kept in snapshots: it leaves out the
standfirst, photo captions and galleries more often than not, and of a page rendered by
JavaScript it may keep a single caption. Calling an excerpt "missing" from that would be a false
alarm, so an excerpt not found in the main text is looked for in the fuller text a reader sees:
the main text, the JSON-LD ``articleBody`` and the page's visible text (navigation, header,
footer, asides and scripts left out). When even that is too little to judge by, the verdict is
``unverifiable`` with the reason, never ``missing``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from sources.content.extraction import extract_main_text, html_to_plain_text, looks_like_html
from sources.content.jsonld import read_jsonld
from sources.content.quotes import QuoteMatch, find_excerpt, verify_excerpt

__all__ = ["MIN_READABLE_CHARS", "PageReading", "read_page", "too_short", "verify_in_page"]

#: Less readable text than this (main text, articleBody and visible text together) is no page
#: to say a quote is missing from. A short official statement is still longer.
MIN_READABLE_CHARS = 400
#: A page whose scripts outweigh its readable text this many times is drawn by JavaScript.
SCRIPT_HEAVY_RATIO = 5

_RANK = {"present": 2, "altered": 1, "missing": 0}


class PageReading:
    """What a check could read of one page.

    ``main`` is the extracted main text (fingerprinted, kept in snapshots); ``fuller`` adds the
    ``articleBody`` and the visible text, for verifying excerpts; ``reason`` says why the page
    could not be read with confidence ("" when it could). ``fuller`` may be given as a function:
    it is then computed the first time an excerpt is not found in the main text, which on a page
    whose excerpts are all present is never (a check of an unchanged article skips it).
    """

    def __init__(self, main: str, fuller: str | Callable[[], str] | None = None, reason: str = "") -> None:
        self.main = main
        self._fuller = main if fuller is None else fuller
        self.reason = reason

    @property
    def fuller(self) -> str:
        if callable(self._fuller):
            self._fuller = self._fuller()
        return self._fuller

    @property
    def confident(self) -> bool:
        return not self.reason

    def __repr__(self) -> str:
        return f"PageReading(main={len(self.main)} chars, reason={self.reason!r})"


def read_page(html: str, *, url: str | None = None) -> PageReading:
    """Read an HTML page (or plain text) as :class:`PageReading`."""
    main = extract_main_text(html, url=url)
    if not html or not looks_like_html(html):
        return PageReading(main=main, reason=too_short(len(main), 0))
    if len(main) >= MIN_READABLE_CHARS:  # readable with confidence: the fuller text only if needed
        return PageReading(main=main, fuller=lambda: _fuller_text(html, main)[0])
    fuller, readable, script_chars = _fuller_text(html, main)
    return PageReading(main=main, fuller=fuller, reason=too_short(readable, script_chars))


def _fuller_text(html: str, main: str) -> tuple[str, int, int]:
    """The main text, the JSON-LD articleBody and the visible text together; the longest of the three
    (characters a reader could read) and the characters of scripts."""
    root = _parse(html)
    article_body = (read_jsonld(root).get("body") or "") if root is not None else ""
    script_chars = sum(len(s.text or "") for s in root.iter("script")) if root is not None else 0
    visible = html_to_plain_text(html, root=root)  # drops the scripts: read them first
    fuller = "\n\n".join(part for part in dict.fromkeys((main, article_body, visible)) if part.strip())
    return fuller, max(len(main), len(article_body), len(visible)), script_chars


def _parse(html: str):  # noqa: ANN202  (lxml element or None)
    try:
        import lxml.html

        return lxml.html.fromstring(html)
    except Exception:
        return None


def too_short(chars: int, script_chars: int, *, document: str = "page") -> str:
    """Why a document with this much readable text cannot be judged by ("" when it can)."""
    if chars >= MIN_READABLE_CHARS:
        return ""
    if script_chars >= SCRIPT_HEAVY_RATIO * max(chars, 1):
        return (
            f"The page could not be read: it has {chars} characters of readable text and {script_chars} of "
            "scripts (it is probably drawn by JavaScript)."
        )
    return f"The {document} could not be read: it has only {chars} characters of readable text."


def verify_in_page(excerpt: str, reading: PageReading, *, threshold: float = 85.0) -> QuoteMatch:
    """Verify ``excerpt`` against the main text, then the fuller text; ``unverifiable`` if unread.

    Offsets are into the text the passage was found in (the main text when it is there).
    """
    # Present word for word in the main text, or else in the fuller text: no fuzzy search at all (a
    # quote from the standfirst is not looked for approximately in the body first).
    exact = find_excerpt(excerpt, reading.main) or find_excerpt(excerpt, reading.fuller)
    if exact is not None:
        return exact
    best = verify_excerpt(excerpt, reading.main, threshold=threshold)
    if best.status != "present" and reading.fuller != reading.main:
        fuller = verify_excerpt(excerpt, reading.fuller, threshold=threshold)
        if (_RANK[fuller.status], fuller.score) > (_RANK[best.status], best.score):
            best = fuller
    if best.status == "missing" and not reading.confident:
        return replace(best, status="unverifiable")
    return best
