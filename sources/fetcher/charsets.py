"""The media type and charset of a response, and decoding its text."""

from __future__ import annotations

import codecs
import re

__all__ = ["decode_text", "parse_content_type"]

_CHARSET_PARAM_RE = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:+-]+)""", re.IGNORECASE)
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:+-]+)""", re.I)
_XML_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""", re.I)
_MIME_RE = re.compile(r"^[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+$")
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def parse_content_type(value: str | None) -> tuple[str, str]:
    """Return ``(mime_type, charset)``; mime_type is '' when missing or malformed."""
    if not value:
        return "", ""
    mime, _, params = value.partition(";")
    mime = mime.strip().lower()
    if not _MIME_RE.match(mime):
        mime = ""
    match = _CHARSET_PARAM_RE.search(params)
    return mime, (match.group(1).lower() if match else "")


def _known_codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_text(body: bytes, declared: str, mime: str) -> tuple[str, str]:
    """Decode ``body``; return ``(text, charset_used)``.

    Order: byte-order mark, declared charset, in-document declaration (HTML meta / XML),
    UTF-8; failing all strict attempts, the declared charset (or windows-1252) with
    replacement characters, so a mislabelled page still yields text.
    """
    candidates: list[str] = []
    for bom, name in _BOMS:
        if body.startswith(bom):
            candidates.append(name)
    if declared:
        candidates.append(declared)
    if mime != "text/plain":
        head = body[:4096]
        for pattern in (_META_CHARSET_RE, _XML_ENCODING_RE):
            match = pattern.search(head)
            if match:
                candidates.append(match.group(1).decode("ascii").lower())
    candidates.append("utf-8")
    for candidate in candidates:
        codec = _known_codec(candidate)
        if codec is None:
            continue
        try:
            text = body.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        return text.lstrip("\ufeff"), codec
    fallback = _known_codec(declared) if declared else None
    fallback = fallback or "cp1252"
    return body.decode(fallback, errors="replace"), fallback
