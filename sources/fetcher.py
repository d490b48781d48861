"""The one safe HTTP fetcher used by every outbound fetch in the product.

Every URL we fetch comes, directly or through a redirect, from someone we do not control, so
this module treats each one as a possible server-side request forgery (SSRF) attempt:

* only ``http``/``https`` on allowed ports (80 and 443 by default);
* the host is resolved once and *every* address must be public (loopback, private,
  link-local, CGNAT, multicast, reserved and IPv6 forms embedding such IPv4 addresses are
  refused); odd spellings (``localhost``, single-label names, decimal/octal/hex/short IPv4)
  are refused before any DNS query;
* the connection goes to the vetted IP address itself, never to the name again, so a DNS
  answer cannot change between the check and the connect (DNS rebinding), while TLS still
  sends SNI for, and verifies the certificate against, the original host name;
* redirects are followed here (at most ``max_redirects``), each hop vetted the same way;
* proxy environment variables are never consulted (urllib3 connections, not ``requests``);
* one deadline bounds the whole fetch: DNS, connect, TLS, headers, redirects and body;
* the *decoded* body is capped, so a gzip bomb is cut off after ``max_body_bytes``.

Network problems never raise: ``fetch`` returns a :class:`FetchResult` whose ``outcome`` says
what happened.  This module is deliberately independent of Django; only
:func:`policy_from_settings` touches Django settings, and it imports them lazily.
"""

from __future__ import annotations

import dataclasses
import email.utils
import enum
import functools
import io
import ipaddress
import os
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeoutError
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.client import HTTPException
from typing import Any
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError
from urllib3.exceptions import HTTPError as Urllib3HTTPError
from urllib3.exceptions import SSLError as Urllib3SSLError
from urllib3.exceptions import TimeoutError as Urllib3TimeoutError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]

__all__ = [
    "DEFAULT_ACCEPTED_TYPES",
    "DEFAULT_USER_AGENT",
    "FetchOutcome",
    "FetchPolicy",
    "FetchResult",
    "HostResolutionError",
    "UnsafeURLError",
    "default_resolver",
    "fetch",
    "is_public_address",
    "parse_retry_after",
    "policy_from_settings",
    "validate_public_url",
]


class FetchOutcome(enum.StrEnum):
    """What happened to a fetch.  A ``StrEnum``, so members compare equal to plain strings."""

    OK = "ok"
    REDIRECTED = "redirected"  # ok, but the content came from a different URL
    SOFT_404 = "soft_404"  # redirected to the site's front page: the page is probably gone
    GONE = "gone"  # 404, 410
    ACCESS_DENIED = "access_denied"  # 401, 403, 451
    RATE_LIMITED = "rate_limited"  # 429
    SERVER_ERROR = "server_error"  # 5xx, refused/reset connections, broken responses, redirect loops
    TIMEOUT = "timeout"  # the overall deadline (or a socket timeout) was hit
    DNS_ERROR = "dns_error"
    TLS_ERROR = "tls_error"  # certificate or handshake problems
    BLOCKED_UNSAFE = "blocked_unsafe"  # refused by the SSRF rules, nothing was sent
    BLOCKED_ROBOTS = "blocked_robots"  # produced by sources.politeness, never by fetch()
    TOO_LARGE = "too_large"  # decoded body exceeds the cap
    UNSUPPORTED_TYPE = "unsupported_type"  # content type (or content encoding) we do not accept
    NOT_FOUND = "not_found"  # any other 4xx: the server would not give us the resource


DEFAULT_USER_AGENT = "FactTrackerBot/1.0 (+https://example.org/about/crawler)"
DEFAULT_ACCEPTED_TYPES: tuple[str, ...] = (
    "text/html",
    "application/xhtml+xml",
    "text/plain",
    "application/pdf",
)
TEXT_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_PORTS = {"http": 80, "https": 443}
ALLOWED_METHODS = frozenset({"GET", "HEAD"})
# Headers the fetcher owns: letting callers set them would break vetting (Host) or decoding.
RESERVED_HEADERS = frozenset({"host", "accept-encoding", "connection", "content-length", "transfer-encoding", "te"})
# Credentials must not follow a redirect to another host.
CROSS_HOST_DROPPED_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
_READ_CHUNK = 64 * 1024


