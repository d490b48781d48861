"""Tests for sources.fetcher against local servers on 127.0.0.1 only.

Every test runs with a connect spy (autouse) that records each outgoing connect and refuses
anything that is not loopback, so no test can ever reach another machine, and with
resolvers that answer from a dict and never fall back to real DNS.
"""

from __future__ import annotations

import dataclasses
import email.utils
import ipaddress
import shutil
import socket
import ssl
import subprocess
import sys
import time
import tracemalloc
import types
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sources.fetcher import (
    FetchOutcome,
    FetchPolicy,
    FetchResult,
    HostResolutionError,
    UnsafeURLError,
    fetch,
    is_public_address,
    parse_retry_after,
    policy_from_settings,
    validate_public_url,
)
from tests.sources.httpserver import LocalHTTPServer, deflate_bytes, gzip_bomb, gzip_bytes

MiB = 1024 * 1024


# --------------------------------------------------------------------------------------------
# Spies and helpers
# --------------------------------------------------------------------------------------------


class ResolverSpy:
    """Resolver answering from a dict; unknown names fail like NXDOMAIN.  Records calls."""

    def __init__(self, mapping: dict[str, list[str]] | None = None) -> None:
        self.mapping = mapping or {}
        self.calls: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append((host, port))
        if host not in self.mapping:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return list(self.mapping[host])


@pytest.fixture(autouse=True)
def connect_spy(monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, ...]]:
    """Record every socket connect; let only IPv4/IPv6 loopback through."""
    calls: list[tuple[object, ...]] = []
    real_connect = socket.socket.connect

    def spy(self: socket.socket, address: tuple[object, ...]) -> None:
        calls.append(address)
        host = str(address[0]).partition("%")[0]
        if not ipaddress.ip_address(host).is_loopback:
            raise ConnectionRefusedError(f"test connect spy refused non-loopback {address}")
        return real_connect(self, address)

    def spy_ex(self: socket.socket, address: tuple[object, ...]) -> int:
        calls.append(address)
        raise AssertionError("connect_ex is not expected")

    monkeypatch.setattr(socket.socket, "connect", spy)
    monkeypatch.setattr(socket.socket, "connect_ex", spy_ex)
    return calls


@pytest.fixture
def http_server() -> Iterator[LocalHTTPServer]:
    """A started local server for one test (see tests/sources/httpserver.py)."""
    with LocalHTTPServer() as server:
        yield server


def local_policy(server: LocalHTTPServer | None = None, **overrides: object) -> FetchPolicy:
    """A policy that may reach 127.0.0.1 (and only that) on the test server's port."""
    ports = {80, 443} | ({server.port} if server else set())
    values: dict[str, object] = {
        "allowed_networks": ["127.0.0.1/32"],
        "allowed_ports": ports,
        "deadline_seconds": 5.0,
        "connect_timeout": 2.0,
        "resolver": ResolverSpy(),
        "user_agent": "FactTrackerBot/1.0 (+https://example.org/bot)",
    }
    values.update(overrides)
    return FetchPolicy(**values)  # type: ignore[arg-type]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------------------------
# Happy path, headers, decoding
# --------------------------------------------------------------------------------------------


def test_ok_fetch_sends_honest_headers_and_decodes_text(http_server: LocalHTTPServer) -> None:
    http_server.add("/page", body="<p>Élection</p>".encode(), content_type="text/html; charset=utf-8")
    result = fetch(http_server.url("/page"), policy=local_policy(http_server))

    assert result.outcome == FetchOutcome.OK
    assert result.ok
    assert result.status == 200
    assert result.text == "<p>Élection</p>"
    assert result.charset == "utf-8"
    assert result.content_type == "text/html"
    assert result.final_url == http_server.url("/page")
    assert result.redirect_chain == []
    assert result.headers["content-type"] == "text/html; charset=utf-8"
    (request,) = http_server.requests
    assert request.headers["user-agent"] == "FactTrackerBot/1.0 (+https://example.org/bot)"
    assert request.headers["host"] == f"127.0.0.1:{http_server.port}"
    assert "gzip" in request.headers["accept-encoding"]


def test_connects_to_vetted_address_once_and_sends_original_host(
    http_server: LocalHTTPServer, connect_spy: list[tuple[object, ...]]
) -> None:
    # A rebinding resolver: first answer is allowed, later answers would be private.
    answers = iter([["127.0.0.1"], ["10.0.0.1"], ["10.0.0.1"]])
    calls: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return next(answers)

    http_server.add("/", body=b"front")
    result = fetch(http_server.url("/", host="news.test"), policy=local_policy(http_server, resolver=rebinding))

    assert result.outcome == FetchOutcome.OK
    assert calls == ["news.test"]  # resolved exactly once
    assert [address[0] for address in connect_spy] == ["127.0.0.1"]
    assert http_server.requests[0].headers["host"] == f"news.test:{http_server.port}"


