"""Tests for sources.politeness: host throttle, robots.txt cache, back-off, polite_fetch.

Throttle and robots tests use the real Redis on 127.0.0.1:6379, database 15, under a
unique key prefix that is deleted afterwards.  They are skipped if that Redis is absent.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from sources.fetcher import FetchOutcome, FetchPolicy, FetchResult
from sources.politeness import (
    ROBOTS_MAX_BYTES,
    HostBusy,
    HostThrottle,
    RobotsCache,
    backoff_seconds,
    polite_fetch,
    robots_fetcher,
)
from tests.sources.httpserver import LocalHTTPServer

USER_AGENT = "FactTrackerBot/1.0 (+https://example.org/bot)"
REDIS_URL = "redis://127.0.0.1:6379/15"


# --------------------------------------------------------------------------------------------
# Fixtures and helpers
# --------------------------------------------------------------------------------------------


@pytest.fixture
def http_server() -> Iterator[LocalHTTPServer]:
    """A started local server for one test (see tests/sources/httpserver.py)."""
    with LocalHTTPServer() as server:
        yield server


def _client() -> redis.Redis:
    return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=5)


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    client = _client()
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis on 127.0.0.1:6379 is not reachable")
    yield client
    client.close()


@pytest.fixture
def prefix(redis_client: redis.Redis) -> Iterator[str]:
    """A key prefix unique to this test; only keys under it are deleted afterwards."""
    value = f"test-politeness-{uuid.uuid4().hex}"
    yield value
    for key in redis_client.scan_iter(match=f"{value}:*"):
        redis_client.delete(key)


class FakeRobotsFetch:
    """fetch_func for RobotsCache that answers from a dict and records requested URLs."""

    def __init__(self, results: dict[str, FetchResult] | None = None) -> None:
        self.results = results or {}
        self.calls: list[str] = []

    def __call__(self, url: str) -> FetchResult:
        self.calls.append(url)
        return self.results.get(url) or robots_result(url, FetchOutcome.GONE, status=404)


def robots_result(url: str, outcome: FetchOutcome, *, text: str = "", status: int | None = 200) -> FetchResult:
    return FetchResult(
        outcome=outcome,
        url=url,
        final_url=url,
        status=status,
        text=text,
        body=text.encode(),
        content_type="text/plain",
    )


def local_policy(server: LocalHTTPServer) -> FetchPolicy:
    return FetchPolicy(
        allowed_networks=["127.0.0.1/32"],
        allowed_ports={80, 443, server.port},
        deadline_seconds=5,
        user_agent=USER_AGENT,
    )


# --------------------------------------------------------------------------------------------
# HostThrottle
# --------------------------------------------------------------------------------------------


def test_throttle_is_shared_between_workers(redis_client: redis.Redis, prefix: str) -> None:
    # Two workers: separate connections, separate throttle objects, same Redis keys.
    worker_a = HostThrottle(_client(), 0.3, key_prefix=prefix)
    worker_b = HostThrottle(_client(), 0.3, key_prefix=prefix)

    assert worker_a.acquire("news.example") == 0.0
    wait = worker_b.acquire("NEWS.example.")  # same host, other spelling
    assert 0 < wait <= 0.3
    assert 0 < worker_b.wait_time("news.example") <= 0.3
    assert worker_b.acquire("other.example") == 0.0  # hosts are independent

    time.sleep(wait + 0.05)
    assert worker_b.acquire("news.example") == 0.0
    assert worker_a.acquire("news.example") > 0


def test_throttle_grants_exactly_one_of_many_simultaneous_workers(redis_client: redis.Redis, prefix: str) -> None:
    workers = 16
    barrier = threading.Barrier(workers)
    results: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        throttle = HostThrottle(_client(), 5, key_prefix=prefix)
        barrier.wait()
        wait = throttle.acquire("race.example")
        with lock:
            results.append(wait)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert len(results) == workers
    assert results.count(0.0) == 1
    assert all(0 < wait <= 5 for wait in results if wait)


def test_wait_time_does_not_claim_the_slot(redis_client: redis.Redis, prefix: str) -> None:
    throttle = HostThrottle(redis_client, 1, key_prefix=prefix)
    assert throttle.wait_time("quiet.example") == 0.0
    assert throttle.acquire("quiet.example") == 0.0


def test_block_for_extends_but_never_shortens(redis_client: redis.Redis, prefix: str) -> None:
    throttle = HostThrottle(redis_client, 0.1, key_prefix=prefix)
    throttle.block_for("limited.example", 30)
    assert 29 < throttle.acquire("limited.example") <= 30
    throttle.block_for("limited.example", 1)  # a shorter Retry-After arriving later
    assert throttle.wait_time("limited.example") > 29


def test_throttle_rejects_a_zero_interval(redis_client: redis.Redis) -> None:
    with pytest.raises(ValueError):
        HostThrottle(redis_client, 0)


# --------------------------------------------------------------------------------------------
# RobotsCache
# --------------------------------------------------------------------------------------------

ROBOTS = """\
User-agent: FactTrackerBot
Disallow: /private/

