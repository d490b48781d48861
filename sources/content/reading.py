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
from copy import deepcopy
from dataclasses import dataclass, replace
from typing import Any

from lxml import etree

from sources.content import container
from sources.content.extraction import extract_main_text, html_to_plain_text, looks_like_html, parse_html
from sources.content.jsonld import read_jsonld
from sources.content.quotes import QuoteMatch, find_excerpt, verify_excerpt

__all__ = ["MIN_READABLE_CHARS", "KnownText", "PageReading", "read_page", "too_short", "verify_in_page"]

#: Less readable text than this (main text, articleBody and visible text together) is no page
#: to say a quote is missing from. A short official statement is still longer.
MIN_READABLE_CHARS = 400
#: A page whose scripts outweigh its readable text this many times is drawn by JavaScript.
SCRIPT_HEAVY_RATIO = 5

_RANK = {"present": 2, "altered": 1, "missing": 0}


@dataclass(frozen=True)
class KnownText:
    """The main text an earlier reading of the same page gave, and where on the page it came from
    (:mod:`sources.content.container`): markup with the same digest at that path gives that text."""

    text: str
    path: str
    digest: str


class PageReading:
    """What a check could read of one page.

    ``main`` is the extracted main text (fingerprinted, kept in snapshots); ``fuller`` adds the
    ``articleBody`` and the visible text, for verifying excerpts; ``reason`` says why the page
    could not be read with confidence ("" when it could). ``fuller`` may be given as a function:
    it is then computed the first time an excerpt is not found in the main text, which on a page
    whose excerpts are all present is never (a check of an unchanged article skips it). ``near`` is
    the text of the article around the main text (standfirst, captions, gallery) in one line:
    cheaper than ``fuller``, it is looked in first for a quote word for word. ``path`` and
    ``digest`` say where the main text came from ("" when it could not be placed); ``reused`` is
    True when it is a :class:`KnownText`'s.
    """

    def __init__(
        self,
        main: str,
        fuller: str | Callable[[], str] | None = None,
        reason: str = "",
        *,
        near: str | Callable[[], str] = "",
        path: str = "",
        digest: str = "",
        reused: bool = False,
    ) -> None:
        self.main = main
        self._fuller = main if fuller is None else fuller
        self._near = near
        self.reason = reason
        self.path, self.digest, self.reused = path, digest, reused

    @property
    def fuller(self) -> str:
        if callable(self._fuller):
            self._fuller = self._fuller()
        return self._fuller

    @property
    def near(self) -> str:
        if callable(self._near):
            self._near = self._near()
        return self._near

    @property
    def confident(self) -> bool:
        return not self.reason

    def __repr__(self) -> str:
        return f"PageReading(main={len(self.main)} chars, reason={self.reason!r})"


def read_page(html: str, *, url: str | None = None, known: KnownText | None = None) -> PageReading:
    """Read an HTML page (or plain text) as :class:`PageReading`.

    With ``known``, a page whose article is the same markup as then is not run through the extractor:
    its main text is the known one.
    """
    if not html or not looks_like_html(html):
        main = extract_main_text(html, url=url)
        return PageReading(main=main, reason=too_short(len(main), 0))
    root = parse_html(html)
    if root is None:
        main = extract_main_text(html, url=url)
        fuller, readable, script_chars = _fuller_text(html, main, None)
        return PageReading(main=main, fuller=fuller, reason=too_short(readable, script_chars))
    if known is not None and container.digest(root, known.path) == known.digest:
        main, path, digest, reused = known.text, known.path, known.digest, True
    else:
        main, reused = extract_main_text(html, url=url, tree=root), False  # trafilatura reads a copy
        path = (container.locate(root, main) if len(main) >= MIN_READABLE_CHARS else None) or ""
        digest = container.digest(root, path) if path else ""
    placed = {"path": path, "digest": digest, "reused": reused}
    if len(main) >= MIN_READABLE_CHARS:  # readable with confidence: the rest of the page only if needed
        return PageReading(
            main=main,
            fuller=lambda: _fuller_text(html, main, root)[0],
            near=(lambda: _article_text(root, path)) if path else "",
            **placed,
        )
    fuller, readable, script_chars = _fuller_text(html, main, root)
    return PageReading(main=main, fuller=fuller, reason=too_short(readable, script_chars), **placed)


def _article_text(root: Any, path: str) -> str:
    """The text of the article the main text sits in, scripts left out, whitespace squeezed: for
    finding a quote word for word (a quote across two paragraphs is looked for in the fuller text).
    Read from a copy: the page stays whole."""
    element = container.element_at(root, path)
    if element is None:
        return ""
    element = deepcopy(element)
    etree.strip_elements(element, "script", "style", "noscript", "template", with_tail=False)
    return " ".join(etree.tostring(element, method="text", encoding="unicode", with_tail=False).split())


def _fuller_text(html: str, main: str, root: Any) -> tuple[str, int, int]:
    """The main text, the JSON-LD articleBody and the visible text together; the longest of the three
    (characters a reader could read) and the characters of scripts. ``root`` (the page parsed, or
    None to parse it here) loses its scripts and chrome."""
    root = _parse(html) if root is None else root
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
    # Present word for word in the main text, or else in the article around it, or else in the fuller
    # text: no fuzzy search at all (a quote from the standfirst is not looked for approximately in the
    # body first). In the first two character for character before normalising either; the fuller
    # text (the whole page) is built only when neither has the quote.
    cheap = [reading.main, reading.near] if reading.near else [reading.main]
    for verbatim_only in (True, False):
        for text in cheap:
            exact = find_excerpt(excerpt, text, verbatim_only=verbatim_only)
            if exact is not None:
                return exact
    if reading.fuller != reading.main:
        exact = find_excerpt(excerpt, reading.fuller)
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