def test_head_request_reads_no_body(http_server: LocalHTTPServer) -> None:
    http_server.add("/doc", body=b"x" * 100)
    result = fetch(http_server.url("/doc"), policy=local_policy(http_server), method="HEAD")
    assert result.outcome == FetchOutcome.OK
    assert result.body == b""
    assert http_server.requests[0].method == "HEAD"


def test_programming_errors_raise(http_server: LocalHTTPServer) -> None:
    policy = local_policy(http_server)
    with pytest.raises(ValueError):
        fetch(http_server.url("/"), policy=policy, method="POST")
    with pytest.raises(ValueError):
        fetch(http_server.url("/"), policy=policy, extra_headers={"Host": "evil.test"})
    assert http_server.requests == []


@pytest.mark.parametrize(
    ("body", "content_type", "expected_text", "expected_charset"),
    [
        ("Grève générale".encode("latin-1"), "text/plain; charset=ISO-8859-1", "Grève générale", "iso8859-1"),
        (
            '<html><head><meta charset="windows-1252"></head>“quoted”</html>'.encode("cp1252"),
            "text/html",
            '<html><head><meta charset="windows-1252"></head>“quoted”</html>',
            "cp1252",
        ),
        ("plain ünïcode".encode(), "text/plain", "plain ünïcode", "utf-8"),
        # Mislabelled: declared utf-8, really latin-1.  We still get text.
        ("café".encode("latin-1"), "text/plain; charset=utf-8", "caf\ufffd", "utf-8"),
    ],
)
def test_text_decoding(
    http_server: LocalHTTPServer, body: bytes, content_type: str, expected_text: str, expected_charset: str
) -> None:
    http_server.add("/t", body=body, content_type=content_type)
    result = fetch(http_server.url("/t"), policy=local_policy(http_server))
    assert result.outcome == FetchOutcome.OK
    assert result.text == expected_text
    assert result.charset == expected_charset


def test_pdf_is_accepted_as_bytes_without_text(http_server: LocalHTTPServer) -> None:
    http_server.add("/report.pdf", body=b"%PDF-1.7\n...", content_type="application/pdf")
    result = fetch(http_server.url("/report.pdf"), policy=local_policy(http_server))
    assert result.outcome == FetchOutcome.OK
    assert result.body == b"%PDF-1.7\n..."
    assert result.text == ""


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip_bytes),
        ("deflate", deflate_bytes),
        ("deflate", lambda data: deflate_bytes(data, raw=True)),
    ],
    ids=["gzip", "deflate-zlib", "deflate-raw"],
)
def test_compressed_bodies_are_decoded(http_server: LocalHTTPServer, encoding: str, encode: object) -> None:
    original = ("<p>Déclaration</p>" * 2000).encode()
    http_server.add("/z", body=encode(original), headers={"Content-Encoding": encoding})  # type: ignore[operator]
    result = fetch(http_server.url("/z"), policy=local_policy(http_server))
    assert result.outcome == FetchOutcome.OK
    assert result.body == original


def test_chunked_body_is_read(http_server: LocalHTTPServer) -> None:
    http_server.add("/c", body=b"a" * 100_000, chunked=True, content_type="text/plain")
    result = fetch(http_server.url("/c"), policy=local_policy(http_server))
    assert result.outcome == FetchOutcome.OK
    assert result.body == b"a" * 100_000


# --------------------------------------------------------------------------------------------
# Status codes
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (404, FetchOutcome.GONE),
        (410, FetchOutcome.GONE),
        (401, FetchOutcome.ACCESS_DENIED),
        (403, FetchOutcome.ACCESS_DENIED),
        (451, FetchOutcome.ACCESS_DENIED),
        (429, FetchOutcome.RATE_LIMITED),
        (500, FetchOutcome.SERVER_ERROR),
        (502, FetchOutcome.SERVER_ERROR),
        (503, FetchOutcome.SERVER_ERROR),
        (400, FetchOutcome.NOT_FOUND),
        (418, FetchOutcome.NOT_FOUND),
    ],
)
def test_status_outcomes(http_server: LocalHTTPServer, status: int, outcome: FetchOutcome) -> None:
    http_server.add("/s", status=status, body=b"nope")
    result = fetch(http_server.url("/s"), policy=local_policy(http_server))
    assert result.outcome == outcome
    assert result.status == status
    assert result.body == b""
    assert not result.ok


def test_429_with_retry_after_seconds(http_server: LocalHTTPServer) -> None:
    http_server.add("/busy", status=429, headers={"Retry-After": "120"})
    result = fetch(http_server.url("/busy"), policy=local_policy(http_server))
    assert result.outcome == FetchOutcome.RATE_LIMITED
    assert result.retry_after_seconds == 120.0


