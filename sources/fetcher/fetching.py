"""The fetch itself: one vetted request per hop, following redirects until an answer.

Each hop is vetted before anything is sent to it: its URL without DNS, then every address
its name resolves to. Only a 2xx answer of an accepted type and encoding is downloaded.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.client import HTTPException
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from urllib3.exceptions import HTTPError as Urllib3HTTPError

from sources.fetcher.bodies import SUPPORTED_ENCODINGS, read_body
from sources.fetcher.charsets import decode_text, parse_content_type
from sources.fetcher.connections import open_connection
from sources.fetcher.deadline import Deadline, DeadlineExceededError
from sources.fetcher.policy import FetchPolicy
from sources.fetcher.resolving import HostResolutionError, resolve
from sources.fetcher.results import FetchOutcome, FetchResult, classify_exception, parse_retry_after, status_outcome
from sources.fetcher.urls import Target, UnsafeURLError, parse_target

if TYPE_CHECKING:
    from urllib3.connection import HTTPConnection
    from urllib3.response import BaseHTTPResponse

__all__ = [
    "ALLOWED_METHODS",
    "CROSS_HOST_DROPPED_HEADERS",
    "REDIRECT_STATUSES",
    "RESERVED_HEADERS",
    "TEXT_TYPES",
    "fetch",
]

TEXT_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ALLOWED_METHODS = frozenset({"GET", "HEAD"})
# Headers the fetcher owns: letting callers set them would break vetting (Host) or decoding.
RESERVED_HEADERS = frozenset({"host", "accept-encoding", "connection", "content-length", "transfer-encoding", "te"})
# Credentials must not follow a redirect to another host.
CROSS_HOST_DROPPED_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


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
    trip = _Trip(
        url=url,
        policy=policy,
        method=method,
        caller_headers=caller_headers,
        deadline=Deadline(policy.deadline_seconds),
        current_url=url,
    )
    while True:
        target = _vet_hop(trip)
        if isinstance(target, FetchResult):
            return target
        answer = _exchange(trip, target)
        if isinstance(answer, FetchResult):
            return answer
        trip.current_url = answer  # a redirect: the next hop is vetted like the first


@dataclass
class _Trip:
    """One fetch in progress: what was asked, the hops so far and the time left."""

    url: str
    policy: FetchPolicy
    method: str
    caller_headers: dict[str, str]
    deadline: Deadline
    current_url: str
    chain: list[dict[str, object]] = field(default_factory=list)
    visited: set[str] = field(default_factory=set)
    original: Target | None = None

    @property
    def origin(self) -> Target:
        """The first hop, vetted (set before the first request is sent)."""
        assert self.original is not None
        return self.original

    def finish(self, outcome: FetchOutcome, **values: Any) -> FetchResult:
        values.setdefault("final_url", self.current_url)
        return FetchResult(
            outcome=outcome, url=self.url, redirect_chain=self.chain, elapsed_ms=self.deadline.elapsed_ms(), **values
        )

    def failed(self, exc: BaseException, target: Target, *, connecting: bool) -> FetchResult:
        outcome, error = classify_exception(exc, self.deadline, connecting=connecting)
        return self.finish(outcome, error=error, final_url=target.url)


def _vet_hop(trip: _Trip) -> Target | FetchResult:
    """Vet the hop without DNS, detect loops, then resolve and vet every address."""
    try:
        target = parse_target(trip.current_url, trip.policy)
    except UnsafeURLError as exc:
        return trip.finish(FetchOutcome.BLOCKED_UNSAFE, error=str(exc))
    if target.url in trip.visited:
        return trip.finish(FetchOutcome.SERVER_ERROR, error=f"redirect loop at {target.url}")
    trip.visited.add(target.url)
    try:
        target = resolve(target, trip.policy, trip.deadline.remaining())
    except DeadlineExceededError:
        return trip.finish(FetchOutcome.TIMEOUT, error=f"deadline of {trip.deadline.seconds:g}s exceeded")
    except HostResolutionError as exc:
        return trip.finish(FetchOutcome.DNS_ERROR, error=str(exc))
    except UnsafeURLError as exc:
        return trip.finish(FetchOutcome.BLOCKED_UNSAFE, error=str(exc))
    if trip.original is None:
        trip.original = target
    return target


def _exchange(trip: _Trip, target: Target) -> FetchResult | str:
    """One request to a vetted hop: the result, or the URL a redirect points to."""
    try:
        conn = open_connection(target, trip.policy, trip.deadline)
    except (DeadlineExceededError, OSError, HTTPException, Urllib3HTTPError, ssl.CertificateError) as exc:
        return trip.failed(exc, target, connecting=True)
    response = None
    try:
        try:
            response = _send(conn, trip, target)
        except (OSError, HTTPException, Urllib3HTTPError) as exc:
            return trip.failed(exc, target, connecting=False)
        return _answer(trip, target, response)
    finally:
        # Closing the response closes its reader, which releases the socket.
        if response is not None:
            response.close()
        conn.close()


def _send(conn: HTTPConnection, trip: _Trip, target: Target) -> BaseHTTPResponse:
    """Send the request and read the status line and headers."""
    conn.timeout = max(trip.deadline.remaining(), 0.001)
    conn.request(
        trip.method,
        target.request_target,
        headers=_request_headers(trip.policy, target, trip.origin, trip.caller_headers),
        preload_content=False,
        decode_content=False,
    )
    return conn.getresponse()


def _answer(trip: _Trip, target: Target, response: BaseHTTPResponse) -> FetchResult | str:
    """Follow a redirect, report a status that is not a success, or read a 2xx answer."""
    status = response.status
    headers = _lower_headers(response.headers)
    head: dict[str, Any] = {
        "final_url": target.url,
        "status": status,
        "headers": headers,
        "retry_after_seconds": parse_retry_after(headers.get("retry-after")),
    }
    location = headers.get("location", "").strip()
    if status in REDIRECT_STATUSES and location:
        return _follow_redirect(trip, target, status, location, head)
    outcome = status_outcome(status)
    if outcome is not None:
        missing_location = status in REDIRECT_STATUSES
        error = f"HTTP {status} without a Location header" if missing_location else f"HTTP {status}"
        return trip.finish(outcome, error=error, **head)
    return _read_content(trip, target, response, headers, head)


def _follow_redirect(
    trip: _Trip, target: Target, status: int, location: str, head: dict[str, Any]
) -> FetchResult | str:
    """Record the hop; return the next URL, or the result once there are too many redirects."""
    trip.chain.append({"url": target.url, "status": status})
    if len(trip.chain) > trip.policy.max_redirects:
        return trip.finish(FetchOutcome.SERVER_ERROR, error=f"more than {trip.policy.max_redirects} redirects", **head)
    return _redirect_url(target.url, location)


def _read_content(
    trip: _Trip, target: Target, response: BaseHTTPResponse, headers: dict[str, str], head: dict[str, Any]
) -> FetchResult:
    """A 2xx answer: check type and encoding before downloading anything, then read and decode."""
    mime, declared_charset = parse_content_type(headers.get("content-type"))
    head = {**head, "content_type": mime}
    encoding = headers.get("content-encoding", "").strip().lower()
    refusal = _format_refusal(mime, encoding, trip.policy)
    if refusal:
        return trip.finish(FetchOutcome.UNSUPPORTED_TYPE, error=refusal, **head)
    body = b""
    if trip.method != "HEAD":
        body, failure, error = read_body(response, encoding, trip.policy, trip.deadline)
        if failure is not None:
            return trip.finish(failure, error=error, body=body, **head)
    text, charset = "", declared_charset
    if mime in TEXT_TYPES and body:
        text, charset = decode_text(body, declared_charset, mime)
    return trip.finish(_success_outcome(trip, target), charset=charset, body=body, text=text, **head)


def _format_refusal(mime: str, encoding: str, policy: FetchPolicy) -> str:
    """Why a 2xx answer's content type or encoding is refused; "" when both are accepted."""
    if mime not in policy.accepted_types:
        return f"content type {mime or '(missing)'!r} is not accepted"
    if encoding not in SUPPORTED_ENCODINGS:
        return f"content encoding {encoding!r} is not supported"
    return ""


def _success_outcome(trip: _Trip, target: Target) -> FetchOutcome:
    if not trip.chain or target.url == trip.origin.url:
        return FetchOutcome.OK
    # Landing on the front page ("/", any query) from anything else, including
    # "/?p=42" style permalinks, means the page we asked for no longer exists.
    lands_on_front_page = target.request_target.partition("?")[0] == "/"
    if lands_on_front_page and trip.origin.request_target != "/":
        return FetchOutcome.SOFT_404
    return FetchOutcome.REDIRECTED


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
    policy: FetchPolicy, target: Target, original: Target, caller_headers: Mapping[str, str]
) -> dict[str, str]:
    headers = {
        "User-Agent": policy.user_agent,
        "Accept": _accept_header(policy.accepted_types),
        "Accept-Encoding": "gzip, deflate",  # only what bodies.read_body can bound
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
    # get their bytes back here, and parse_target percent-encodes them properly.
    try:
        location = location.encode("latin-1").decode("utf-8")
    except UnicodeError:
        pass
    return urljoin(current, location).partition("#")[0]
