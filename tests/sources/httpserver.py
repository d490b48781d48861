"""A threaded local HTTP(S) server for tests, with per-test routes and a request log.

Usage as a context manager::

    with LocalHTTPServer() as server:
        server.add("/page", body=b"<p>hi</p>")
        server.redirect("/old", "/page", status=301)
        fetch(server.url("/old"), policy=...)
        assert server.paths() == ["/old", "/page"]

or through the ``http_server`` / ``make_http_server`` pytest fixtures (import them into a
test module: ``from tests.sources.httpserver import http_server``).

It binds to 127.0.0.1 on an ephemeral port and never talks to anything else.  Routes can
set status, headers, body, a delay before answering, byte-by-byte dripping of the body or
of the whole response, chunked transfer encoding, or be computed per request by a callable.
"""

from __future__ import annotations

import gzip
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

__all__ = [
    "LocalHTTPServer",
    "RecordedRequest",
    "Response",
    "deflate_bytes",
    "gzip_bomb",
    "gzip_bytes",
    "http_server",
    "make_http_server",
]


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it."""

    method: str
    target: str  # request target as sent, path plus query
    headers: dict[str, str]  # lower-cased names
    sni: str | None  # TLS server name the client sent, None for plain HTTP or no SNI
    at: float  # time.monotonic() when the request line was read

    @property
    def path(self) -> str:
        return self.target.partition("?")[0]


@dataclass
class Response:
    """What a route answers.

    ``drip_interval`` sends the body one byte at a time with that pause between bytes;
    ``drip_everything`` drips the status line and headers too.  ``content_length`` overrides
    the Content-Length header (None = length of body; ``chunked`` omits it).
    """

    status: int = 200
    body: bytes | str = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: Mapping[str, str] | Sequence[tuple[str, str]] = ()
    delay: float = 0.0
    drip_interval: float | None = None
    drip_everything: bool = False
    chunked: bool = False
    content_length: int | None = None


Handler = Response | Callable[[RecordedRequest], Response]


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9)


def deflate_bytes(data: bytes, *, raw: bool = False) -> bytes:
    """zlib-wrapped deflate (what HTTP specifies) or, with ``raw``, bare deflate."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def gzip_bomb(decompressed_size: int) -> bytes:
    """A gzip stream of ``decompressed_size`` zero bytes, built without holding them in memory."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1024 * 1024)
    parts = []
    remaining = decompressed_size
    while remaining > 0:
        size = min(remaining, len(block))
        parts.append(compressor.compress(block[:size]))
        remaining -= size
    parts.append(compressor.flush())
    return b"".join(parts)


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a dripping handler must never keep the test process alive
    allow_reuse_address = True

    def __init__(self, owner: LocalHTTPServer, ssl_context: ssl.SSLContext | None) -> None:
        self.owner = owner
        self.ssl_context = ssl_context
        super().__init__(("127.0.0.1", 0), _RequestHandler)

    def get_request(self) -> tuple[socket.socket, object]:
        sock, address = super().get_request()
        if self.ssl_context is not None:
            # Handshake lazily in the handler thread, so a bad client cannot stall accept().
            sock = self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients hanging up mid-response and failed TLS handshakes are expected in these
        # tests; keep stderr quiet.
        pass


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def setup(self) -> None:
        super().setup()
        self.sni: str | None = None
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(5)
            self.request.do_handshake()
            self.sni = self.server.owner._sni_by_socket.pop(id(self.request), None)

    def do_GET(self) -> None:  # noqa: N802
        self._handle()

    def do_HEAD(self) -> None:  # noqa: N802
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        self._handle()

    def _handle(self) -> None:
        owner = self.server.owner
        record = RecordedRequest(
            method=self.command,
            target=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            sni=self.sni,
            at=time.monotonic(),
        )
        owner._record(record)
        response = owner._response_for(record)
        self.close_connection = True
        if response.delay and owner._stopping.wait(response.delay):
            return
        body = response.body.encode("utf-8") if isinstance(response.body, str) else response.body
        head = self._head(response, body)
        payload = b"" if self.command == "HEAD" else self._framed_body(response, body)
        try:
            if response.drip_everything:
                self._drip(head + payload, response.drip_interval or 0.1)
            elif response.drip_interval:
                self.wfile.write(head)
                self._drip(payload, response.drip_interval)
            else:
                self.wfile.write(head + payload)
        except OSError:  # the client gave up, which is often the point of the test
            pass

    def _head(self, response: Response, body: bytes) -> bytes:
        lines = [f"HTTP/1.1 {response.status} {self.responses.get(response.status, ('X',))[0]}"]
        headers = list(response.headers.items() if isinstance(response.headers, Mapping) else response.headers)
        if response.content_type is not None:
            headers.append(("Content-Type", response.content_type))
        if response.chunked:
            headers.append(("Transfer-Encoding", "chunked"))
        else:
            length = len(body) if response.content_length is None else response.content_length
            headers.append(("Content-Length", str(length)))
        headers.append(("Connection", "close"))
        lines += [f"{name}: {value}" for name, value in headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    @staticmethod
    def _framed_body(response: Response, body: bytes) -> bytes:
        if not response.chunked:
            return body
        step = 16 * 1024
        chunks = [body[i : i + step] for i in range(0, len(body), step)]
        return b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"

    def _drip(self, data: bytes, interval: float) -> None:
        stopping = self.server.owner._stopping
        for i in range(len(data)):
            self.wfile.write(data[i : i + 1])
            if stopping.wait(interval):
                return


class LocalHTTPServer:
    """Threaded HTTP (or HTTPS, given ``ssl_context``) server on 127.0.0.1:<ephemeral>.

    Unknown paths answer 404.  Routes match on the path, or on the full target (path plus
    query) when a route was registered with a query string.
    """

    def __init__(self, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self._routes: dict[str, Handler] = {}
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._stopping = threading.Event()
        self._sni_by_socket: dict[int, str | None] = {}
        self.scheme = "https" if ssl_context is not None else "http"
        if ssl_context is not None:
            ssl_context.sni_callback = self._remember_sni
        self._server = _Server(self, ssl_context)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> LocalHTTPServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LocalHTTPServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- configuration -----------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, path: str = "/", *, host: str = "127.0.0.1") -> str:
        """URL of ``path`` on this server, optionally under another host name (for resolvers)."""
        return f"{self.scheme}://{host}:{self.port}{path}"

    def add(self, path: str, response: Handler | None = None, **fields: object) -> None:
        """Route ``path`` to ``response`` (or to ``Response(**fields)``)."""
        if response is None:
            response = Response(**fields)  # type: ignore[arg-type]
        elif fields:
            raise TypeError("pass either a Response/callable or Response fields, not both")
        with self._lock:
            self._routes[path] = response

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.add(path, status=status, headers={"Location": location}, content_type=None)

    # -- inspection --------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    # -- internals ---------------------------------------------------------------------------

    def _remember_sni(self, sslobj: ssl.SSLObject, server_name: str | None, context: ssl.SSLContext) -> None:
        self._sni_by_socket[id(sslobj)] = server_name

    def _record(self, record: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(record)

    def _response_for(self, record: RecordedRequest) -> Response:
        with self._lock:
            handler = self._routes.get(record.target) or self._routes.get(record.path)
        if handler is None:
            return Response(status=404, body=b"not found", content_type="text/plain")
        return handler(record) if callable(handler) else handler


@pytest.fixture
def make_http_server() -> Iterator[Callable[..., LocalHTTPServer]]:
    """Factory fixture: ``make_http_server(ssl_context=None)`` -> started server, stopped at teardown."""
    servers: list[LocalHTTPServer] = []

    def factory(**kwargs: object) -> LocalHTTPServer:
        server = LocalHTTPServer(**kwargs).start()  # type: ignore[arg-type]
        servers.append(server)
        return server

    yield factory
    for server in servers:
        server.stop()


@pytest.fixture
def http_server() -> Iterator[LocalHTTPServer]:
    """A started plain-HTTP LocalHTTPServer for one test."""
    with LocalHTTPServer() as server:
        yield server