def test_429_with_retry_after_http_date(http_server: LocalHTTPServer) -> None:
    when = datetime.now(UTC) + timedelta(seconds=90)
    http_server.add("/busy", status=429, headers={"Retry-After": email.utils.format_datetime(when, usegmt=True)})
    result = fetch(http_server.url("/busy"), policy=local_policy(http_server))
    assert result.outcome == FetchOutcome.RATE_LIMITED
    assert result.retry_after_seconds is not None
    assert 85 <= result.retry_after_seconds <= 90


def test_503_retry_after_is_reported(http_server: LocalHTTPServer) -> None:
    http_server.add("/down", status=503, headers={"Retry-After": "7"})
    result = fetch(http_server.url("/down"), policy=local_policy(http_server))
    assert (result.outcome, result.retry_after_seconds) == (FetchOutcome.SERVER_ERROR, 7.0)


def test_parse_retry_after_variants() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("0") == 0.0
    assert parse_retry_after(" 30 ") == 30.0
    assert parse_retry_after("Wed, 01 Jan 2025 12:01:00 GMT", now=now) == 60.0
    assert parse_retry_after("Wed, 01 Jan 2025 11:00:00 GMT", now=now) == 0.0  # in the past
    assert parse_retry_after("-5") is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


# --------------------------------------------------------------------------------------------
# Redirects
# --------------------------------------------------------------------------------------------


def test_redirect_chain_is_followed_and_recorded(http_server: LocalHTTPServer) -> None:
    http_server.redirect("/a", "/b", status=301)
    http_server.redirect("/b", http_server.url("/c"), status=302)
    http_server.redirect("/c", "final?x=1", status=307)  # relative reference
    http_server.add("/final", body=b"done")
    result = fetch(http_server.url("/a"), policy=local_policy(http_server))

    assert result.outcome == FetchOutcome.REDIRECTED
    assert result.ok
    assert result.final_url == http_server.url("/final?x=1")
    assert result.redirect_chain == [
        {"url": http_server.url("/a"), "status": 301},
        {"url": http_server.url("/b"), "status": 302},
        {"url": http_server.url("/c"), "status": 307},
    ]
    assert http_server.paths() == ["/a", "/b", "/c", "/final"]


def test_five_redirects_are_allowed_six_are_not(http_server: LocalHTTPServer) -> None:
    for i in range(6):
        http_server.redirect(f"/r{i}", f"/r{i + 1}")
    http_server.add("/r6", body=b"end")

    ok = fetch(http_server.url("/r1"), policy=local_policy(http_server))  # r1..r5 -> r6: 5 hops
    assert ok.outcome == FetchOutcome.REDIRECTED
    assert len(ok.redirect_chain) == 5

    requests_before = len(http_server.requests)
    too_many = fetch(http_server.url("/r0"), policy=local_policy(http_server))  # 6 hops
    assert too_many.outcome == FetchOutcome.SERVER_ERROR
    assert "more than 5 redirects" in too_many.error
    assert len(http_server.requests) - requests_before == 6  # /r6 was never requested
    assert http_server.paths()[-1] == "/r5"


def test_max_redirects_is_a_policy_setting(http_server: LocalHTTPServer) -> None:
    http_server.redirect("/a", "/b")
    http_server.add("/b", body=b"b")
    result = fetch(http_server.url("/a"), policy=local_policy(http_server, max_redirects=0))
    assert result.outcome == FetchOutcome.SERVER_ERROR
    assert http_server.paths() == ["/a"]


@pytest.mark.parametrize(
    "routes",
    [
        {"/loop": "/loop"},
        {"/x": "/y", "/y": "/x"},
        {"/p": "/q", "/q": "/r", "/r": "/q"},
    ],
    ids=["self", "two-step", "late-loop"],
)
def test_redirect_loops_are_detected(http_server: LocalHTTPServer, routes: dict[str, str]) -> None:
    for source, target in routes.items():
        http_server.redirect(source, target)
    start = next(iter(routes))
    result = fetch(http_server.url(start), policy=local_policy(http_server))
    assert result.outcome == FetchOutcome.SERVER_ERROR
    assert "loop" in result.error
    assert len(http_server.requests) == len(routes)  # each URL requested once, no spinning


@pytest.mark.parametrize(
    ("start", "location", "final"),
    [
        ("/articles/42-deleted", "/", "/"),
        ("/articles/43", "/articles/43-moved", "/"),  # via an intermediate hop
        ("/?p=42", "/", "/"),  # a permalink is not the front page
        ("/old", "/?from=old", "/?from=old"),  # the front page with a query still is
    ],
)
def test_redirect_to_front_page_is_soft_404(
    http_server: LocalHTTPServer, start: str, location: str, final: str
) -> None:
    http_server.redirect(start, location, status=301)
    http_server.redirect("/articles/43-moved", "/")
    http_server.add("/", body=b"<h1>Welcome</h1>")
    result = fetch(http_server.url(start), policy=local_policy(http_server))
    assert result.outcome == FetchOutcome.SOFT_404
    assert result.final_url == http_server.url(final)
    assert not result.ok


