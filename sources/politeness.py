"""Being a good citizen on other people's servers: per-host pacing, robots.txt, back-off.

* :class:`HostThrottle` keeps a minimum interval between requests to one host across all
  workers, using one atomic Redis step per attempt.
* :class:`RobotsCache` obeys robots.txt (RFC 9309), fetched through the safe fetcher and
  cached in Redis; the rules are read by Protego (wildcards, ``$``, longest match wins), not by
  the standard library's parser, which ignores both and lets the first matching line win.
* :func:`backoff_seconds` computes retry delays: exponential, jittered, never sooner than
  the server's ``Retry-After``.
* :func:`polite_fetch` puts it together and raises :class:`HostBusy` instead of sleeping,
  so a Celery task can ``retry(countdown=busy.retry_in_seconds)`` without blocking a worker.

Django-independent: Redis clients and fetch functions are injected.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, Protocol
from urllib.parse import urlsplit

from protego import Protego

from sources.fetcher import (
    FetchOutcome,
    FetchPolicy,
    FetchResult,
    HostResolutionError,
    UnsafeURLError,
    fetch,
    validate_public_url,
)

__all__ = [
    "HostBusy",
    "HostThrottle",
    "RobotsCache",
    "ROBOTS_MAX_BYTES",
    "backoff_seconds",
    "polite_fetch",
    "robots_fetcher",
]

# RFC 9309 2.5: crawlers must parse at least the first 500 KiB of a robots.txt.
ROBOTS_MAX_BYTES = 512 * 1024
RobotsFetch = Callable[[str], FetchResult]


class HostBusy(Exception):  # noqa: N818  (public name fixed by the task API)
    """The host was contacted less than the minimum interval ago; try again later."""

    def __init__(self, host: str, retry_in_seconds: float) -> None:
        super().__init__(f"{host} is busy; retry in {retry_in_seconds:.3f}s")
        self.host = host
        self.retry_in_seconds = retry_in_seconds


class _Redis(Protocol):  # the subset of redis.Redis we use
    def register_script(self, script: str) -> Any: ...
    def pttl(self, name: str) -> int: ...
    def get(self, name: str) -> Any: ...
    def set(self, name: str, value: str, ex: int | None = None) -> Any: ...


def _host_key(host: str) -> str:
    return host.strip().lower().rstrip(".")


# --------------------------------------------------------------------------------------------
# Host throttle
# --------------------------------------------------------------------------------------------

# KEYS[1] = throttle key of one host, ARGV[1] = interval in ms.
# SET NX PX claims the slot only if nobody holds it.  Redis runs a script as one atomic
# step, so two workers racing for the same host can never both be granted; PTTL then tells
# the loser how long the winner keeps the slot.  Redis' own clock is the only clock used,
# so workers with skewed clocks still agree.
_ACQUIRE_SCRIPT = """
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then
  return 0
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -1 then
  -- a key without expiry would block the host forever: repair it
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
if ttl < 1 then ttl = 1 end
return ttl
"""

# KEYS[1] = throttle key, ARGV[1] = block duration in ms.  Only ever extends the block: a
# short Retry-After must not cut a longer one another worker already recorded.
_BLOCK_SCRIPT = """
local current = redis.call('PTTL', KEYS[1])
if current < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], 'retry-after', 'PX', ARGV[1])
  return tonumber(ARGV[1])
end
return current
"""


class HostThrottle:
    """Minimum interval between two requests to the same host, shared through Redis."""

    def __init__(self, redis_client: _Redis, min_interval_seconds: float, key_prefix: str = "fetch") -> None:
        if min_interval_seconds <= 0:
            raise ValueError("min_interval_seconds must be > 0")
        self._redis = redis_client
        self.min_interval_seconds = min_interval_seconds
        self.key_prefix = key_prefix
        self._acquire = redis_client.register_script(_ACQUIRE_SCRIPT)
        self._block = redis_client.register_script(_BLOCK_SCRIPT)

    def _key(self, host: str) -> str:
        return f"{self.key_prefix}:throttle:{_host_key(host)}"

    def acquire(self, host: str) -> float:
        """Claim the host's slot.  Return 0.0 if granted, else the seconds to wait."""
        interval_ms = max(1, int(self.min_interval_seconds * 1000))
        wait_ms = int(self._acquire(keys=[self._key(host)], args=[interval_ms]))
        return wait_ms / 1000.0

    def wait_time(self, host: str) -> float:
        """Seconds until the host's slot frees up (0.0 if free now); claims nothing."""
        ttl_ms = self._redis.pttl(self._key(host))
        return max(0, int(ttl_ms)) / 1000.0

    def block_for(self, host: str, seconds: float) -> float:
        """Keep every worker away from ``host`` for at least ``seconds`` (e.g. Retry-After).

        Returns the seconds the host is now blocked for (never shortens an existing block).
        """
        block_ms = max(1, int(seconds * 1000))
        return int(self._block(keys=[self._key(host)], args=[block_ms])) / 1000.0


