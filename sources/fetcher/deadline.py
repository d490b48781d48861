"""The single time budget of one fetch, and a socket whose every read respects it."""

from __future__ import annotations

import io
import socket
import time

__all__ = ["Deadline", "DeadlineExceededError", "DeadlineSocket"]


class DeadlineExceededError(Exception):
    """Internal: the overall deadline passed before or during a step."""


class Deadline:
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

    def __init__(self, owner: DeadlineSocket) -> None:
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


class DeadlineSocket:
    """Proxy for a connected (TLS) socket whose ``makefile`` returns a deadline-bound reader.

    http.client reads status line, headers and body through ``sock.makefile("rb")``; all
    other socket methods are delegated unchanged.  Like ``socket.socket`` it only really
    closes once every reader is closed too: http.client "closes" the connection as soon as
    the response takes over a ``Connection: close`` socket, while the response still reads.
    """

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
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
