"""POST one signed webhook through the safe fetcher's vetting: no private address, a short deadline.

`sources.fetcher.fetch` sends GET and HEAD only (it reads pages), so this module composes the same
steps for a POST with a body: `parse_target` (scheme, port, host spelling, no credentials),
`resolve` (every address public, under the deadline), `open_connection` (to the vetted address
itself, never the name again, TLS checked against the name; every read bounded by the deadline).
Redirects are not followed: a webhook answered with 3xx failed, as Standard Webhooks senders treat
it. Only the first kilobyte of the answer is read, for the delivery log.
"""

from __future__ import annotations

import functools
import ssl
from dataclasses import dataclass
from http.client import HTTPException

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string
from urllib3.exceptions import HTTPError as Urllib3HTTPError

from push import conf
from push.choices import AttemptOutcome
from sources.fetcher import FetchOutcome, FetchPolicy, HostResolutionError, UnsafeURLError, policy_from_settings
from sources.fetcher.connections import open_connection
from sources.fetcher.deadline import Deadline, DeadlineExceededError
from sources.fetcher.resolving import resolve
from sources.fetcher.results import classify_exception
from sources.fetcher.urls import parse_target

RESPONSE_EXCERPT_BYTES = 1024


@dataclass(frozen=True)
class PostResult:
    outcome: str  # AttemptOutcome
    status_code: int | None = None
    elapsed_ms: int = 0
    error: str = ""
    response_excerpt: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome == AttemptOutcome.SUCCESS


@functools.cache
def webhook_policy() -> FetchPolicy:
    """The fetcher's policy from settings (allowed networks and ports, resolver) with the webhook deadline."""
    timeout = conf.number("WEBHOOK_TIMEOUT_SECONDS")
    overrides: dict[str, object] = {
        "allowed_ports": frozenset(settings.FETCH_ALLOWED_PORTS),
        "deadline_seconds": timeout,
        "connect_timeout": min(timeout, 5.0),
    }
    if getattr(settings, "FETCH_RESOLVER", ""):
        overrides["resolver"] = import_string(settings.FETCH_RESOLVER)
    return policy_from_settings(**overrides)


@receiver(setting_changed)
def _settings_changed(**kwargs: object) -> None:
    webhook_policy.cache_clear()


def check_url(url: str) -> str | None:
    """Why `url` may not receive webhooks (for the API and the admin), or None when it may."""
    try:
        resolve(parse_target(url, webhook_policy()), webhook_policy(), webhook_policy().deadline_seconds)
    except HostResolutionError as error:
        return f"The host name does not resolve: {error}"
    except DeadlineExceededError:
        return "The host name did not resolve in time."
    except UnsafeURLError as error:
        return f"This URL cannot receive webhooks: {error}."
    return None


def post(url: str, *, body: bytes, headers: dict[str, str]) -> PostResult:
    """POST `body` to `url`; never raises for network problems."""
    policy = webhook_policy()
    deadline = Deadline(policy.deadline_seconds)
    try:
        target = resolve(parse_target(url, policy), policy, deadline.remaining())
    except DeadlineExceededError:
        return PostResult(AttemptOutcome.TIMEOUT, elapsed_ms=deadline.elapsed_ms(), error="DNS timed out")
    except UnsafeURLError as error:  # HostResolutionError included
        outcome = (
            AttemptOutcome.CONNECTION_ERROR if isinstance(error, HostResolutionError) else AttemptOutcome.BLOCKED_UNSAFE
        )
        return PostResult(outcome, elapsed_ms=deadline.elapsed_ms(), error=str(error))
    connecting = True
    conn = None
    try:
        conn = open_connection(target, policy, deadline)
        connecting = False
        conn.timeout = max(deadline.remaining(), 0.001)
        conn.request(
            "POST",
            target.request_target,
            body=body,
            headers={
                **headers,
                "Host": target.host_header,
                "User-Agent": policy.user_agent,
                "Content-Type": "application/json",
                "Connection": "close",
            },
            preload_content=False,
            decode_content=False,
        )
        response = conn.getresponse()
        try:
            excerpt = response.read(RESPONSE_EXCERPT_BYTES, decode_content=False)
        finally:
            response.close()
    except (DeadlineExceededError, OSError, HTTPException, Urllib3HTTPError, ssl.CertificateError) as error:
        fetch_outcome, message = classify_exception(error, deadline, connecting=connecting)
        outcome = AttemptOutcome.TIMEOUT if fetch_outcome == FetchOutcome.TIMEOUT else AttemptOutcome.CONNECTION_ERROR
        return PostResult(outcome, elapsed_ms=deadline.elapsed_ms(), error=message)
    finally:
        if conn is not None:
            conn.close()
    status = response.status
    return PostResult(
        AttemptOutcome.SUCCESS if 200 <= status < 300 else AttemptOutcome.HTTP_ERROR,
        status_code=status,
        elapsed_ms=deadline.elapsed_ms(),
        error="" if 200 <= status < 300 else f"HTTP {status}",
        response_excerpt=excerpt.decode("utf-8", "replace"),
    )