# --------------------------------------------------------------------------------------------
# robots.txt
# --------------------------------------------------------------------------------------------

_ALLOW_ALL = "allow"
_DISALLOW_ALL = "disallow"
_RULES = "rules"

# RFC 9309 2.3.1.3: robots.txt "unavailable" (4xx) means no restrictions.  A redirect to the
# front page (soft_404) or a file in a type we cannot read is treated the same way.
_UNAVAILABLE = frozenset(
    {
        FetchOutcome.GONE,
        FetchOutcome.ACCESS_DENIED,
        FetchOutcome.NOT_FOUND,
        FetchOutcome.SOFT_404,
        FetchOutcome.UNSUPPORTED_TYPE,
    }
)
# Everything else that is not a usable file (5xx, 429, timeouts, DNS, TLS, unsafe) is
# "unreachable" (RFC 9309 2.3.1.4): assume complete disallow for now.  429 is a 4xx, but it
# is the server asking us to go away, so we treat it as unreachable too (as Google does).


def robots_fetcher(policy: FetchPolicy, fetch_func: Callable[..., FetchResult] = fetch) -> RobotsFetch:
    """A ``fetch_func`` for :class:`RobotsCache`: the safe fetcher tuned for robots.txt.

    Accepts the content types robots files are really served with and caps the body at
    ROBOTS_MAX_BYTES (the prefix of a larger file is still parsed, as RFC 9309 allows).
    """
    robots_policy = dataclasses.replace(
        policy,
        accepted_types=("text/plain", "text/html", "application/octet-stream"),
        max_body_bytes=ROBOTS_MAX_BYTES,
    )

    def fetch_robots(url: str) -> FetchResult:
        return fetch_func(url, policy=robots_policy)

    return fetch_robots


@lru_cache(maxsize=64)
def _parsed_robots(body: str) -> Protego:
    # The body is cached in Redis (shared by workers); parsing it again for every URL of a busy
    # host would cost more than the lookup, so each worker keeps the few it has parsed lately.
    return Protego.parse(body)


def _product_token(user_agent: str) -> str:
    match = re.match(r"[A-Za-z0-9_-]+", user_agent.strip())
    if not match:
        raise ValueError(f"cannot derive a robots.txt product token from {user_agent!r}")
    return match.group(0)


class RobotsCache:
    """Answers "may we fetch this URL?" from robots.txt, cached in Redis per origin.

    ``fetch_func(robots_url) -> FetchResult`` must go through the safe fetcher (see
    :func:`robots_fetcher`).  Successful lookups are cached for ``ttl`` seconds; failures
    that mean "disallow for now" only for ``failure_ttl`` so we look again soon.
    """

    def __init__(
        self,
        redis_client: _Redis,
        fetch_func: RobotsFetch,
        user_agent: str,
        ttl: int = 24 * 60 * 60,
        *,
        failure_ttl: int = 10 * 60,
        key_prefix: str = "fetch",
    ) -> None:
        self._redis = redis_client
        self._fetch = fetch_func
        self.user_agent = user_agent
        self.product_token = _product_token(user_agent)
        self.ttl = ttl
        self.failure_ttl = failure_ttl
        self.key_prefix = key_prefix

    @staticmethod
    def robots_url(url: str) -> str:
        """The robots.txt URL governing ``url`` (same scheme, host and port)."""
        parts = urlsplit(url)
        return f"{parts.scheme.lower()}://{parts.netloc.rpartition('@')[2].lower()}/robots.txt"

    def _key(self, url: str) -> str:
        return f"{self.key_prefix}:robots:{self.robots_url(url)}"

    def _load(self, url: str) -> dict[str, str] | None:
        raw = self._redis.get(self._key(url))
        if raw is None:
            return None
        try:
            entry = json.loads(raw)
        except (TypeError, ValueError):
            return None  # unreadable cache entry: fetch again
        return entry if isinstance(entry, dict) and "mode" in entry else None

    def _decide(self, entry: Mapping[str, str], url: str) -> bool:
        mode = entry["mode"]
        if mode == _ALLOW_ALL:
            return True
        if mode == _DISALLOW_ALL:
            return False
        return _parsed_robots(entry.get("body", "")).can_fetch(url, self.product_token)

    def cached_decision(self, url: str) -> bool | None:
        """The decision from the cache alone, or None when robots.txt is not cached."""
        entry = self._load(url)
        return None if entry is None else self._decide(entry, url)

    def refresh(self, url: str) -> dict[str, str]:
        """Fetch robots.txt for ``url``'s origin now and cache the interpretation."""
        result = self._fetch(self.robots_url(url))
        ttl = self.ttl
        if result.ok:
            entry = {"mode": _RULES, "body": result.text}
        elif result.outcome == FetchOutcome.TOO_LARGE:
            entry = {"mode": _RULES, "body": result.body.decode("utf-8", errors="replace")}
        elif result.outcome in _UNAVAILABLE:
            entry = {"mode": _ALLOW_ALL, "body": ""}
        else:
            entry = {"mode": _DISALLOW_ALL, "body": ""}
            ttl = self.failure_ttl
        entry["outcome"] = str(result.outcome)
        self._redis.set(self._key(url), json.dumps(entry), ex=ttl)
        return entry

    def allowed(self, url: str) -> bool:
        """True if robots.txt lets our user agent fetch ``url`` (fetching robots.txt if needed)."""
        entry = self._load(url)
        if entry is None:
            entry = self.refresh(url)
        return self._decide(entry, url)


