"""Bibliographic metadata of a web page: title, publisher, author, date, language, canonical URL.

The kept libraries do the reading: trafilatura's metadata extraction (OpenGraph, the common meta tags,
JSON-LD, ``<title>``, the canonical link) and htmldate for the publication date (meta tags, JSON-LD,
the URL, the page's own date lines; the original date, not a "last updated"). Two things stay here:

* the article's own JSON-LD node (:mod:`.jsonld`, which excerpt verification reads for its
  ``articleBody`` anyway) is preferred for title, author, publisher, date and language, because it
  describes the article where OpenGraph often describes the site or the share card;
* the precision of a partial date. htmldate completes "2024/11" with today's day of the month,
  which would show a publication day no page gave; a date written to the month or the year only is
  kept as such (``published_precision``).
"""

from __future__ import annotations

import datetime as _dt
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import trafilatura
from htmldate import find_date

from sources.content.jsonld import read_jsonld
from sources.content.normalising import clean_value

if TYPE_CHECKING:
    from lxml.html import HtmlElement

__all__ = ["PageMetadata", "Precision", "extract_metadata"]

logger = logging.getLogger(__name__)

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


# A date written to the month or the year only (ISO 8601 and its slash form): "2024-11", "2024/11", "2024".
_PARTIAL_DATE = re.compile(r"^\s*(\d{4})(?:[-/](\d{1,2}))?\s*$")
_LOWER = 'translate({}, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")'
# The page's own publication-date meta tags, where a partial date is written.
_DATE_META = (
    f'.//meta[@content][contains({_LOWER.format("@name")}, "date") or @property="article:published_time"'
    ' or @itemprop="datePublished"]/@content'
)
_LANGUAGE_META = (
    f'.//meta[@content][{_LOWER.format("@http-equiv")}="content-language" or @property="og:locale"'
    f' or {_LOWER.format("@name")}="dc.language" or {_LOWER.format("@name")}="dcterms.language"]/@content'
)


def extract_metadata(html: str, *, url: str | None = None) -> PageMetadata:
    """The metadata of an HTML page; an empty or unreadable page gives only ``url`` as canonical URL."""
    root = _parse_page(html)
    if root is None:
        return PageMetadata(canonical_url=url)
    try:
        found = trafilatura.extract_metadata(html, default_url=url)
    except Exception:  # noqa: BLE001 - a page that trips the library fills nothing, and is logged
        logger.warning("trafilatura could not read the metadata of %s", url or "a page", exc_info=True)
        found = None
    ld = read_jsonld(root)
    published_on, precision = _published(ld.get("date"), root, html, url)
    return PageMetadata(
        title=ld.get("title") or clean_value(getattr(found, "title", None)),
        publisher=ld.get("publisher") or _site_name(found),
        author=ld.get("author") or _authors(getattr(found, "author", None)),
        published_on=published_on,
        canonical_url=clean_value(getattr(found, "url", None)) or url,
        language=ld.get("language") or _language(root),
        published_precision=precision,
    )


def _parse_page(html: str) -> HtmlElement | None:
    """The parsed page, or None when it is empty or cannot be parsed."""
    if not html or not html.strip():
        return None
    try:
        import lxml.html

        return lxml.html.fromstring(html)
    except Exception:
        return None


def _site_name(found: object) -> str | None:
    """The site name the page gives; not the host name trafilatura falls back to ("example.org")."""
    name = clean_value(getattr(found, "sitename", None))
    if not name or (" " not in name and "." in name):
        return None
    return name


def _authors(value: str | None) -> str | None:
    """trafilatura separates authors with "; ": the source's author field lists them with commas."""
    names = [name.strip() for name in (value or "").split(";") if name.strip()]
    return ", ".join(dict.fromkeys(names)) or None


def _published(
    jsonld_date: str | None, root: HtmlElement, html: str, url: str | None
) -> tuple[_dt.date | None, Precision | None]:
    """The publication date and its precision: the article's JSON-LD date, else what htmldate finds
    (unless the page's first date tag is written to the month or the year only)."""
    if jsonld_date:
        written = _partial(jsonld_date)
        if written[0] is None and (day := _iso_day(jsonld_date)) is not None:
            written = (day, "day")
        if written[0] is not None:
            return written
    date_tags = root.xpath(_DATE_META)
    written = _partial(date_tags[0]) if date_tags else (None, None)
    if written[0] is not None:
        return written
    # No extensive search: it takes a footer's "Copyright 2025" for a publication date of 1 January.
    try:
        day = _iso_day(find_date(html, url=url, original_date=True, extensive_search=False) or "")
    except Exception:  # noqa: BLE001 - no date is better than a failed check
        logger.warning("htmldate failed on a page", exc_info=True)
        day = None
    return (day, "day") if day else (None, None)


def _partial(written: str | None) -> tuple[_dt.date | None, Precision | None]:
    match = _PARTIAL_DATE.match(written or "")
    if match is None:
        return None, None
    try:
        if match[2]:
            return _dt.date(int(match[1]), int(match[2]), 1), "month"
        return _dt.date(int(match[1]), 1, 1), "year"
    except ValueError:
        return None, None


def _iso_day(value: str) -> _dt.date | None:
    try:
        return _dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _language(root: HtmlElement) -> str | None:
    """The page's language: its content-language, Dublin Core or og:locale meta tag, else ``<html lang>``."""
    lang = next(iter(root.xpath(_LANGUAGE_META)), None)
    if not lang:
        html_el = root if root.tag == "html" else root.getroottree().getroot()
        lang = (html_el.get("lang") or html_el.get("xml:lang")) if html_el is not None else None
    return clean_value(lang.replace("_", "-")) if lang else None
