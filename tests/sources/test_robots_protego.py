"""robots.txt rules the standard library's parser got wrong, now read by Protego (issue 13, point 7).

Each case is decided through the real RobotsCache (Redis, database 15) and, end to end, through
polite_fetch against the local server: a page robots.txt forbids is never requested.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis

from sources.fetcher import FetchOutcome, FetchPolicy, FetchResult
from sources.politeness import HostThrottle, RobotsCache, polite_fetch, robots_fetcher
from tests.sources.httpserver import LocalHTTPServer

USER_AGENT = "FactTrackerBot/1.0 (+https://example.org/bot)"
REDIS_URL = "redis://127.0.0.1:6379/15"

# Each file decides one path the stdlib parser got wrong (it knows neither ``*`` nor ``$``, and
# lets the first matching line win over the longest one) and one it got right, so the rule is
# neither ignored nor read too broadly.
CASES = [
    pytest.param(
        "User-agent: *\nDisallow: /*.pdf$\n",
        {"/files/budget-2025.pdf": False, "/files/budget-2025.pdf.html": True},
        id="pdf-anchored",
    ),
    pytest.param(
        "User-agent: *\nDisallow: /*/print\n",
        {"/politics/leaders-meet/print": False, "/politics/leaders-meet": True},
        id="wildcard-print",
    ),
    pytest.param(
        "User-agent: *\nDisallow: /\nAllow: /articles/\n",
        {"/articles/x": True, "/about": False},
        id="longest-match-allow",
    ),
    pytest.param(
        "User-agent: *\nAllow: /articles/\nDisallow: /articles/*.pdf$\nDisallow: /\n",
        {"/articles/x": True, "/articles/x.pdf": False},
        id="allow-then-pdf",
    ),
]


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=5)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis on 127.0.0.1:6379 is not reachable")
    prefix = f"test-protego-{uuid.uuid4().hex}"
    client.prefix = prefix  # type: ignore[attr-defined]
    yield client
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)
    client.close()


@pytest.fixture
def http_server() -> Iterator[LocalHTTPServer]:
    with LocalHTTPServer() as server:
        yield server


def _policy(server: LocalHTTPServer) -> FetchPolicy:
    return FetchPolicy(
        allowed_networks=["127.0.0.1/32"],
        allowed_ports={80, 443, server.port},
        deadline_seconds=5,
        user_agent=USER_AGENT,
    )


@pytest.mark.parametrize(("robots_txt", "decisions"), CASES)
def test_robots_rules_are_read_as_rfc_9309_says(
    http_server: LocalHTTPServer, redis_client: redis.Redis, robots_txt: str, decisions: dict[str, bool]
) -> None:
    http_server.add("/robots.txt", body=robots_txt, content_type="text/plain")
    for path in decisions:
        http_server.add(path, body=b"<html><body><article><p>The page.</p></article></body></html>")
    policy = _policy(http_server)
    prefix = redis_client.prefix  # type: ignore[attr-defined]
    robots = RobotsCache(redis_client, robots_fetcher(policy), USER_AGENT, key_prefix=prefix)
    other_worker = RobotsCache(redis_client, robots_fetcher(policy), USER_AGENT, key_prefix=prefix)
    throttle = HostThrottle(redis_client, 0.001, key_prefix=prefix)

    assert {path: robots.allowed(http_server.url(path)) for path in decisions} == decisions
    # The decision from the Redis cache alone is the same (another worker's view).
    assert {path: other_worker.cached_decision(http_server.url(path)) for path in decisions} == decisions

    # End to end: a disallowed page is never requested; an allowed one is fetched.
    for path, allowed in decisions.items():
        result = polite_fetch(http_server.url(path), policy=policy, throttle=throttle, robots=robots)
        assert result.outcome == (FetchOutcome.OK if allowed else FetchOutcome.BLOCKED_ROBOTS)
    assert http_server.paths() == ["/robots.txt", *[path for path, allowed in decisions.items() if allowed]]


def test_a_group_for_our_product_token_wins_over_the_wildcard_group(redis_client: redis.Redis) -> None:
    body = "User-agent: *\nDisallow: /\n\nUser-agent: facttrackerbot\nDisallow: /*?print=1$\n"

    def fetch_robots(url: str) -> FetchResult:
        return FetchResult(outcome=FetchOutcome.OK, url=url, final_url=url, status=200, text=body, body=body.encode())

    robots = RobotsCache(redis_client, fetch_robots, USER_AGENT, key_prefix=redis_client.prefix)  # type: ignore[attr-defined]
    assert robots.allowed("https://site.example/news/1")
    assert not robots.allowed("https://site.example/news/1?print=1")
    assert robots.allowed("https://site.example/news/1?print=1&page=2")