def test_front_page_redirect_from_front_page_is_not_soft_404(http_server: LocalHTTPServer) -> None:
    http_server.redirect("/", "/home")
    http_server.add("/home", body=b"home")
    http_server.redirect("/article", "/article/")
    http_server.add("/article/", body=b"article")
    assert fetch(http_server.url("/"), policy=local_policy(http_server)).outcome == FetchOutcome.REDIRECTED
    assert fetch(http_server.url("/article"), policy=local_policy(http_server)).outcome == FetchOutcome.REDIRECTED


def test_utf8_location_and_spaces_are_percent_encoded(http_server: LocalHTTPServer) -> None:
    raw_utf8_location = "/déjà vu?q=ç a".encode().decode("latin-1")  # raw UTF-8 bytes on the wire
    http_server.redirect("/old", raw_utf8_location)
    http_server.add("/d%C3%A9j%C3%A0%20vu", body=b"found")
    result = fetch(http_server.url("/old"), policy=local_policy(http_server))
    assert result.outcome == FetchOutcome.REDIRECTED, result.error
    assert http_server.requests[-1].target == "/d%C3%A9j%C3%A0%20vu?q=%C3%A7%20a"


def test_redirect_without_location_is_server_error(http_server: LocalHTTPServer) -> None:
    http_server.add("/bad", status=302, body=b"")
    result = fetch(http_server.url("/bad"), policy=local_policy(http_server))
    assert result.outcome == FetchOutcome.SERVER_ERROR
    assert "Location" in result.error


def test_credentials_are_not_forwarded_to_another_host(http_server: LocalHTTPServer) -> None:
    resolver = ResolverSpy({"a.test": ["127.0.0.1"], "b.test": ["127.0.0.1"]})
    http_server.redirect("/start", http_server.url("/next", host="a.test"))
    http_server.redirect("/next", http_server.url("/end", host="b.test"))
    http_server.add("/end", body=b"end")
    result = fetch(
        http_server.url("/start", host="a.test"),
        policy=local_policy(http_server, resolver=resolver),
        extra_headers={"Authorization": "Bearer secret", "X-Trace": "1"},
    )
    assert result.outcome == FetchOutcome.REDIRECTED
    start, same_host, other_host = http_server.requests
    assert start.headers["authorization"] == same_host.headers["authorization"] == "Bearer secret"
    assert "authorization" not in other_host.headers
    assert other_host.headers["x-trace"] == "1"
    assert other_host.headers["host"] == f"b.test:{http_server.port}"


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://internal.test:{port}/secret",  # resolves to 10.0.0.5
        "http://127.0.0.2:{port}/secret",  # loopback, but outside the exempt 127.0.0.1/32
        "http://[::ffff:127.0.0.1]:{port}/secret",  # the exempt address re-spelled as IPv6
        "http://2130706433:{port}/secret",
        "http://localhost:{port}/secret",
        "http://127.0.0.1:22/",  # port not allowed
        "file:///etc/passwd",
        "gopher://127.0.0.1:{port}/_GET",
    ],
)
def test_redirect_to_unsafe_target_is_refused_without_connecting(
    http_server: LocalHTTPServer, connect_spy: list[tuple[object, ...]], location: str
) -> None:
    resolver = ResolverSpy({"site.test": ["127.0.0.1"], "internal.test": ["10.0.0.5"]})
    http_server.redirect("/go", location.format(port=http_server.port))
    http_server.add("/secret", body=b"secret")
    result = fetch(http_server.url("/go", host="site.test"), policy=local_policy(http_server, resolver=resolver))

    assert result.outcome == FetchOutcome.BLOCKED_UNSAFE
    assert result.redirect_chain == [{"url": http_server.url("/go", host="site.test"), "status": 302}]
    assert http_server.paths() == ["/go"]  # the secret was never requested
    assert [address[0] for address in connect_spy] == ["127.0.0.1"]  # only the first hop


# --------------------------------------------------------------------------------------------
# Deadline
# --------------------------------------------------------------------------------------------

DEADLINE = 1.0


def _assert_cut_at_deadline(result: FetchResult, started: float) -> None:
    wall = time.monotonic() - started
    assert result.outcome == FetchOutcome.TIMEOUT, result.error
    assert DEADLINE * 0.9 <= result.elapsed_ms / 1000 <= DEADLINE + 0.5
    assert wall <= DEADLINE + 0.5


def test_dripping_body_is_cut_off_at_deadline(http_server: LocalHTTPServer) -> None:
    # 200 bytes at one byte per 100 ms would take 20 s; every read succeeds quickly, so
    # only a whole-fetch deadline can stop it.
    http_server.add("/drip", body=b"x" * 200, drip_interval=0.1)
    started = time.monotonic()
    result = fetch(http_server.url("/drip"), policy=local_policy(http_server, deadline_seconds=DEADLINE))
    _assert_cut_at_deadline(result, started)
    assert result.status == 200