# --------------------------------------------------------------------------------------------
# Back-off
# --------------------------------------------------------------------------------------------


def backoff_seconds(
    attempt: int,
    base: float = 1.0,
    cap: float = 300.0,
    retry_after: float | None = None,
    rng: random.Random | Any = random,
) -> float:
    """Delay before retry number ``attempt`` (0-based): exponential with "equal jitter".

    The exponential part ``min(cap, base * 2**attempt)`` is half fixed, half random, so
    delays grow with every attempt while retries from many workers still spread out.
    ``cap`` bounds our own back-off; a server's ``Retry-After`` is a floor that always wins,
    even above ``cap`` (a caller that finds it too long should give up instead).
    """
    if attempt < 0:
        raise ValueError("attempt must be >= 0")
    # 2**attempt overflows a float for large attempts; past 64 doublings we are at the cap.
    exponential = cap if attempt >= 64 else min(cap, base * (2**attempt))
    delay = exponential / 2 + rng.uniform(0, exponential / 2)
    if retry_after is not None and retry_after > delay:
        return float(retry_after)
    return delay


# --------------------------------------------------------------------------------------------
# Polite fetch
# --------------------------------------------------------------------------------------------


def _claim(throttle: HostThrottle, host: str) -> None:
    wait = throttle.acquire(host)
    if wait > 0:
        raise HostBusy(host, wait)


def polite_fetch(
    url: str,
    *,
    policy: FetchPolicy,
    throttle: HostThrottle,
    robots: RobotsCache,
    method: str = "GET",
    extra_headers: Mapping[str, str] | None = None,
    fetch_func: Callable[..., FetchResult] = fetch,
    max_block_seconds: float = 3600.0,
) -> FetchResult:
    """Fetch ``url`` if robots.txt and the host's pace allow it.

    Order matters:

    1. The URL is vetted first (no request): an unsafe URL must not even cause a robots.txt
       fetch, and reports ``blocked_unsafe``/``dns_error`` itself.
    2. robots.txt: if not cached, fetching it uses the host's slot.  A disallowed URL
       returns ``blocked_robots`` and the page is never requested.
    3. The page needs its own slot; if the host is busy (including because robots.txt was
       just fetched) :class:`HostBusy` is raised and nothing is sent.
    4. A ``Retry-After`` on 429/5xx blocks the host for every worker (bounded by
       ``max_block_seconds`` so a hostile header cannot block us forever).
    """
    try:
        validate_public_url(url, policy)
    except HostResolutionError as exc:
        return FetchResult(outcome=FetchOutcome.DNS_ERROR, url=url, final_url=url, error=str(exc))
    except UnsafeURLError as exc:
        return FetchResult(outcome=FetchOutcome.BLOCKED_UNSAFE, url=url, final_url=url, error=str(exc))
    host = urlsplit(url).hostname or ""

    decision = robots.cached_decision(url)
    if decision is None:
        _claim(throttle, host)
        decision = robots.allowed(url)
    if not decision:
        return FetchResult(
            outcome=FetchOutcome.BLOCKED_ROBOTS,
            url=url,
            final_url=url,
            error=f"robots.txt disallows {robots.product_token!r} from fetching this URL",
        )

    _claim(throttle, host)
    result = fetch_func(url, policy=policy, method=method, extra_headers=extra_headers)
    if result.outcome in (FetchOutcome.RATE_LIMITED, FetchOutcome.SERVER_ERROR) and result.retry_after_seconds:
        throttle.block_for(host, min(result.retry_after_seconds, max_block_seconds))
    return result
