"""The one safe HTTP fetcher used by every outbound fetch in the product.

Every URL we fetch comes, directly or through a redirect, from someone we do not control, so
this package treats each one as a possible server-side request forgery (SSRF) attempt:

* only ``http``/``https`` on allowed ports (80 and 443 by default);
* the host is resolved once and *every* address must be public (loopback, private,
  link-local, CGNAT, multicast, reserved and IPv6 forms embedding such IPv4 addresses are
  refused); odd spellings (``localhost``, single-label names, decimal/octal/hex/short IPv4)
  are refused before any DNS query;
* the connection goes to the vetted IP address itself, never to the name again, so a DNS
  answer cannot change between the check and the connect (DNS rebinding), while TLS still
  sends SNI for, and verifies the certificate against, the original host name;
* redirects are followed here (at most ``max_redirects``), each hop vetted the same way;
* proxy environment variables are never consulted (urllib3 connections, not ``requests``);
* one deadline bounds the whole fetch: DNS, connect, TLS, headers, redirects and body;
* the *decoded* body is capped, so a gzip bomb is cut off after ``max_body_bytes``.

Network problems never raise: ``fetch`` returns a :class:`FetchResult` whose ``outcome`` says
what happened.  This package is deliberately independent of Django; only
:func:`policy_from_settings` touches Django settings, and it imports them lazily.

One module per step of a fetch: :mod:`.policy` (what may be fetched), :mod:`.urls` (vetting
without DNS), :mod:`.addresses` (which IP addresses are public), :mod:`.resolving` (DNS under
the deadline, every address vetted), :mod:`.deadline` and :mod:`.connections` (connecting to
the vetted address within the time budget), :mod:`.bodies` (reading a body under the cap),
:mod:`.charsets` (decoding text), :mod:`.results` (outcomes) and :mod:`.fetching` (the
redirect loop that ties them together).
"""

from sources.fetcher.addresses import IPAddress, is_public_address
from sources.fetcher.fetching import (
    ALLOWED_METHODS,
    CROSS_HOST_DROPPED_HEADERS,
    REDIRECT_STATUSES,
    RESERVED_HEADERS,
    TEXT_TYPES,
    fetch,
)
from sources.fetcher.policy import (
    DEFAULT_ACCEPTED_TYPES,
    DEFAULT_USER_AGENT,
    FetchPolicy,
    IPNetwork,
    Resolver,
    default_resolver,
    policy_from_settings,
)
from sources.fetcher.resolving import HostResolutionError, validate_public_url
from sources.fetcher.results import FetchOutcome, FetchResult, parse_retry_after
from sources.fetcher.urls import DEFAULT_PORTS, UnsafeURLError

__all__ = [
    "ALLOWED_METHODS",
    "CROSS_HOST_DROPPED_HEADERS",
    "DEFAULT_ACCEPTED_TYPES",
    "DEFAULT_PORTS",
    "DEFAULT_USER_AGENT",
    "REDIRECT_STATUSES",
    "RESERVED_HEADERS",
    "TEXT_TYPES",
    "FetchOutcome",
    "FetchPolicy",
    "FetchResult",
    "HostResolutionError",
    "IPAddress",
    "IPNetwork",
    "Resolver",
    "UnsafeURLError",
    "default_resolver",
    "fetch",
    "is_public_address",
    "parse_retry_after",
    "policy_from_settings",
    "validate_public_url",
]