def test_dripping_status_and_headers_are_cut_off_at_deadline(http_server: LocalHTTPServer) -> None:
    http_server.add("/drip", body=b"x" * 10, drip_everything=True, drip_interval=0.1)
    started = time.monotonic()
    result = fetch(http_server.url("/drip"), policy=local_policy(http_server, deadline_seconds=DEADLINE))
    _assert_cut_at_deadline(result, started)
    assert result.status is None


def test_slow_first_byte_is_cut_off_at_deadline(http_server: LocalHTTPServer) -> None:
    http_server.add("/slow", body=b"late", delay=10)
    started = time.monotonic()
    result = fetch(http_server.url("/slow"), policy=local_policy(http_server, deadline_seconds=DEADLINE))
    _assert_cut_at_deadline(result, started)


def test_deadline_covers_the_whole_redirect_chain(http_server: LocalHTTPServer) -> None:
    # Each hop is well within the deadline; together they are not.
    for i in range(4):
        http_server.add(f"/h{i}", status=302, headers={"Location": f"/h{i + 1}"}, content_type=None, delay=0.4)
    http_server.add("/h4", body=b"end")
    started = time.monotonic()
    result = fetch(http_server.url("/h0"), policy=local_policy(http_server, deadline_seconds=DEADLINE))
    _assert_cut_at_deadline(result, started)
    assert len(result.redirect_chain) == 2


def test_slow_resolver_is_cut_off_at_deadline(http_server: LocalHTTPServer) -> None:
    def hanging_resolver(host: str, port: int) -> list[str]:
        time.sleep(3)
        return ["127.0.0.1"]

    started = time.monotonic()
    result = fetch(
        http_server.url("/", host="slow-dns.test"),
        policy=local_policy(http_server, deadline_seconds=DEADLINE, resolver=hanging_resolver),
    )
    _assert_cut_at_deadline(result, started)
    assert http_server.requests == []


# --------------------------------------------------------------------------------------------
# Size and type limits
# --------------------------------------------------------------------------------------------


def test_declared_oversize_body_is_refused_before_download(http_server: LocalHTTPServer) -> None:
    http_server.add("/big", body=b"x" * (2 * MiB), content_type="text/plain")
    result = fetch(http_server.url("/big"), policy=local_policy(http_server, max_body_bytes=MiB))
    assert result.outcome == FetchOutcome.TOO_LARGE
    assert result.body == b""


def test_undeclared_oversize_body_is_cut_at_cap(http_server: LocalHTTPServer) -> None:
    http_server.add("/big", body=b"y" * (2 * MiB), chunked=True, content_type="text/plain")
    result = fetch(http_server.url("/big"), policy=local_policy(http_server, max_body_bytes=MiB))
    assert result.outcome == FetchOutcome.TOO_LARGE
    assert result.body == b"y" * MiB  # the prefix, never more than the cap


def test_body_exactly_at_cap_is_accepted(http_server: LocalHTTPServer) -> None:
    http_server.add("/edge", body=b"z" * MiB, chunked=True, content_type="text/plain")
    result = fetch(http_server.url("/edge"), policy=local_policy(http_server, max_body_bytes=MiB))
    assert result.outcome == FetchOutcome.OK
    assert len(result.body) == MiB


@pytest.mark.parametrize("chunked", [False, True])
def test_gzip_bomb_is_stopped_at_decoded_cap(http_server: LocalHTTPServer, chunked: bool) -> None:
    bomb = gzip_bomb(64 * MiB)
    assert len(bomb) < 100 * 1024  # a few dozen KB on the wire...
    http_server.add("/bomb", body=bomb, headers={"Content-Encoding": "gzip"}, chunked=chunked)

    tracemalloc.start()
    try:
        result = fetch(http_server.url("/bomb"), policy=local_policy(http_server, max_body_bytes=MiB))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert result.outcome == FetchOutcome.TOO_LARGE
    assert len(result.body) == MiB
    # ...and it was never inflated to 64 MiB in memory (cap plus small working buffers).
    assert peak < 8 * MiB


def test_unknown_content_encoding_is_unsupported(http_server: LocalHTTPServer) -> None:
    http_server.add("/br", body=b"\x00\x01", headers={"Content-Encoding": "br"})
    result = fetch(http_server.url("/br"), policy=local_policy(http_server))
    assert result.outcome == FetchOutcome.UNSUPPORTED_TYPE
    assert "br" in result.error


@pytest.mark.parametrize(
    "content_type",
    ["application/octet-stream", "image/png", "application/json", "video/mp4", None, "nonsense"],
)
def test_unsupported_content_types_are_not_downloaded(http_server: LocalHTTPServer, content_type: str | None) -> None:
    http_server.add("/file", body=b"\x89PNG" * 1000, content_type=content_type)
    result = fetch(http_server.url("/file"), policy=local_policy(http_server))
    assert result.outcome == FetchOutcome.UNSUPPORTED_TYPE
    assert result.body == b""


