"""Reading a response body within the deadline and the cap on its *decoded* size."""

from __future__ import annotations

import zlib
from http.client import HTTPException
from typing import Any

from urllib3.exceptions import HTTPError as Urllib3HTTPError

from sources.fetcher.deadline import Deadline, DeadlineExceededError
from sources.fetcher.policy import FetchPolicy
from sources.fetcher.results import FetchOutcome, classify_exception

__all__ = ["SUPPORTED_ENCODINGS", "read_body"]

SUPPORTED_ENCODINGS = frozenset({"", "identity", "gzip", "x-gzip", "deflate"})

_READ_CHUNK = 64 * 1024


def read_body(
    response: Any, encoding: str, policy: FetchPolicy, deadline: Deadline
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
                raise DeadlineExceededError
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
    except (DeadlineExceededError, OSError, HTTPException, Urllib3HTTPError) as exc:
        outcome, error = classify_exception(exc, deadline, connecting=False)
        return b"", outcome, error
    return decoder.body, None, ""


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