# --------------------------------------------------------------------------------------------
# Errors raised by the up-front validation helpers
# --------------------------------------------------------------------------------------------


class UnsafeURLError(ValueError):
    """The URL must not be fetched: bad scheme/port/host, or it resolves to a non-public address."""


class HostResolutionError(UnsafeURLError):
    """The host name could not be resolved (fetch reports this as ``dns_error``)."""


class _DeadlineExceededError(Exception):
    """Internal: the overall deadline passed before or during a step."""


# --------------------------------------------------------------------------------------------
# Address classification
# --------------------------------------------------------------------------------------------

# IANA special-purpose IPv4 ranges.  Listed explicitly instead of trusting only
# ``ipaddress.is_global``, whose answers differ between Python versions (and which calls
# multicast "global").
_BLOCKED_V4 = tuple(
    ipaddress.IPv4Network(net)
    for net in (
        "0.0.0.0/8",  # "this network", includes the unspecified 0.0.0.0
        "10.0.0.0/8",  # private
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local, cloud metadata endpoints
        "172.16.0.0/12",  # private
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # TEST-NET-1
        "192.88.99.0/24",  # deprecated 6to4 relay anycast
        "192.168.0.0/16",  # private
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # TEST-NET-2
        "203.0.113.0/24",  # TEST-NET-3
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, includes broadcast 255.255.255.255
    )
)
# Only 2000::/3 is allocated for global unicast.  Everything outside it is refused, which
# covers ::, ::1, IPv4-compatible ::/96, NAT64 local-use 64:ff9b:1::/48, ULA, link-local,
# site-local and multicast in one rule (IPv4-mapped and NAT64 well-known are handled first).
_GLOBAL_UNICAST_V6 = ipaddress.IPv6Network("2000::/3")
_BLOCKED_V6 = tuple(
    ipaddress.IPv6Network(net)
    for net in (
        "2001::/23",  # IETF protocol assignments, includes Teredo 2001::/32
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation
    )
)
_IPV4_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
_NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")


