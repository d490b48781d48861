"""Connecting to a vetted address (never to the name again), with TLS checked against the name."""

from __future__ import annotations

import functools
import ssl

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from sources.fetcher.deadline import Deadline, DeadlineExceededError, DeadlineSocket
from sources.fetcher.policy import FetchPolicy
from sources.fetcher.urls import Target

__all__ = ["open_connection"]


def _ssl_context(policy: FetchPolicy) -> ssl.SSLContext:
    cafile = policy.ca_certs
    if cafile is None:
        try:
            import certifi

            cafile = certifi.where()
        except ImportError:  # fall back to the system store
            cafile = None
    return _ssl_context_for(cafile)


@functools.lru_cache(maxsize=8)
def _ssl_context_for(cafile: str | None) -> ssl.SSLContext:
    # Loading a CA bundle costs milliseconds; an SSLContext is safe to share between threads.
    context = ssl.create_default_context(cafile=cafile)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    # check_hostname stays True: OpenSSL itself verifies the certificate against the
    # server_hostname we pass (the original name), even though we connect to an IP.
    return context


def open_connection(target: Target, policy: FetchPolicy, deadline: Deadline) -> HTTPConnection:
    """Connect to the first reachable vetted address of ``target``.

    We hand urllib3 the *IP address* as the host, so no second DNS lookup happens (a
    rebinding resolver cannot swap the answer after vetting).  For https we pass the
    original name as ``server_hostname``: urllib3 sends it as SNI, and because we supply an
    SSLContext with ``check_hostname=True`` and no ``assert_hostname``, OpenSSL verifies the
    certificate chain and that the certificate matches that name.  The Host header is set
    explicitly by the caller.
    """
    last_error: Exception | None = None
    for address in target.addresses:
        timeout = min(policy.connect_timeout, deadline.remaining())
        if timeout <= 0:
            raise DeadlineExceededError
        conn: HTTPConnection
        if target.scheme == "https":
            conn = HTTPSConnection(
                host=str(address),
                port=target.port,
                timeout=timeout,
                server_hostname=target.host,
                ssl_context=_ssl_context(policy),
                cert_reqs="CERT_REQUIRED",
            )
        else:
            conn = HTTPConnection(host=str(address), port=target.port, timeout=timeout)
        try:
            # TCP connect is bounded by `timeout`; CPython bounds the whole TLS handshake by
            # the socket timeout too, so this step cannot exceed the remaining budget much.
            conn.connect()
        except (NewConnectionError, ConnectTimeoutError) as exc:
            # Plain TCP failure: another vetted address of the same host may work.
            conn.close()
            last_error = exc
            continue
        except BaseException:
            conn.close()
            raise
        conn.sock = DeadlineSocket(conn.sock, deadline)  # type: ignore[assignment]
        return conn
    raise last_error if last_error is not None else DeadlineExceededError()
