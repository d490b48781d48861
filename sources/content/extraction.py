"""The main readable text of a fetched document (trafilatura, with a plain-text fallback)."""

from __future__ import annotations

import html as _html
import logging
import re
from typing import Any

# Imported here, not inside the function: a missing extractor (or its lxml_html_clean dependency, which
# old pips leave out) must fail loudly at start-up, never fall back silently to stripping the whole page.
# `manage.py check` reports it too (sources/checks.py).
import trafilatura

logger = logging.getLogger(__name__)

__all__ = [
    "EXTRACTOR_VERSION",
    "clean_plain_text",
    "extract_main_text",
    "html_to_plain_text",
    "looks_like_html",
    "parse_html",
]

#: What produced a main text: trafilatura's release and our options. A text remembered from an
#: earlier extraction (sources.checking's extraction memo) is reused only under the same version:
#: raise the number after the options of ``extract_main_text`` change.
EXTRACTOR_VERSION = f"trafilatura {trafilatura.__version__}; options 1"

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


_SPACE_RUN_RE = re.compile(r"[ \t\f\v\u00a0]+")
_BLANK_RUN_RE = re.compile(r"\n{3,}")


def clean_plain_text(text: str) -> str:
    """Tidy a plain-text body: unify newlines, trim lines, squeeze blank runs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # One pass over the whole text (the pattern never crosses a line), then each line trimmed.
    out = "\n".join(line.strip() for line in _SPACE_RUN_RE.sub(" ", text).split("\n"))
    out = _BLANK_RUN_RE.sub("\n\n", out)
    return out.strip()


def html_to_plain_text(html: str, *, root: Any = None) -> str:
    """The visible text of a page; the fallback when trafilatura finds nothing, and the fuller text
    excerpts are verified against (sources.content.reading).

    Scripts, styles and obvious chrome (nav, header, footer, aside, forms) are
    dropped; block-level elements become line breaks. ``root``, the page already parsed, is read
    instead of parsing it again (and is changed: the dropped elements are removed from it).
    """
    try:
        import lxml.html

        root = lxml.html.fromstring(html) if root is None else root
    except Exception:  # lxml raises ParserError on empty/odd documents
        stripped = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", html)
        stripped = re.sub(r"(?s)<[^>]+>", " ", stripped)
        return clean_plain_text(_html.unescape(stripped))
    _drop_unreadable(root)
    try:
        text = _text_with_line_breaks(root)
    except RecursionError:  # absurdly deep markup: lose block structure only
        text = root.text_content()
    return clean_plain_text(text)


def _drop_unreadable(root: Any) -> None:
    """Remove the elements in ``_DROP_TAGS``, comments and processing instructions."""
    for bad in root.xpath("|".join(f"//{t}" for t in _DROP_TAGS)):
        if bad.getparent() is not None:
            bad.drop_tree()  # keeps the tail text
    for node in root.xpath("//comment() | //processing-instruction()"):
        if node.getparent() is not None:
            node.drop_tree()


def _text_with_line_breaks(root: Any) -> str:
    """The text of ``root`` with a line break around every block-level element."""
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

    walk(root)
    return "".join(parts)


def parse_html(html: str) -> Any:
    """The page parsed as trafilatura parses it (lxml, comments left out), or None if it cannot be.

    A page parsed once here is read by trafilatura (which works on a copy) and then for the fuller
    text: a check parses each page once.
    """
    try:
        return trafilatura.load_html(html)
    except Exception:  # noqa: BLE001 - an unparseable page is read as plain text by the callers
        return None


def extract_main_text(html: str, *, url: str | None = None, tree: Any = None) -> str:
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
        tree: ``html`` already parsed by :func:`parse_html`; trafilatura reads a copy of it.

    Returns:
        The extracted text, paragraphs separated by newlines ("" if empty).
    """
    if not html or not html.strip():
        return ""
    if not looks_like_html(html):
        return clean_plain_text(html)

    text: str | None = None
    try:
        text = trafilatura.extract(
            html if tree is None else tree,
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
            # No second opinion from the fallback extractors (readability, jusText): it doubles the
            # cost of every check, and a page whose main text comes out short is read in full
            # anyway before an excerpt is called missing (sources.content.reading).
            fast=True,
            output_format="txt",
        )
    except Exception:  # noqa: BLE001 - a page that trips the extractor is read as plain text, and said so
        logger.warning("trafilatura failed on %s; reading the page as plain text", url or "a page", exc_info=True)
        text = None
    if text and text.strip():
        return clean_plain_text(text)
    return html_to_plain_text(html)