def _to_address(ip: str | IPAddress) -> IPAddress | None:
    if isinstance(ip, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return ip
    try:
        return ipaddress.ip_address(str(ip).strip().strip("[]"))
    except ValueError:
        return None


def _is_public_v4(address: ipaddress.IPv4Address) -> bool:
    if any(address in net for net in _BLOCKED_V4):
        return False
    return address.is_global


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a transition-mechanism IPv6 address points at, if it has one.

    A packet to ``::ffff:127.0.0.1`` (mapped), ``2002:7f00:1::`` (6to4) or
    ``64:ff9b::7f00:1`` (NAT64) ends up at the embedded IPv4 host, so that host is what
    must be public.
    """
    if address in _IPV4_MAPPED:
        return address.ipv4_mapped
    if address in _NAT64_WELL_KNOWN:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _SIX_TO_FOUR:
        return address.sixtofour
    return None


def is_public_address(ip: str | IPAddress) -> bool:
    """Return True if ``ip`` is a globally routable unicast address we may connect to.

    Pure function, no network.  Unparseable input, scoped IPv6 addresses and every
    special-purpose range (see ``_BLOCKED_V4``/``_BLOCKED_V6``) are not public; IPv6
    addresses embedding an IPv4 address are judged by the embedded address.
    """
    address = _to_address(ip)
    if address is None:
        return False
    if isinstance(address, ipaddress.IPv4Address):
        return _is_public_v4(address)
    if address.scope_id:  # a zone index only makes sense on a local link
        return False
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return _is_public_v4(embedded)
    if address not in _GLOBAL_UNICAST_V6:
        return False
    if any(address in net for net in _BLOCKED_V6):
        return False
    return address.is_global and not address.is_multicast


def _address_allowed(address: IPAddress, policy: FetchPolicy) -> bool:
    # The exemption matches the literal address only: an exempt 127.0.0.1/32 does not
    # exempt ::ffff:127.0.0.1, so a test exemption cannot be widened by re-spelling it.
    for net in policy.allowed_networks:
        if address.version == net.version and address in net:
            return True
    return is_public_address(address)


# --------------------------------------------------------------------------------------------
# Policy
# --------------------------------------------------------------------------------------------


def default_resolver(host: str, port: int) -> list[str]:
    """Resolve ``host`` with the system resolver; return each distinct address once, in order."""
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = str(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


@dataclass(frozen=True)
class FetchPolicy:
    """Everything that decides what the fetcher may do.  Immutable; share one per process.

    ``allowed_networks`` accepts CIDR strings or ``ipaddress`` networks and exempts those
    networks from the public-address rule.  Production leaves it empty; tests use it to
    reach 127.0.0.1.  ``ca_certs`` (a PEM bundle path) overrides the certifi bundle, for
    tests and private deployments.
    """

    user_agent: str = DEFAULT_USER_AGENT
    allowed_networks: tuple[IPNetwork, ...] = ()
    allowed_ports: frozenset[int] = frozenset({80, 443})
    max_redirects: int = 5
    deadline_seconds: float = 20.0
    connect_timeout: float = 5.0
    max_body_bytes: int = 5 * 1024 * 1024
    accepted_types: tuple[str, ...] = DEFAULT_ACCEPTED_TYPES
    resolver: Resolver = default_resolver
    ca_certs: str | None = None

    def __post_init__(self) -> None:
        # Normalise the convenient input forms (lists, CIDR strings) once, here, so the rest
        # of the module can rely on the declared types.
        networks = tuple(
            net if isinstance(net, (ipaddress.IPv4Network, ipaddress.IPv6Network)) else ipaddress.ip_network(str(net))
            for net in self.allowed_networks
        )
        object.__setattr__(self, "allowed_networks", networks)
        object.__setattr__(self, "allowed_ports", frozenset(int(p) for p in self.allowed_ports))
        object.__setattr__(self, "accepted_types", tuple(t.strip().lower() for t in self.accepted_types))
        if not self.user_agent.strip():
            raise ValueError("FetchPolicy.user_agent must not be empty")
        if self.max_redirects < 0:
            raise ValueError("FetchPolicy.max_redirects must be >= 0")
        if self.deadline_seconds <= 0 or self.connect_timeout <= 0:
            raise ValueError("FetchPolicy deadline_seconds and connect_timeout must be > 0")
        if self.max_body_bytes <= 0:
            raise ValueError("FetchPolicy.max_body_bytes must be > 0")


def policy_from_settings(**overrides: object) -> FetchPolicy:
    """Build the production policy from Django settings (imported lazily).

    Reads ``FETCH_ALLOWED_NETWORKS`` (list of CIDR strings), ``FETCH_USER_AGENT``,
    ``FETCH_MAX_BODY_BYTES`` and ``FETCH_DEADLINE_SECONDS``; ``overrides`` win over settings.
    """
    from django.conf import settings

    values: dict[str, object] = {
        "allowed_networks": tuple(getattr(settings, "FETCH_ALLOWED_NETWORKS", ()) or ()),
        "user_agent": getattr(settings, "FETCH_USER_AGENT", DEFAULT_USER_AGENT),
        "max_body_bytes": int(getattr(settings, "FETCH_MAX_BODY_BYTES", 5 * 1024 * 1024)),
        "deadline_seconds": float(getattr(settings, "FETCH_DEADLINE_SECONDS", 20.0)),
    }
    values.update(overrides)
    return FetchPolicy(**values)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------


@dataclass
class FetchResult:
    """The outcome of one fetch, redirects included.  ``body`` is the decoded body.

    On ``too_large`` ``body`` holds the first ``max_body_bytes`` decoded bytes (robots.txt
    parsing uses that prefix); on every other non-ok outcome it is empty.
    """

    outcome: FetchOutcome
    url: str
    final_url: str
    status: int | None = None
    redirect_chain: list[dict[str, object]] = field(default_factory=list)
    elapsed_ms: int = 0
    error: str = ""
    content_type: str = ""
    charset: str = ""
    body: bytes = b""
    text: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    retry_after_seconds: float | None = None

    @property
    def ok(self) -> bool:
        """True when the body is the requested content (``ok`` or ``redirected``)."""
        return self.outcome in (FetchOutcome.OK, FetchOutcome.REDIRECTED)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait according to a ``Retry-After`` value (delta-seconds or HTTP-date).

    Returns None when absent or unparseable; a date in the past gives 0.
    """
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"[0-9]+", value):
        return float(int(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # HTTP-dates are GMT by definition
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


# --------------------------------------------------------------------------------------------
# URL parsing and vetting
# --------------------------------------------------------------------------------------------

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
class _Target:
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


def _parse_target(url: str, policy: FetchPolicy) -> _Target:
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
    return _Target(
        url=normalised,
        scheme=scheme,
        host=host,
        port=port,
        request_target=request_target,
        host_header=netloc,
        literal=literal,
    )


_resolver_pool: ThreadPoolExecutor | None = None
_resolver_pool_pid: int | None = None
_resolver_pool_lock = threading.Lock()


def _resolver_executor() -> ThreadPoolExecutor:
    """A small shared pool so a hanging DNS lookup cannot outlive the fetch deadline.

    getaddrinfo() has no timeout parameter; running it in a pool lets the caller stop
    waiting.  Recreated after fork (Celery prefork) because threads do not survive fork.
    """
    global _resolver_pool, _resolver_pool_pid
    with _resolver_pool_lock:
        if _resolver_pool is None or _resolver_pool_pid != os.getpid():
            _resolver_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="fetch-dns")
            _resolver_pool_pid = os.getpid()
        return _resolver_pool


def _resolve(target: _Target, policy: FetchPolicy, timeout: float) -> _Target:
    """Resolve the host (unless it is a literal) and vet every address."""
    if target.literal is not None:
        raw: list[str] = [str(target.literal)]
    else:
        if timeout <= 0:
            raise _DeadlineExceededError
        future = _resolver_executor().submit(policy.resolver, target.host, target.port)
        try:
            raw = list(future.result(timeout=timeout))
        except FutureTimeoutError:
            future.cancel()
            raise _DeadlineExceededError from None
        except (OSError, UnicodeError, ValueError) as exc:
            raise HostResolutionError(f"could not resolve {target.host!r}: {exc}") from None
        if not raw:
            raise HostResolutionError(f"{target.host!r} has no addresses")
    addresses: list[IPAddress] = []
    for item in raw:
        address = _to_address(item)
        if address is None:
            raise UnsafeURLError(f"{target.host!r} resolved to an unparseable address {item!r}")
        # Refuse if ANY address is unsafe: connecting to "the public one" would still let
        # an attacker steer us through whichever address a retry or happy-eyeballs picks.
        if not _address_allowed(address, policy):
            raise UnsafeURLError(f"{target.host!r} resolves to non-public address {address}")
        addresses.append(address)
    return dataclasses.replace(target, addresses=tuple(addresses))


def validate_public_url(url: str, policy: FetchPolicy) -> None:
    """Refuse a URL up front (for forms and APIs): scheme, credentials, port, host, addresses.

    Raises :class:`UnsafeURLError` (a ``ValueError``) with a human-readable message, or its
    subclass :class:`HostResolutionError` when the name does not resolve.  Makes no HTTP
    request; resolves the host name with ``policy.resolver``.
    """
    _resolve(_parse_target(url, policy), policy, policy.deadline_seconds)


# --------------------------------------------------------------------------------------------
# Deadline-bounded connections
# --------------------------------------------------------------------------------------------


class _Deadline:
    """The single time budget of one fetch."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.started = time.monotonic()
        self.at = self.started + seconds

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def expired(self) -> bool:
        return self.remaining() <= 0

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self.started) * 1000)


class _DeadlineReader(io.RawIOBase):
    """Raw reader that gives each ``recv`` only the time left before the deadline.

    Per-read timeouts alone let a server that drips one byte at a time (in the headers or
    the body) hold us forever, because every single read succeeds quickly.  Re-arming the
    socket timeout with the *remaining* budget before every read bounds the total.
    """

    def __init__(self, owner: _DeadlineSocket) -> None:
        super().__init__()
        self._owner = owner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        remaining = self._owner.deadline.remaining()
        if remaining <= 0:
            raise TimeoutError("fetch deadline exceeded")
        sock = self._owner.sock
        sock.settimeout(remaining)
        return sock.recv_into(buffer)

    def close(self) -> None:
        if not self.closed:
            self._owner.reader_closed()
        super().close()


class _DeadlineSocket:
    """Proxy for a connected (TLS) socket whose ``makefile`` returns a deadline-bound reader.

    http.client reads status line, headers and body through ``sock.makefile("rb")``; all
    other socket methods are delegated unchanged.  Like ``socket.socket`` it only really
    closes once every reader is closed too: http.client "closes" the connection as soon as
    the response takes over a ``Connection: close`` socket, while the response still reads.
    """

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self.sock = sock
        self.deadline = deadline
        self._readers = 0
        self._close_requested = False

    def makefile(self, mode: str = "rb", *args: object, **kwargs: object) -> io.BufferedReader:
        if "w" in mode:
            raise ValueError("deadline socket is read-only through makefile()")
        self._readers += 1
        return io.BufferedReader(_DeadlineReader(self))

    def reader_closed(self) -> None:
        self._readers -= 1
        if self._close_requested and self._readers <= 0:
            self.sock.close()

    def close(self) -> None:
        self._close_requested = True
        if self._readers <= 0:
            self.sock.close()

    def __getattr__(self, name: str) -> object:
        return getattr(self.sock, name)


def _ssl_context(policy: FetchPolicy) -> ssl.SSLContext:
    cafile = policy.ca_certs
    if cafile is None:
        try:
            import certifi

            cafile = certifi.where()
        except ImportError:  # fall back to the system store
            cafile = None
    return _ssl_context_for(cafile)


@functools.lru_cache(maxsize=8)
def _ssl_context_for(cafile: str | None) -> ssl.SSLContext:
    # Loading a CA bundle costs milliseconds; an SSLContext is safe to share between threads.
    context = ssl.create_default_context(cafile=cafile)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    # check_hostname stays True: OpenSSL itself verifies the certificate against the
    # server_hostname we pass (the original name), even though we connect to an IP.
    return context


def _open_connection(target: _Target, policy: FetchPolicy, deadline: _Deadline) -> HTTPConnection:
    """Connect to the first reachable vetted address of ``target``.

    We hand urllib3 the *IP address* as the host, so no second DNS lookup happens (a
    rebinding resolver cannot swap the answer after vetting).  For https we pass the
    original name as ``server_hostname``: urllib3 sends it as SNI, and because we supply an
    SSLContext with ``check_hostname=True`` and no ``assert_hostname``, OpenSSL verifies the
    certificate chain and that the certificate matches that name.  The Host header is set
    explicitly by the caller.
    """
    last_error: Exception | None = None
    for address in target.addresses:
        timeout = min(policy.connect_timeout, deadline.remaining())
        if timeout <= 0:
            raise _DeadlineExceededError
        conn: HTTPConnection
        if target.scheme == "https":
            conn = HTTPSConnection(
                host=str(address),
                port=target.port,
                timeout=timeout,
                server_hostname=target.host,
                ssl_context=_ssl_context(policy),
                cert_reqs="CERT_REQUIRED",
            )
        else:
            conn = HTTPConnection(host=str(address), port=target.port, timeout=timeout)
        try:
            # TCP connect is bounded by `timeout`; CPython bounds the whole TLS handshake by
            # the socket timeout too, so this step cannot exceed the remaining budget much.
            conn.connect()
        except (NewConnectionError, ConnectTimeoutError) as exc:
            # Plain TCP failure: another vetted address of the same host may work.
            conn.close()
            last_error = exc
            continue
        except BaseException:
            conn.close()
            raise
        conn.sock = _DeadlineSocket(conn.sock, deadline)  # type: ignore[assignment]
        return conn
    raise last_error if last_error is not None else _DeadlineExceededError()


# --------------------------------------------------------------------------------------------
# Body decoding
# --------------------------------------------------------------------------------------------

_SUPPORTED_ENCODINGS = frozenset({"", "identity", "gzip", "x-gzip", "deflate"})


class _BodyTooLargeError(Exception):
    pass


class _BodyDecoder:
    """Incrementally decodes a (gzip/deflate/identity) body and enforces the decoded cap.

    Decompression is asked for at most ``cap - size + 1`` bytes at a time, so a gzip bomb
    never expands in memory beyond the cap: we stop as soon as one byte too many appears.
    """

    def __init__(self, encoding: str, cap: int) -> None:
        self._cap = cap
        self._size = 0
        self._parts: list[bytes] = []
        self._gzip = encoding in ("gzip", "x-gzip")
        self._deflate = encoding == "deflate"
        self._decompressor: Any = None  # zlib decompress object
        self._started = False
        self._finished_member = False
        if self._gzip:
            self._decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self._deflate:
            self._decompressor = zlib.decompressobj(zlib.MAX_WBITS)

    @property
    def body(self) -> bytes:
        return b"".join(self._parts)

    def _append(self, chunk: bytes) -> None:
        if not chunk:
            return
        room = self._cap - self._size
        if len(chunk) > room:
            self._parts.append(chunk[:room])
            self._size = self._cap
            raise _BodyTooLargeError
        self._parts.append(chunk)
        self._size += len(chunk)

    def feed(self, data: bytes) -> None:
        if self._decompressor is None:
            self._append(data)
            return
        if self._finished_member:
            # Concatenated gzip members are legal (RFC 1952); other trailing bytes are junk
            # that browsers ignore, and so do we.
            if not (self._gzip and data.startswith(b"\x1f\x8b")):
                return
            self._decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
            self._finished_member = False
        pending = data
        while pending:
            budget = self._cap - self._size + 1
            try:
                out = self._decompressor.decompress(pending, budget)
            except zlib.error:
                if self._deflate and not self._started:
                    # Some servers send raw deflate instead of the zlib format HTTP specifies.
                    self._decompressor = zlib.decompressobj(-zlib.MAX_WBITS)
                    self._started = True
                    continue
                raise
            self._started = True
            self._append(out)
            if self._decompressor.eof:
                rest = self._decompressor.unused_data
                self._finished_member = True
                if rest:
                    self.feed(rest)
                return
            pending = self._decompressor.unconsumed_tail

    def finish(self) -> None:
        if self._decompressor is not None and not self._finished_member:
            # Only the window-sized internal buffer can remain here; _append still checks it.
            self._append(self._decompressor.flush())


# --------------------------------------------------------------------------------------------
# Text decoding
# --------------------------------------------------------------------------------------------

_CHARSET_PARAM_RE = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:+-]+)""", re.IGNORECASE)
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:+-]+)""", re.I)
_XML_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""", re.I)
_MIME_RE = re.compile(r"^[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+$")
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def _parse_content_type(value: str | None) -> tuple[str, str]:
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
    import codecs

    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _decode_text(body: bytes, declared: str, mime: str) -> tuple[str, str]:
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


