"""Vetting a URL before any DNS query: scheme, credentials, port and the spelling of the host."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from sources.fetcher.addresses import IPAddress
from sources.fetcher.policy import FetchPolicy

__all__ = ["DEFAULT_PORTS", "Target", "UnsafeURLError", "parse_target"]

DEFAULT_PORTS = {"http": 80, "https": 443}


class UnsafeURLError(ValueError):
    """The URL must not be fetched: bad scheme/port/host, or it resolves to a non-public address."""


_DNS_LABEL_RE = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
# WHATWG "ends in a number": if the last label looks numeric, browsers and many libraries
# parse the whole host as an IPv4 address in decimal/octal/hex/short form.
_NUMERIC_LABEL_RE = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")
_FORBIDDEN_URL_CHARS_RE = re.compile(r"[\x00-\x1f\x7f\\]")
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa", ".localdomain")
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = _PATH_SAFE + "?"


@dataclass(frozen=True)
class Target:
    """A syntactically vetted URL, before (``addresses`` empty) or after resolution."""

    url: str  # normalised, without fragment
    scheme: str
    host: str  # lower-case ASCII; IPv6 without brackets
    port: int
    request_target: str  # path and query, percent-encoded
    host_header: str
    literal: IPAddress | None  # the host when it is an IP literal
    addresses: tuple[IPAddress, ...] = ()


def _normalise_host(raw: str) -> tuple[str, IPAddress | None]:
    """Return ``(ascii_host, ip_literal_or_None)`` or raise UnsafeURLError."""
    if not raw:
        raise UnsafeURLError("URL has no host")
    if ":" in raw:  # urlsplit already removed the brackets of an IPv6 literal
        if "%" in raw:
            raise UnsafeURLError("IPv6 zone identifiers are not allowed")
        try:
            return raw, ipaddress.IPv6Address(raw)
        except ValueError:
            raise UnsafeURLError(f"invalid IPv6 host {raw!r}") from None
    host = raw[:-1] if raw.endswith(".") else raw
    if not host.isascii():
        # UTS 46 mapping also folds look-alikes such as full-width digits ("１２７.０.０.１")
        # into ASCII, so the numeric check below sees what a browser would see.
        try:
            import idna

            host = idna.encode(host, uts46=True).decode("ascii")
        except (ImportError, UnicodeError, ValueError):
            try:
                host = host.encode("idna").decode("ascii")
            except UnicodeError:
                raise UnsafeURLError(f"invalid international host name {raw!r}") from None
    host = host.lower()
    labels = host.split(".")
    if _NUMERIC_LABEL_RE.match(labels[-1]):
        # Only the canonical dotted quad is accepted (ipaddress rejects leading zeros).
        # Decimal (2130706433), octal (0177.0.0.1), hex (0x7f.1) and short (127.1) forms
        # have no legitimate use and are classic filter bypasses.
        try:
            return host, ipaddress.IPv4Address(host)
        except ValueError:
            raise UnsafeURLError(
                f"non-canonical numeric host {raw!r} (decimal, octal, hex or short IPv4 forms)"
            ) from None
    if len(host) > 253 or not all(_DNS_LABEL_RE.match(label) for label in labels):
        raise UnsafeURLError(f"invalid host name {raw!r}")
    if host in _LOCAL_NAMES or host.endswith(_LOCAL_SUFFIXES):
        raise UnsafeURLError(f"host {raw!r} is a local name")
    if len(labels) < 2:
        # Single-label names resolve through search domains to internal machines.
        raise UnsafeURLError(f"single-label host {raw!r} is not a public name")
    return host, None


def parse_target(url: str, policy: FetchPolicy) -> Target:
    """Vet everything that can be vetted without DNS; raise UnsafeURLError on refusal."""
    if not isinstance(url, str):
        raise UnsafeURLError("URL must be a string")
    # Browsers percent-encode literal spaces; in the host they still make it invalid below.
    url = url.strip().replace(" ", "%20")
    if _FORBIDDEN_URL_CHARS_RE.search(url):
        # Control characters (tab, newline...) and backslashes are parsed differently by
        # different URL parsers; refusing them removes a whole class of bypasses.
        raise UnsafeURLError("URL contains control characters or backslashes")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURLError(f"malformed URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UnsafeURLError(f"scheme {scheme or '(none)'!r} is not allowed; use http or https")
    if "@" in parts.netloc:
        raise UnsafeURLError("credentials in URLs are not allowed")
    host, literal = _normalise_host(parts.hostname or "")
    port = DEFAULT_PORTS[scheme] if port is None else port
    if port not in policy.allowed_ports:
        raise UnsafeURLError(f"port {port} is not allowed")

    bracketed = f"[{host}]" if ":" in host else host
    netloc = bracketed if port == DEFAULT_PORTS[scheme] else f"{bracketed}:{port}"
    path = quote(parts.path or "/", safe=_PATH_SAFE)
    query = quote(parts.query, safe=_QUERY_SAFE)
    request_target = f"{path}?{query}" if query else path
    normalised = urlunsplit((scheme, netloc, path, query, ""))
    return Target(
        url=normalised,
        scheme=scheme,
        host=host,
        port=port,
        request_target=request_target,
        host_header=netloc,
        literal=literal,
    )
