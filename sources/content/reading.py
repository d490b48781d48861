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

from dataclasses import dataclass, replace

from sources.content.extraction import extract_main_text, html_to_plain_text, looks_like_html
from sources.content.jsonld import read_jsonld
from sources.content.quotes import QuoteMatch, verify_excerpt

__all__ = ["MIN_READABLE_CHARS", "PageReading", "read_page", "too_short", "verify_in_page"]

#: Less readable text than this (main text, articleBody and visible text together) is no page
#: to say a quote is missing from. A short official statement is still longer.
MIN_READABLE_CHARS = 400
#: A page whose scripts outweigh its readable text this many times is drawn by JavaScript.
SCRIPT_HEAVY_RATIO = 5

_RANK = {"present": 2, "altered": 1, "missing": 0}


@dataclass(frozen=True, slots=True)
class PageReading:
    """What a check could read of one page.

    ``main`` is the extracted main text (fingerprinted, kept in snapshots); ``fuller`` adds the
    ``articleBody`` and the visible text, for verifying excerpts; ``reason`` says why the page
    could not be read with confidence ("" when it could).
    """

    main: str
    fuller: str
    reason: str = ""

    @property
    def confident(self) -> bool:
        return not self.reason


def read_page(html: str, *, url: str | None = None) -> PageReading:
    """Read an HTML page (or plain text) as :class:`PageReading`."""
    main = extract_main_text(html, url=url)
    if not html or not looks_like_html(html):
        return PageReading(main=main, fuller=main, reason=too_short(len(main), 0))
    root = _parse(html)
    article_body = (read_jsonld(root).get("body") or "") if root is not None else ""
    visible = html_to_plain_text(html)
    fuller = "\n\n".join(part for part in dict.fromkeys((main, article_body, visible)) if part.strip())
    script_chars = sum(len(s.text or "") for s in root.iter("script")) if root is not None else 0
    readable = max(len(main), len(article_body), len(visible))
    return PageReading(main=main, fuller=fuller, reason=too_short(readable, script_chars))


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
    best = verify_excerpt(excerpt, reading.main, threshold=threshold)
    if best.status != "present" and reading.fuller != reading.main:
        fuller = verify_excerpt(excerpt, reading.fuller, threshold=threshold)
        if (_RANK[fuller.status], fuller.score) > (_RANK[best.status], best.score):
            best = fuller
    if best.status == "missing" and not reading.confident:
        return replace(best, status="unverifiable")
    return best