# --------------------------------------------------------------------------------------------
# Fetch
# --------------------------------------------------------------------------------------------


def _exception_chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _classify_exception(exc: BaseException, deadline: _Deadline, *, connecting: bool) -> tuple[FetchOutcome, str]:
    """Map a network exception to an outcome.  The deadline wins over whatever broke."""
    if isinstance(exc, _DeadlineExceededError) or deadline.expired():
        return FetchOutcome.TIMEOUT, f"deadline of {deadline.seconds:g}s exceeded"
    chain = list(_exception_chain(exc))
    for item in chain:
        if isinstance(item, (ssl.SSLCertVerificationError, ssl.CertificateError)):
            return FetchOutcome.TLS_ERROR, f"certificate verification failed: {item}"
        if connecting and isinstance(item, (ssl.SSLError, Urllib3SSLError)):
            return FetchOutcome.TLS_ERROR, f"TLS handshake failed: {item}"
    for item in chain:
        # NewConnectionError subclasses ConnectTimeoutError in urllib3 2, so test it first.
        if isinstance(item, NewConnectionError):
            return FetchOutcome.SERVER_ERROR, f"could not connect: {item}"
        if isinstance(item, (TimeoutError, ConnectTimeoutError, ReadTimeoutError, Urllib3TimeoutError)):
            return FetchOutcome.TIMEOUT, f"timed out: {item}"
    return FetchOutcome.SERVER_ERROR, f"{type(exc).__name__}: {exc}"


