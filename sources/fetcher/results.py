"""What a fetch reports: its outcome, the result record, and how failures map to outcomes."""

from __future__ import annotations

import email.utils
import enum
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError
from urllib3.exceptions import SSLError as Urllib3SSLError
from urllib3.exceptions import TimeoutError as Urllib3TimeoutError

from sources.fetcher.deadline import Deadline, DeadlineExceededError

__all__ = ["FetchOutcome", "FetchResult", "classify_exception", "parse_retry_after", "status_outcome"]


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


def _exception_chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def classify_exception(exc: BaseException, deadline: Deadline, *, connecting: bool) -> tuple[FetchOutcome, str]:
    """Map a network exception to an outcome.  The deadline wins over whatever broke."""
    if isinstance(exc, DeadlineExceededError) or deadline.expired():
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


def status_outcome(status: int) -> FetchOutcome | None:
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
