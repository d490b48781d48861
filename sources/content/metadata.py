"""Bibliographic metadata of a web page: title, publisher, author, date, language, canonical URL.

Each field is taken from the first source that has it, highest precedence first: JSON-LD,
OpenGraph, other meta tags (``citation_*``, Dublin Core, Parse.ly...), then the document itself.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from sources.content.dates import Precision, parse_date
from sources.content.jsonld import read_jsonld
from sources.content.normalising import clean_value

if TYPE_CHECKING:
    from lxml.html import HtmlElement

__all__ = ["PageMetadata", "extract_metadata"]


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


# Meta tags read after JSON-LD and OpenGraph, each list in order of precedence.
_TITLE_TAGS = ("citation_title", "dc.title", "dcterms.title", "parsely-title", "twitter:title", "headline")
_PUBLISHER_TAGS = (
    "citation_publisher",
    "citation_journal_title",
    "dc.publisher",
    "dcterms.publisher",
    "publisher",
    "application-name",
)
# Tried one after the other, after citation_author (which is written "Last, First").
_AUTHOR_TAGS = ("dc.creator", "dcterms.creator", "author", "parsely-author", "sailthru.author")
_DATE_TAGS = (
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
)
_LANGUAGE_TAGS = ("content-language", "dc.language", "dcterms.language", "citation_language", "language")


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
    root = _parse_page(html)
    if root is None:
        return PageMetadata(canonical_url=url)
    tags = _MetaTags(root)
    ld = read_jsonld(root)
    published_on, precision = _published(ld, tags)
    return PageMetadata(
        title=_title(ld, tags, root),
        publisher=_publisher(ld, tags),
        author=_author(ld, tags),
        published_on=published_on,
        canonical_url=_canonical_url(ld, tags, root, url),
        language=_language(ld, tags, root),
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


class _MetaTags:
    """The page's ``<meta>`` contents by lower-cased property/name/itemprop/http-equiv, in page order."""

    def __init__(self, root: HtmlElement) -> None:
        self._values: dict[str, list[str]] = {}
        for el in root.iter("meta"):
            content = clean_value(el.get("content"))
            if not content:
                continue
            for attr in ("property", "name", "itemprop", "http-equiv"):
                key = el.get(attr)
                if key:
                    for k in key.lower().split():
                        self._values.setdefault(k, []).append(content)

    def first(self, *keys: str) -> str | None:
        """The first value of the first key the page has."""
        for k in keys:
            vals = self._values.get(k)
            if vals:
                return vals[0]
        return None

    def every(self, key: str) -> list[str]:
        """Every distinct value of ``key``, in page order."""
        return list(dict.fromkeys(self._values.get(key, [])))


def _title(ld: dict[str, Any], tags: _MetaTags, root: HtmlElement) -> str | None:
    return _first(ld.get("title"), tags.first("og:title"), tags.first(*_TITLE_TAGS), _document_title(root))


def _publisher(ld: dict[str, Any], tags: _MetaTags) -> str | None:
    return _first(ld.get("publisher"), tags.first("og:site_name"), tags.first(*_PUBLISHER_TAGS))


def _author(ld: dict[str, Any], tags: _MetaTags) -> str | None:
    # article:author is often a profile URL rather than a name.
    og_authors = [a for a in tags.every("article:author") if not _is_url(a)]
    meta_authors = _meta_authors(tags)
    return _first(
        ld.get("author"),
        ", ".join(og_authors) if og_authors else None,
        ", ".join(meta_authors) if meta_authors else None,
    )


def _meta_authors(tags: _MetaTags) -> list[str]:
    """The authors from the first author tag the page has."""
    cited = [_flip_name(a) for a in tags.every("citation_author")]
    return cited or next((names for key in _AUTHOR_TAGS if (names := tags.every(key))), [])


def _published(ld: dict[str, Any], tags: _MetaTags) -> tuple[_dt.date | None, Precision | None]:
    """The first published date that parses, with its precision; ``(None, None)`` if none does."""
    for candidate in (
        ld.get("date"),
        tags.first("article:published_time", "og:published_time"),
        tags.first(*_DATE_TAGS),
    ):
        published_on, precision = parse_date(candidate)
        if published_on:
            return published_on, precision
    return None, None


def _language(ld: dict[str, Any], tags: _MetaTags, root: HtmlElement) -> str | None:
    og_locale = tags.first("og:locale")
    return _first(
        ld.get("language"),
        og_locale.replace("_", "-") if og_locale else None,
        tags.first(*_LANGUAGE_TAGS),
        _document_language(root),
    )


def _canonical_url(ld: dict[str, Any], tags: _MetaTags, root: HtmlElement, url: str | None) -> str | None:
    canonical = _first(_canonical_link(root), tags.first("og:url"), ld.get("url"), url)
    if canonical and url:
        canonical = urljoin(url, canonical)
    return canonical


def _document_title(root: HtmlElement) -> str | None:
    title_el = root.find(".//title")
    return clean_value(title_el.text_content()) if title_el is not None else None


def _document_language(root: HtmlElement) -> str | None:
    html_el = root if root.tag == "html" else root.getroottree().getroot()
    return clean_value(html_el.get("lang") or html_el.get("xml:lang")) if html_el is not None else None


def _canonical_link(root: HtmlElement) -> str | None:
    """The href of the first ``<link rel="canonical">``."""
    for link in root.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        if "canonical" in rels and link.get("href"):
            return clean_value(link.get("href"))
    return None


def _is_url(value: str) -> bool:
    return bool(re.match(r"^https?://", value))


def _flip_name(name: str) -> str:
    """Turn a bibliographic "Last, First" into "First Last" (else unchanged)."""
    m = re.match(r"^([^,]+),\s*([^,]+)$", name)
    if not m or re.fullmatch(r"(?i)(?:jr|sr|[ivx]+)\.?", m[2].strip()):
        return name
    return f"{m[2].strip()} {m[1].strip()}"


def _first(*values: str | None) -> str | None:
    return next((v for v in values if v), None)