def _status_outcome(status: int) -> FetchOutcome | None:
    """Outcome for a final (non-followed) status; None means 2xx, i.e. read the body."""
    if 200 <= status < 300:
        return None
    if status in (404, 410):
        return FetchOutcome.GONE
    if status in (401, 403, 451):
        return FetchOutcome.ACCESS_DENIED
    if status == 429:
        return FetchOutcome.RATE_LIMITED
    if 400 <= status < 500:
        return FetchOutcome.NOT_FOUND
    return FetchOutcome.SERVER_ERROR  # 5xx, and 1xx/3xx that we cannot use as a final answer


def _lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    # urllib3's HTTPHeaderDict joins repeated headers with ", " on item access.
    return {name.lower(): headers[name] for name in headers.keys()}


def _accept_header(types: Iterable[str]) -> str:
    return ", ".join(types) + ", */*;q=0.1"


def _check_extra_headers(extra_headers: Mapping[str, str] | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in (extra_headers or {}).items():
        if name.lower() in RESERVED_HEADERS:
            raise ValueError(f"header {name!r} is controlled by the fetcher")
        headers[name] = value
    return headers


def _request_headers(
    policy: FetchPolicy, target: _Target, original: _Target, caller_headers: Mapping[str, str]
) -> dict[str, str]:
    headers = {
        "User-Agent": policy.user_agent,
        "Accept": _accept_header(policy.accepted_types),
        "Accept-Encoding": "gzip, deflate",  # only what _BodyDecoder can bound
        "Connection": "close",
    }
    for name, value in caller_headers.items():
        if target.host != original.host and name.lower() in CROSS_HOST_DROPPED_HEADERS:
            continue
        headers[name] = value
    headers["Host"] = target.host_header
    return headers


def _redirect_url(current: str, location: str) -> str:
    # http.client decodes header bytes as latin-1; servers that send raw UTF-8 in Location
    # get their bytes back here, and _parse_target percent-encodes them properly.
    try:
        location = location.encode("latin-1").decode("utf-8")
    except UnicodeError:
        pass
    return urljoin(current, location).partition("#")[0]


def _read_body(
    response: Any, encoding: str, policy: FetchPolicy, deadline: _Deadline
) -> tuple[bytes, FetchOutcome | None, str]:
    """Read and decode the body.  Returns ``(body, failure_outcome_or_None, error)``."""
    declared_length = response.headers.get("content-length", "").strip()
    if encoding in ("", "identity") and declared_length.isdigit() and int(declared_length) > policy.max_body_bytes:
        # Refuse before downloading: the server told us it is too big.
        return b"", FetchOutcome.TOO_LARGE, f"Content-Length {declared_length} exceeds {policy.max_body_bytes} bytes"
    decoder = _BodyDecoder(encoding, policy.max_body_bytes)
    try:
        while True:
            if deadline.expired():
                raise _DeadlineExceededError
            # read1 returns whatever one socket read brings, so the cap and the deadline
            # are checked at least once per network read.
            chunk = response.read1(_READ_CHUNK, decode_content=False)
            if not chunk:
                break
            decoder.feed(chunk)
        decoder.finish()
    except _BodyTooLargeError:
        return decoder.body, FetchOutcome.TOO_LARGE, f"decoded body exceeds {policy.max_body_bytes} bytes"
    except zlib.error as exc:
        return b"", FetchOutcome.SERVER_ERROR, f"could not decode {encoding} body: {exc}"
    except (_DeadlineExceededError, OSError, HTTPException, Urllib3HTTPError) as exc:
        outcome, error = _classify_exception(exc, deadline, connecting=False)
        return b"", outcome, error
    return decoder.body, None, ""


def fetch(
    url: str,
    *,
    policy: FetchPolicy,
    method: str = "GET",
    extra_headers: Mapping[str, str] | None = None,
) -> FetchResult:
    """Fetch ``url`` under ``policy``; never raises for network problems.

    Raises ``ValueError`` only for programming errors (a method other than GET/HEAD, or an
    extra header the fetcher must control such as Host).
    """
    method = method.upper()
    if method not in ALLOWED_METHODS:
        raise ValueError(f"method {method!r} is not supported; use GET or HEAD")
    caller_headers = _check_extra_headers(extra_headers)
    deadline = _Deadline(policy.deadline_seconds)
    chain: list[dict[str, object]] = []
    visited: set[str] = set()
    original: _Target | None = None
    current_url = url

    def finish(outcome: FetchOutcome, **values: Any) -> FetchResult:
        values.setdefault("final_url", current_url)
        return FetchResult(outcome=outcome, url=url, redirect_chain=chain, elapsed_ms=deadline.elapsed_ms(), **values)

    while True:
        # 1. Vet the hop without DNS, detect loops, then resolve and vet every address.
        try:
            target = _parse_target(current_url, policy)
        except UnsafeURLError as exc:
            return finish(FetchOutcome.BLOCKED_UNSAFE, error=str(exc))
        if target.url in visited:
            return finish(FetchOutcome.SERVER_ERROR, error=f"redirect loop at {target.url}")
        visited.add(target.url)
        try:
            target = _resolve(target, policy, deadline.remaining())
        except _DeadlineExceededError:
            return finish(FetchOutcome.TIMEOUT, error=f"deadline of {deadline.seconds:g}s exceeded")
        except HostResolutionError as exc:
            return finish(FetchOutcome.DNS_ERROR, error=str(exc))
        except UnsafeURLError as exc:
            return finish(FetchOutcome.BLOCKED_UNSAFE, error=str(exc))
        original = original or target

        # 2. Connect to a vetted address, send the request, read the status and headers.
        try:
            conn = _open_connection(target, policy, deadline)
        except (_DeadlineExceededError, OSError, HTTPException, Urllib3HTTPError, ssl.CertificateError) as exc:
            outcome, error = _classify_exception(exc, deadline, connecting=True)
            return finish(outcome, error=error, final_url=target.url)
        response = None
        try:
            try:
                conn.timeout = max(deadline.remaining(), 0.001)
                conn.request(
                    method,
                    target.request_target,
                    headers=_request_headers(policy, target, original, caller_headers),
                    preload_content=False,
                    decode_content=False,
                )
                response = conn.getresponse()
            except (OSError, HTTPException, Urllib3HTTPError) as exc:
                outcome, error = _classify_exception(exc, deadline, connecting=False)
                return finish(outcome, error=error, final_url=target.url)

            status = response.status
            headers = _lower_headers(response.headers)
            common: dict[str, Any] = {
                "final_url": target.url,
                "status": status,
                "headers": headers,
                "retry_after_seconds": parse_retry_after(headers.get("retry-after")),
            }

            # 3. Redirects: record the hop and loop to vet the next one.
            location = headers.get("location", "").strip()
            if status in REDIRECT_STATUSES and location:
                chain.append({"url": target.url, "status": status})
                if len(chain) > policy.max_redirects:
                    return finish(
                        FetchOutcome.SERVER_ERROR, error=f"more than {policy.max_redirects} redirects", **common
                    )
                current_url = _redirect_url(target.url, location)
                continue

            outcome = _status_outcome(status)
            if outcome is not None:
                missing_location = status in REDIRECT_STATUSES
                error = f"HTTP {status} without a Location header" if missing_location else f"HTTP {status}"
                return finish(outcome, error=error, **common)

            # 4. A 2xx answer: check type and encoding before downloading anything.
            mime, declared_charset = _parse_content_type(headers.get("content-type"))
            common["content_type"] = mime
            if mime not in policy.accepted_types:
                error = f"content type {mime or '(missing)'!r} is not accepted"
                return finish(FetchOutcome.UNSUPPORTED_TYPE, error=error, **common)
            encoding = headers.get("content-encoding", "").strip().lower()
            if encoding not in _SUPPORTED_ENCODINGS:
                error = f"content encoding {encoding!r} is not supported"
                return finish(FetchOutcome.UNSUPPORTED_TYPE, error=error, **common)
            body = b""
            if method != "HEAD":
                body, failure, error = _read_body(response, encoding, policy, deadline)
                if failure is not None:
                    return finish(failure, error=error, body=body, **common)

            text, charset = "", declared_charset
            if mime in TEXT_TYPES and body:
                text, charset = _decode_text(body, declared_charset, mime)
            outcome = FetchOutcome.OK
            if chain and target.url != original.url:
                outcome = FetchOutcome.REDIRECTED
                # Landing on the front page ("/", any query) from anything else, including
                # "/?p=42" style permalinks, means the page we asked for no longer exists.
                lands_on_front_page = target.request_target.partition("?")[0] == "/"
                if lands_on_front_page and original.request_target != "/":
                    outcome = FetchOutcome.SOFT_404
            return finish(outcome, charset=charset, body=body, text=text, **common)
        finally:
            # Closing the response closes its reader, which releases the socket.
            if response is not None:
                response.close()
            conn.close()
