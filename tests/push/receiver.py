"""A local webhook receiver: records every POST (headers and body) and answers as told per path.

Behaviours per path: a list of statuses consumed one per request (the last one repeats), a delay
before answering, `hang` (accept the connection and never answer) or `hangs` (so many first requests
get no answer, the later ones do). Binds 127.0.0.1 only.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Behaviour:
    statuses: list[int] = field(default_factory=lambda: [200])
    delay: float = 0.0
    hang: bool = False
    hangs: int = 0


class Receiver:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.behaviours: dict[str, Behaviour] = {}
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                path = self.path.partition("?")[0]
                behaviour = receiver.behaviours.get(path, Behaviour())
                with receiver._lock:
                    receiver.received.append(
                        Received(path, {k.lower(): v for k, v in self.headers.items()}, body, time.monotonic())
                    )
                    status = behaviour.statuses.pop(0) if len(behaviour.statuses) > 1 else behaviour.statuses[0]
                    hang = behaviour.hang or behaviour.hangs > 0
                    behaviour.hangs -= 1
                if hang:
                    time.sleep(30)
                    return
                if behaviour.delay:
                    time.sleep(behaviour.delay)
                answer = b'{"ok": true}' if status < 300 else b'{"error": "nope"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def on(self, path: str, **behaviour: object) -> None:
        self.behaviours[path] = Behaviour(**behaviour)  # type: ignore[arg-type]

    def to(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path == path]