def test_accepted_types_is_a_policy_setting(http_server: LocalHTTPServer) -> None:
    http_server.add("/data", body=b"{}", content_type="application/json")
    policy = local_policy(http_server, accepted_types=("application/json",))
    assert fetch(http_server.url("/data"), policy=policy).outcome == FetchOutcome.OK


# --------------------------------------------------------------------------------------------
# Network failures
# --------------------------------------------------------------------------------------------


def test_dns_failure_is_dns_error(connect_spy: list[tuple[object, ...]]) -> None:
    resolver = ResolverSpy({})
    result = fetch("https://no-such-host.test/", policy=local_policy(resolver=resolver))
    assert result.outcome == FetchOutcome.DNS_ERROR
    assert resolver.calls == [("no-such-host.test", 443)]
    assert connect_spy == []


def test_connection_refused_is_server_error() -> None:
    port = closed_port()
    result = fetch(f"http://127.0.0.1:{port}/", policy=local_policy(allowed_ports={port}))
    assert result.outcome == FetchOutcome.SERVER_ERROR
    assert "connect" in result.error


def test_proxy_environment_variables_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    with LocalHTTPServer() as target, LocalHTTPServer() as proxy:
        _assert_proxies_ignored(monkeypatch, target, proxy)


def _assert_proxies_ignored(monkeypatch: pytest.MonkeyPatch, target: LocalHTTPServer, proxy: LocalHTTPServer) -> None:
    target.add("/", body=b"direct")
    proxy.add("/", body=b"proxied")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, proxy.url("/"))
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    result = fetch(target.url("/"), policy=local_policy(target))
    assert result.outcome == FetchOutcome.OK
    assert result.body == b"direct"
    assert proxy.requests == []
    assert len(target.requests) == 1


# --------------------------------------------------------------------------------------------
# SSRF matrix
# --------------------------------------------------------------------------------------------

SSRF_RESOLVER_MAP = {
    "internal.test": ["10.1.2.3"],
    "metadata.test": ["169.254.169.254"],
    "loopback.test": ["127.0.0.1"],
    "cgnat.test": ["100.64.0.7"],
    "mapped.test": ["::ffff:127.0.0.1"],
    "ula.test": ["fd00::1"],
    "mixed.test": ["93.184.216.34", "127.0.0.1"],
    "mixed6.test": ["2606:2800:220:1:248:1893:25c8:1946", "::1"],
    "garbage.test": ["not-an-address"],
    "public.test": ["93.184.216.34"],
}

# {port} is the local server's port (and allowed), so a URL that slipped through would
# reach the server and be recorded.
SSRF_URLS = [
    # IPv4 loopback, spelled many ways
    "http://127.0.0.1:{port}/",
    "http://127.0.0.1.:{port}/",
    "http://2130706433:{port}/",
    "http://0177.0.0.1:{port}/",
    "http://0x7f.0.0.1:{port}/",
    "http://0x7f000001:{port}/",
    "http://0x7f.1:{port}/",
    "http://127.1:{port}/",
    "http://127.0.1:{port}/",
    "http://017700000001:{port}/",
    "http://１２７.０.０.１:{port}/",  # full-width digits, folded by IDNA
    "http://%31%32%37.0.0.1:{port}/",
    # IPv6 loopback and IPv6 forms embedding blocked IPv4
    "http://[::1]:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/",
    "http://[::ffff:7f00:1]:{port}/",
    "http://[0:0:0:0:0:ffff:7f00:1]:{port}/",
    "http://[::ffff:169.254.169.254]/",
    "http://[2002:7f00:1::]/",
    "http://[2002:a9fe:a9fe::1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[64:ff9b:1::7f00:1]/",
    "http://[::127.0.0.1]/",
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
    "http://[::]/",
    "http://[fe80::1]/",
    "http://[fe80::1%25lo]/",
    "http://[fc00::1]/",
    "http://[ff02::1]/",
    "http://[2001:db8::1]/",
    # Unspecified, private, link-local, CGNAT, multicast, reserved IPv4
    "http://0.0.0.0:{port}/",  # noqa: S104  (a URL under test, not a bind)
    "http://0:{port}/",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://172.31.255.255/",
    "http://192.168.1.1/",
    "http://192.0.0.8/",
    "http://198.18.0.1/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    # Local names
    "http://localhost:{port}/",
    "http://LOCALHOST.:{port}/",
    "http://foo.localhost:{port}/",
    "http://printer.local/",
    "http://metadata.google.internal/",
    "http://intranet/",
    # Names resolving to blocked addresses (injected resolver)
    "http://internal.test/",
    "http://metadata.test/",
    "http://loopback.test:{port}/",
    "http://cgnat.test/",
    "http://mapped.test:{port}/",
    "https://ula.test/",
    "http://mixed.test:{port}/",
    "http://mixed6.test:{port}/",
    "http://garbage.test/",
    # Schemes, ports, credentials, malformed
    "ftp://public.test/",
    "file:///etc/passwd",
    "gopher://127.0.0.1:{port}/_GET%20/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "//public.test/",
    "http://public.test:22/",
    "http://public.test:6379/",
    "http://public.test:0/",
    "http://public.test:99999/",
    "http://user:pass@public.test/",
    "http://public.test@127.0.0.1:{port}/",
    "http://127.0.0.1:{port}\\@public.test/",
    "http://public .test/",
    "http://pub\tlic.test/",
    "http://public.test/\r\nX-Injected: 1",
    "http:///nohost",
    "http://[::1/",
]