User-agent: *
Disallow: /
"""


def test_robots_rules_apply_to_our_product_token(redis_client: redis.Redis, prefix: str) -> None:
    fetcher = FakeRobotsFetch(
        {
            "https://site.example/robots.txt": robots_result(
                "https://site.example/robots.txt", FetchOutcome.OK, text=ROBOTS
            )
        }
    )
    robots = RobotsCache(redis_client, fetcher, USER_AGENT, key_prefix=prefix)
    assert robots.product_token == "FactTrackerBot"
    assert robots.allowed("https://site.example/news/1")
    assert not robots.allowed("https://site.example/private/report")
    assert fetcher.calls == ["https://site.example/robots.txt"]  # one fetch, then cached


def test_robots_is_cached_in_redis_for_other_workers(redis_client: redis.Redis, prefix: str) -> None:
    url = "https://site.example/robots.txt"
    first_fetch = FakeRobotsFetch({url: robots_result(url, FetchOutcome.OK, text=ROBOTS)})
    second_fetch = FakeRobotsFetch()
    worker_a = RobotsCache(redis_client, first_fetch, USER_AGENT, ttl=3600, key_prefix=prefix)
    worker_b = RobotsCache(_client(), second_fetch, USER_AGENT, ttl=3600, key_prefix=prefix)

    assert worker_b.cached_decision("https://site.example/private/x") is None
    assert not worker_a.allowed("https://site.example/private/x")
    assert worker_b.cached_decision("https://site.example/private/x") is False
    assert not worker_b.allowed("https://site.example/private/y")
    assert worker_b.allowed("https://site.example/public")

    assert first_fetch.calls == [url]
    assert second_fetch.calls == []  # the second check made no robots request
    ttl = redis_client.ttl(f"{prefix}:robots:{url}")
    assert 3500 < ttl <= 3600


def test_robots_cache_is_per_origin(redis_client: redis.Redis, prefix: str) -> None:
    fetcher = FakeRobotsFetch()
    robots = RobotsCache(redis_client, fetcher, USER_AGENT, key_prefix=prefix)
    robots.allowed("https://site.example/a")
    robots.allowed("http://site.example/a")
    robots.allowed("https://site.example:8443/a")
    robots.allowed("https://site.example/b")
    assert fetcher.calls == [
        "https://site.example/robots.txt",
        "http://site.example/robots.txt",
        "https://site.example:8443/robots.txt",
    ]


@pytest.mark.parametrize(
    ("outcome", "status", "allowed", "is_failure"),
    [
        # RFC 9309: 4xx means "unavailable" -> no restrictions.
        (FetchOutcome.GONE, 404, True, False),
        (FetchOutcome.GONE, 410, True, False),
        (FetchOutcome.ACCESS_DENIED, 403, True, False),
        (FetchOutcome.NOT_FOUND, 400, True, False),
        (FetchOutcome.SOFT_404, 200, True, False),
        # 5xx / unreachable -> complete disallow for now, re-checked soon.
        (FetchOutcome.SERVER_ERROR, 503, False, True),
        (FetchOutcome.RATE_LIMITED, 429, False, True),
        (FetchOutcome.TIMEOUT, None, False, True),
        (FetchOutcome.DNS_ERROR, None, False, True),
        (FetchOutcome.TLS_ERROR, None, False, True),
        (FetchOutcome.BLOCKED_UNSAFE, None, False, True),
    ],
)
def test_robots_failure_semantics(
    redis_client: redis.Redis, prefix: str, outcome: FetchOutcome, status: int | None, allowed: bool, is_failure: bool
) -> None:
    url = "https://site.example/robots.txt"
    fetcher = FakeRobotsFetch({url: robots_result(url, outcome, status=status)})
    robots = RobotsCache(redis_client, fetcher, USER_AGENT, ttl=86400, failure_ttl=300, key_prefix=prefix)
    assert robots.allowed("https://site.example/page") is allowed
    ttl = redis_client.ttl(f"{prefix}:robots:{url}")
    assert (ttl <= 300) is is_failure
    assert ttl > 0


def test_oversized_robots_prefix_is_still_parsed(redis_client: redis.Redis, prefix: str) -> None:
    url = "https://site.example/robots.txt"
    body = ("User-agent: *\nDisallow: /secret\n" + "# padding\n" * 60_000).encode()[:ROBOTS_MAX_BYTES]
    result = FetchResult(outcome=FetchOutcome.TOO_LARGE, url=url, final_url=url, status=200, body=body)
    robots = RobotsCache(redis_client, FakeRobotsFetch({url: result}), USER_AGENT, key_prefix=prefix)
    assert not robots.allowed("https://site.example/secret/1")
    assert robots.allowed("https://site.example/open")


# --------------------------------------------------------------------------------------------
# Back-off
# --------------------------------------------------------------------------------------------


class _Bound:
    """rng stub whose uniform() always returns the lower (or upper) bound."""

    def __init__(self, upper: bool) -> None:
        self.upper = upper

    def uniform(self, low: float, high: float) -> float:
        return high if self.upper else low


@pytest.mark.parametrize("upper", [False, True])
def test_backoff_grows_exponentially(upper: bool) -> None:
    delays = [backoff_seconds(attempt, base=1, cap=1000, rng=_Bound(upper)) for attempt in range(8)]
    assert all(later == 2 * earlier for earlier, later in zip(delays, delays[1:], strict=False))


def test_backoff_jitter_stays_within_bounds_and_varies() -> None:
    rng = random.Random(1234)
    samples = [backoff_seconds(4, base=1, cap=1000, rng=rng) for _ in range(200)]
    assert all(8 <= s <= 16 for s in samples)  # half fixed, half random of 2**4
    assert len({round(s, 6) for s in samples}) > 150


def test_backoff_respects_cap() -> None:
    rng = random.Random(7)
    for attempt in (10, 20, 63, 64, 1000, 10**6):
        assert backoff_seconds(attempt, base=2, cap=60, rng=rng) <= 60


def test_backoff_honours_retry_after() -> None:
    rng = _Bound(upper=True)
    assert backoff_seconds(0, base=1, cap=60, retry_after=30, rng=rng) == 30  # floor
    assert backoff_seconds(0, base=1, cap=60, retry_after=500, rng=rng) == 500  # wins over cap
    assert backoff_seconds(5, base=1, cap=60, retry_after=0.5, rng=rng) == 32  # backoff larger
    with pytest.raises(ValueError):
        backoff_seconds(-1)


# --------------------------------------------------------------------------------------------
# polite_fetch, end to end against a local server
# --------------------------------------------------------------------------------------------


def _polite_parts(
    server: LocalHTTPServer, redis_client: redis.Redis, prefix: str, interval: float = 0.2
) -> tuple[FetchPolicy, HostThrottle, RobotsCache]:
    policy = local_policy(server)
    throttle = HostThrottle(redis_client, interval, key_prefix=prefix)
    robots = RobotsCache(redis_client, robots_fetcher(policy), USER_AGENT, key_prefix=prefix)
    return policy, throttle, robots


def test_robots_disallow_blocks_without_requesting_the_page(
    http_server: LocalHTTPServer, redis_client: redis.Redis, prefix: str
) -> None:
    http_server.add("/robots.txt", body=ROBOTS, content_type="text/plain")
    http_server.add("/private/dossier", body=b"should never be fetched")
    policy, throttle, robots = _polite_parts(http_server, redis_client, prefix)

    result = polite_fetch(http_server.url("/private/dossier"), policy=policy, throttle=throttle, robots=robots)
    assert result.outcome == FetchOutcome.BLOCKED_ROBOTS
    assert "FactTrackerBot" in result.error
    # Cached: a second disallowed URL causes no request at all, not even robots.txt.
    again = polite_fetch(http_server.url("/private/other"), policy=policy, throttle=throttle, robots=robots)
    assert again.outcome == FetchOutcome.BLOCKED_ROBOTS
    assert http_server.paths() == ["/robots.txt"]


def test_allowed_page_is_fetched_at_the_host_pace(
    http_server: LocalHTTPServer, redis_client: redis.Redis, prefix: str
) -> None:
    http_server.add("/robots.txt", body="User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    http_server.add("/article", body=b"<p>text</p>")
    policy, throttle, robots = _polite_parts(http_server, redis_client, prefix, interval=0.3)
    url = http_server.url("/article")

    # Fetching robots.txt used this host's slot, so the page must wait its turn.
    with pytest.raises(HostBusy) as busy:
        polite_fetch(url, policy=policy, throttle=throttle, robots=robots)
    assert 0 < busy.value.retry_in_seconds <= 0.3
    assert http_server.paths() == ["/robots.txt"]

    time.sleep(busy.value.retry_in_seconds + 0.05)
    result = polite_fetch(url, policy=policy, throttle=throttle, robots=robots)
    assert result.outcome == FetchOutcome.OK
    assert http_server.paths() == ["/robots.txt", "/article"]

    with pytest.raises(HostBusy):  # immediately again: too soon, nothing sent
        polite_fetch(url, policy=policy, throttle=throttle, robots=robots)
    assert http_server.paths() == ["/robots.txt", "/article"]


@pytest.mark.parametrize(("retry_after", "expected"), [("30", 30), ("999999", 3600)])
def test_retry_after_blocks_the_host_for_all_workers(
    http_server: LocalHTTPServer, redis_client: redis.Redis, prefix: str, retry_after: str, expected: float
) -> None:
    http_server.add("/robots.txt", status=404)
    http_server.add("/busy", status=429, headers={"Retry-After": retry_after})
    policy, throttle, robots = _polite_parts(http_server, redis_client, prefix, interval=0.1)
    url = http_server.url("/busy")
    with pytest.raises(HostBusy):
        polite_fetch(url, policy=policy, throttle=throttle, robots=robots)
    time.sleep(0.15)

    result = polite_fetch(url, policy=policy, throttle=throttle, robots=robots)
    assert result.outcome == FetchOutcome.RATE_LIMITED
    other_worker = HostThrottle(_client(), 0.1, key_prefix=prefix)
    assert expected - 1 < other_worker.wait_time("127.0.0.1") <= expected


def test_unsafe_url_is_refused_before_robots_or_throttle(redis_client: redis.Redis, prefix: str) -> None:
    fetcher = FakeRobotsFetch()
    throttle = HostThrottle(redis_client, 1, key_prefix=prefix)
    robots = RobotsCache(redis_client, fetcher, USER_AGENT, key_prefix=prefix)
    result = polite_fetch(
        "http://169.254.169.254/latest/meta-data/", policy=FetchPolicy(), throttle=throttle, robots=robots
    )
    assert result.outcome == FetchOutcome.BLOCKED_UNSAFE
    assert fetcher.calls == []
    assert throttle.wait_time("169.254.169.254") == 0.0
