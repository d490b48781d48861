"""URL normalisation, so one page cited twice is one Source.

The canonical form is w3lib's ``canonicalize_url`` (the one Scrapy deduplicates requests with):
dot segments resolved, percent-escapes in one case (and unreserved characters unescaped), an
IDN host in punycode, spaces and other unsafe characters percent-encoded, the query sorted and
the fragment dropped. Around it we keep only what w3lib leaves to the caller: refusing what is
not a citable http(s) URL, dropping the default port and the host's trailing dot, and dropping
parameters that identify a campaign or a click rather than the document.
"""

from __future__ import annotations

from urllib.parse import unquote_plus, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Parameters that identify a campaign or a click, never the document.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "yclid",
        "_ga",
        "_gl",
        "ocid",
        "cmpid",
        "ref_src",
        "smid",
    }
)
TRACKING_PREFIXES = ("utm_",)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(pair: str) -> bool:
    key = unquote_plus(pair.partition("=")[0]).lower()
    return key in TRACKING_PARAMETERS or key.startswith(TRACKING_PREFIXES)


def normalise_url(url: str) -> str:
    """The canonical form of an http(s) URL (see the module docstring).

    Raises ValueError with a readable message for anything that is not an http(s) URL.
    """
    url = url.strip()
    if "\x00" in url:
        raise ValueError("The URL contains a NUL character.")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError("Only http and https URLs can be cited.")
    if not parts.hostname:
        raise ValueError("The URL has no host name.")
    if parts.username or parts.password:
        raise ValueError("URLs with a user name or password cannot be cited.")
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        raise ValueError("The URL has an invalid port.") from None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    # Filtered on the raw pairs so the kept ones reach w3lib exactly as written.
    query = "&".join(pair for pair in parts.query.split("&") if pair and not _is_tracking(pair))
    try:
        return canonicalize_url(urlunsplit((scheme, netloc, parts.path or "/", query, "")))
    except (UnicodeError, ValueError):
        raise ValueError("The URL's host name is not a valid domain name.") from None