@pytest.mark.parametrize("url_template", SSRF_URLS)
def test_ssrf_matrix_is_refused_without_any_connection(
    http_server: LocalHTTPServer, connect_spy: list[tuple[object, ...]], url_template: str
) -> None:
    url = url_template.format(port=http_server.port)
    resolver = ResolverSpy(SSRF_RESOLVER_MAP)
    # Production-like: nothing exempt.  The local server's port is allowed, so only the
    # address rules stand between these URLs and the server.
    policy = FetchPolicy(allowed_ports={80, 443, http_server.port}, resolver=resolver, deadline_seconds=5)

    result = fetch(url, policy=policy)
    assert result.outcome == FetchOutcome.BLOCKED_UNSAFE, result.error
    assert result.error
    with pytest.raises(UnsafeURLError):
        validate_public_url(url, policy)

    assert connect_spy == []
    assert http_server.requests == []
    # Only real (syntactically acceptable) names are ever looked up.
    assert {host for host, _ in resolver.calls} <= set(SSRF_RESOLVER_MAP)


def test_ssrf_matrix_is_large_enough() -> None:
    assert len(SSRF_URLS) >= 30


def test_validate_public_url_accepts_public_and_reports_dns_failures() -> None:
    policy = FetchPolicy(resolver=ResolverSpy({"public.test": ["93.184.216.34", "2606:2800:220:1::1"]}))
    validate_public_url("https://public.test/path?q=1", policy)  # does not raise
    with pytest.raises(HostResolutionError):
        validate_public_url("https://unknown.test/", policy)
    with pytest.raises(ValueError, match="port 8080 is not allowed"):
        validate_public_url("https://public.test:8080/", policy)
    with pytest.raises(ValueError, match="scheme 'ftp'"):
        validate_public_url("ftp://public.test/", policy)


# --------------------------------------------------------------------------------------------
# is_public_address (pure)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "93.184.216.34",
        "8.8.8.8",
        "1.1.1.1",
        "2606:2800:220:1:248:1893:25c8:1946",
        "2a00:1450:4001:82b::200e",
        "::ffff:93.184.216.34",  # mapped public IPv4 is that IPv4
        "64:ff9b::5db8:d822",  # NAT64 of a public IPv4 (DNS64 networks)
        "2002:5db8:d822::1",  # 6to4 of a public IPv4
        ipaddress.ip_address("93.184.216.34"),
    ],
)
def test_public_addresses(address: object) -> None:
    assert is_public_address(address)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "100.127.255.254",
        "0.0.0.0",  # noqa: S104  (an address under test, not a bind)
        "224.0.0.251",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "198.51.100.7",
        "203.0.113.9",
        "198.18.0.1",
        "192.88.99.1",
        "::",
        "::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::127.0.0.1",
        "::8.8.8.8",
        "64:ff9b::7f00:1",
        "64:ff9b::a00:1",
        "64:ff9b:1::808:808",
        "2002:7f00:1::1",
        "2002:c0a8:101::1",
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",
        "2001:db8::1",
        "fe80::1",
        "fe80::1%eth0",
        "fc00::1",
        "fd00::1",
        "fec0::1",
        "ff02::1",
        "100::1",
        "not an ip",
        "",
    ],
)
def test_non_public_addresses(address: str) -> None:
    assert not is_public_address(address)


# --------------------------------------------------------------------------------------------
# Policy
# --------------------------------------------------------------------------------------------


