"""Bibliographic fields from a page's JSON-LD (``Article``, ``NewsArticle`` and kin)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from sources.content.normalising import clean_value

if TYPE_CHECKING:
    from lxml.html import HtmlElement

__all__ = ["read_jsonld"]

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


def read_jsonld(root: HtmlElement) -> dict[str, Any]:
    """The JSON-LD fields of a parsed page; malformed blocks are skipped.

    Keys: ``title``, ``publisher``, ``author``, ``date`` (as written), ``language``,
    ``url`` and ``body`` (the ``articleBody``); empty when the page has no article node.
    """
    docs = []
    for script in root.iter("script"):
        if (script.get("type") or "").split(";")[0].strip().lower() == "application/ld+json":
            doc = _load_jsonld(script.text or "")
            if doc is not None:
                docs.append(doc)
    try:
        return _jsonld_fields(docs)
    except Exception:  # pathological JSON-LD must never break metadata
        return {}


def _jsonld_fields(docs: Iterable[Any]) -> dict[str, Any]:
    """Collect metadata fields from parsed JSON-LD documents."""
    nodes = [n for doc in docs for n in _walk_jsonld(doc)]
    by_id = _nodes_by_id(nodes)
    article = next((n for n in nodes if _types(n) & _ARTICLE_TYPES), None)
    if article is None:
        return {}
    return {
        "title": _headline(article),
        "publisher": _publisher(article, nodes, by_id),
        "author": _authors(article, by_id),
        "date": _date_published(article),
        "language": _language(article),
        "url": _url(article),
        "body": _article_body(article),
    }


def _article_body(article: dict[str, Any]) -> str | None:
    body = article.get("articleBody")
    return body.strip() or None if isinstance(body, str) else None


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


def _unwrap(raw: str, marks: tuple[str, str], *, commented: bool) -> str:
    """`raw` without a leading and a trailing wrapper mark (each optionally after `//` when
    `commented`). Looked for at the ends only: a pattern anchored at the end would be tried at every
    position of a 15,000-character articleBody."""
    opening, closing = marks
    head = raw.removeprefix("//").lstrip() if commented and raw.startswith("//") else raw
    if head.startswith(opening):
        raw = head[len(opening) :]
    if raw.endswith(closing):
        raw = raw[: -len(closing)].rstrip()
        if commented and raw.endswith("//"):
            raw = raw[:-2]
    return raw.strip()


def _load_jsonld(raw: str) -> Any | None:
    """Parse a JSON-LD script body; None when it is malformed."""
    raw = _unwrap(raw.strip(), ("<![CDATA[", "]]>"), commented=True)
    raw = _unwrap(raw, ("<!--", "-->"), commented=False)
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
            name = clean_value(item)
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
            cleaned = clean_value(name)
            if cleaned:
                names.append(cleaned)
    # Deduplicate, keep order.
    return list(dict.fromkeys(names))


def _nodes_by_id(nodes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each ``@id`` mapped to its fullest node, not a bare reference to it."""
    by_id: dict[str, dict[str, Any]] = {}
    for n in nodes:
        node_id = n.get("@id")
        if isinstance(node_id, str) and len(n) > len(by_id.get(node_id, {})):
            by_id[node_id] = n
    return by_id


def _headline(article: dict[str, Any]) -> str | None:
    headline = article.get("headline") or article.get("name")
    if isinstance(headline, list):
        headline = next((h for h in headline if isinstance(h, str)), None)
    return clean_value(headline)


def _publisher(article: dict[str, Any], nodes: list[dict[str, Any]], by_id: dict[str, dict[str, Any]]) -> str | None:
    """The article's publisher, else the page's first organisation node."""
    publisher = _node_names(article.get("publisher"), by_id)
    if not publisher:
        org = next((n for n in nodes if _types(n) & _ORG_TYPES), None)
        publisher = _node_names(org, by_id) if org else []
    return publisher[0] if publisher else None


def _authors(article: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> str | None:
    authors = _node_names(article.get("author"), by_id)
    return ", ".join(authors) if authors else None


def _date_published(article: dict[str, Any]) -> str | None:
    date_value = article.get("datePublished") or article.get("dateCreated")
    return date_value if isinstance(date_value, str) else None


def _language(article: dict[str, Any]) -> str | None:
    lang = article.get("inLanguage")
    if isinstance(lang, dict):
        lang = lang.get("alternateName") or lang.get("name")
    return clean_value(lang)


def _url(article: dict[str, Any]) -> str | None:
    url = article.get("url")
    if not isinstance(url, str):
        page = article.get("mainEntityOfPage")
        url = page.get("@id") if isinstance(page, dict) else page
    return clean_value(url) if isinstance(url, str) else None
