"""The part of a page the main text comes from, and a digest of it: an unchanged article is not read twice.

trafilatura takes a page's main text from one part of it, the article, while the teasers, "Most read",
ad slots and scripts around it change on every request. After an extraction, :func:`locate` finds
that part: the nearest ``<article>`` or ``<main>`` around the element that holds the first and the
last line of the text (else that element's parent), kept only if every line of the text is in it.
It is named by its path in the tree. A later check that finds markup with the same :func:`digest`
at that path has the same article, and so the same main text: sources.checking then reuses the
text it kept (the snapshot's) instead of running the extractor again.
"""

from __future__ import annotations

import hashlib
from typing import Any

from lxml import etree

__all__ = ["digest", "element_at", "locate"]

#: Text fragments shorter than this are too common ("Share", "By") to place a line by.
MIN_FRAGMENT_CHARS = 12
#: The elements a page's article sits in; the container is widened to the nearest of them.
_ARTICLE_TAGS = frozenset({"article", "main"})


def _squeezed(text: str) -> str:
    return " ".join(text.split())


def locate(root: Any, main: str) -> str | None:
    """The path of the element of ``root`` that holds all of ``main``; None when it cannot be placed."""
    lines = [_squeezed(line) for line in main.split("\n")]
    lines = [line for line in lines if line]
    if not lines or root is None:
        return None
    fragments = [(node, _squeezed(node)) for node in root.xpath("//body//text()")]
    # The earliest fragment that opens the first line, the latest that closes the last one: the widest
    # span the text can have come from.
    first = next(
        (n for n, f in fragments if len(f) >= MIN_FRAGMENT_CHARS and lines[0].startswith(f)),
        None,
    )
    last = next(
        (n for n, f in reversed(fragments) if len(f) >= MIN_FRAGMENT_CHARS and lines[-1].endswith(f)),
        None,
    )
    if first is None or last is None:
        return None
    common = _common_ancestor(_holder(first), _holder(last))
    if common is None:
        return None
    container = next((el for el in common.iterancestors() if el.tag in _ARTICLE_TAGS), None)
    if container is None and common.tag not in _ARTICLE_TAGS:
        container = common.getparent()
    container = common if container is None else container
    held = _squeezed(etree.tostring(container, method="text", encoding="unicode", with_tail=False))
    if not all(line in held for line in lines):
        return None
    return container.getroottree().getpath(container)


def element_at(root: Any, path: str) -> Any:
    """The element of ``root`` at ``path`` (from :func:`locate`), or None."""
    if root is None or not path:
        return None
    try:
        found = root.getroottree().xpath(path)
    except etree.XPathError:
        return None
    return found[0] if len(found) == 1 and isinstance(found[0], etree._Element) else None


def digest(root: Any, path: str) -> str:
    """A digest of the markup at ``path`` in ``root``; "" when there is no such element."""
    element = element_at(root, path)
    if element is None:
        return ""
    return hashlib.sha256(etree.tostring(element, with_tail=False)).hexdigest()


def _holder(node: Any) -> Any:
    """The element whose content a text node is: a tail belongs to its element's parent."""
    element = node.getparent()
    return element.getparent() if node.is_tail else element


def _common_ancestor(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    seen = {a, *a.iterancestors()}
    return next((el for el in (b, *b.iterancestors()) if el in seen), None)