def test_policy_defaults_and_normalisation() -> None:
    policy = FetchPolicy(allowed_networks=["127.0.0.1/32", ipaddress.ip_network("::1/128")], allowed_ports=[80])
    assert policy.allowed_networks == (ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("::1/128"))
    assert policy.allowed_ports == frozenset({80})
    default = FetchPolicy()
    assert default.max_redirects == 5
    assert default.deadline_seconds == 20
    assert default.max_body_bytes == 5 * MiB
    assert default.allowed_networks == ()
    assert default.allowed_ports == frozenset({80, 443})
    assert "http" in default.user_agent  # honest: carries a contact URL
    with pytest.raises(ValueError):
        FetchPolicy(allowed_networks=["not-a-network"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        default.max_redirects = 10  # type: ignore[misc]  # frozen


def test_policy_from_settings_reads_django_settings_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_settings = types.SimpleNamespace(
        FETCH_ALLOWED_NETWORKS=["10.0.0.0/8"],
        FETCH_USER_AGENT="TestBot/2.0 (+https://example.org/contact)",
        FETCH_MAX_BODY_BYTES=1234,
        FETCH_DEADLINE_SECONDS=7,
    )
    monkeypatch.setitem(sys.modules, "django.conf", types.SimpleNamespace(settings=fake_settings))
    policy = policy_from_settings()
    assert policy.allowed_networks == (ipaddress.ip_network("10.0.0.0/8"),)
    assert policy.user_agent == "TestBot/2.0 (+https://example.org/contact)"
    assert policy.max_body_bytes == 1234
    assert policy.deadline_seconds == 7.0

    monkeypatch.setitem(sys.modules, "django.conf", types.SimpleNamespace(settings=types.SimpleNamespace()))
    defaults = policy_from_settings(max_redirects=2)
    assert defaults.allowed_networks == ()
    assert defaults.max_redirects == 2
    assert defaults.max_body_bytes == 5 * MiB


# --------------------------------------------------------------------------------------------
# TLS: connect to the IP, verify the original name
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A throw-away CA and a certificate for ``fetch.test`` signed by it (needs openssl)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl command not available")
    directory = tmp_path_factory.mktemp("tls")
    ca_key, ca_pem = directory / "ca.key", directory / "ca.pem"
    key, csr, pem = directory / "leaf.key", directory / "leaf.csr", directory / "leaf.pem"
    ext = directory / "leaf.ext"
    ext.write_text(
        "subjectAltName=DNS:fetch.test\nbasicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n"
    )
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    commands = [
        [
            "openssl",
            "req",
            "-x509",
            *ec,
            "-keyout",
            ca_key,
            "-out",
            ca_pem,
            "-days",
            "2",
            "-subj",
            "/CN=Fetcher Test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
        ["openssl", "req", *ec, "-keyout", key, "-out", csr, "-subj", "/CN=fetch.test"],
        [
            "openssl",
            "x509",
            "-req",
            "-in",
            csr,
            "-CA",
            ca_pem,
            "-CAkey",
            ca_key,
            "-CAcreateserial",
            "-out",
            pem,
            "-days",
            "2",
            "-extfile",
            ext,
        ],
    ]
    for command in commands:
        # Fixed argument lists, no shell, no user input.
        subprocess.run([str(part) for part in command], check=True, capture_output=True, cwd=directory)  # noqa: S603
    return {"ca": ca_pem, "cert": pem, "key": key}


@pytest.fixture
def https_server(tls_files: dict[str, Path]) -> Iterator[LocalHTTPServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls_files["cert"], tls_files["key"])
    with LocalHTTPServer(ssl_context=context) as server:
        server.add("/", body=b"secure")
        yield server


def _tls_policy(server: LocalHTTPServer, ca: Path | None, names: list[str]) -> FetchPolicy:
    return local_policy(
        server,
        resolver=ResolverSpy({name: ["127.0.0.1"] for name in names}),
        ca_certs=str(ca) if ca else None,
    )


def test_tls_verifies_original_hostname_and_sends_sni(
    https_server: LocalHTTPServer, tls_files: dict[str, Path]
) -> None:
    policy = _tls_policy(https_server, tls_files["ca"], ["fetch.test"])
    result = fetch(https_server.url("/", host="fetch.test"), policy=policy)
    assert result.outcome == FetchOutcome.OK, result.error
    assert result.body == b"secure"
    (request,) = https_server.requests
    assert request.sni == "fetch.test"
    assert request.headers["host"] == f"fetch.test:{https_server.port}"


def test_tls_hostname_mismatch_is_tls_error(https_server: LocalHTTPServer, tls_files: dict[str, Path]) -> None:
    # Same IP, valid chain, but the certificate is not for this name.
    policy = _tls_policy(https_server, tls_files["ca"], ["other.test"])
    result = fetch(https_server.url("/", host="other.test"), policy=policy)
    assert result.outcome == FetchOutcome.TLS_ERROR
    assert https_server.requests == []


def test_tls_untrusted_certificate_is_tls_error(https_server: LocalHTTPServer) -> None:
    policy = _tls_policy(https_server, None, ["fetch.test"])  # certifi bundle: our CA unknown
    result = fetch(https_server.url("/", host="fetch.test"), policy=policy)
    assert result.outcome == FetchOutcome.TLS_ERROR
    assert "certificate" in result.error
    assert https_server.requests == []


def test_tls_to_ip_literal_checks_the_ip_not_a_name(https_server: LocalHTTPServer, tls_files: dict[str, Path]) -> None:
    policy = _tls_policy(https_server, tls_files["ca"], [])
    result = fetch(https_server.url("/"), policy=policy)  # https://127.0.0.1:port/
    assert result.outcome == FetchOutcome.TLS_ERROR
