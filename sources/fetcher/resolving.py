"""Resolving a vetted host within the deadline, and refusing it unless every address is allowed."""

from __future__ import annotations

import dataclasses
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeoutError

from sources.fetcher.addresses import IPAddress, address_allowed, to_address
from sources.fetcher.deadline import DeadlineExceededError
from sources.fetcher.policy import FetchPolicy
from sources.fetcher.urls import Target, UnsafeURLError, parse_target

__all__ = ["HostResolutionError", "resolve", "validate_public_url"]


class HostResolutionError(UnsafeURLError):
    """The host name could not be resolved (fetch reports this as ``dns_error``)."""


_resolver_pool: ThreadPoolExecutor | None = None
_resolver_pool_pid: int | None = None
_resolver_pool_lock = threading.Lock()


def _resolver_executor() -> ThreadPoolExecutor:
    """A small shared pool so a hanging DNS lookup cannot outlive the fetch deadline.

    getaddrinfo() has no timeout parameter; running it in a pool lets the caller stop
    waiting.  Recreated after fork (Celery prefork) because threads do not survive fork.
    """
    global _resolver_pool, _resolver_pool_pid
    with _resolver_pool_lock:
        if _resolver_pool is None or _resolver_pool_pid != os.getpid():
            _resolver_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="fetch-dns")
            _resolver_pool_pid = os.getpid()
        return _resolver_pool


def resolve(target: Target, policy: FetchPolicy, timeout: float) -> Target:
    """Resolve the host (unless it is a literal) and vet every address."""
    if target.literal is not None:
        raw: list[str] = [str(target.literal)]
    else:
        if timeout <= 0:
            raise DeadlineExceededError
        future = _resolver_executor().submit(policy.resolver, target.host, target.port)
        try:
            raw = list(future.result(timeout=timeout))
        except FutureTimeoutError:
            future.cancel()
            raise DeadlineExceededError from None
        except (OSError, UnicodeError, ValueError) as exc:
            raise HostResolutionError(f"could not resolve {target.host!r}: {exc}") from None
        if not raw:
            raise HostResolutionError(f"{target.host!r} has no addresses")
    addresses: list[IPAddress] = []
    for item in raw:
        address = to_address(item)
        if address is None:
            raise UnsafeURLError(f"{target.host!r} resolved to an unparseable address {item!r}")
        # Refuse if ANY address is unsafe: connecting to "the public one" would still let
        # an attacker steer us through whichever address a retry or happy-eyeballs picks.
        if not address_allowed(address, policy):
            raise UnsafeURLError(f"{target.host!r} resolves to non-public address {address}")
        addresses.append(address)
    return dataclasses.replace(target, addresses=tuple(addresses))


def validate_public_url(url: str, policy: FetchPolicy) -> None:
    """Refuse a URL up front (for forms and APIs): scheme, credentials, port, host, addresses.

    Raises :class:`UnsafeURLError` (a ``ValueError``) with a human-readable message, or its
    subclass :class:`HostResolutionError` when the name does not resolve.  Makes no HTTP
    request; resolves the host name with ``policy.resolver``.
    """
    resolve(parse_target(url, policy), policy, policy.deadline_seconds)
