"""What the fetcher may do: the policy, its production settings and the system resolver."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "DEFAULT_ACCEPTED_TYPES",
    "DEFAULT_USER_AGENT",
    "FetchPolicy",
    "IPNetwork",
    "Resolver",
    "default_resolver",
    "policy_from_settings",
]

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]

DEFAULT_USER_AGENT = "FactTrackerBot/1.0 (+https://example.org/about/crawler)"
DEFAULT_ACCEPTED_TYPES: tuple[str, ...] = (
    "text/html",
    "application/xhtml+xml",
    "text/plain",
    "application/pdf",
)


def default_resolver(host: str, port: int) -> list[str]:
    """Resolve ``host`` with the system resolver; return each distinct address once, in order."""
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = str(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


@dataclass(frozen=True)
class FetchPolicy:
    """Everything that decides what the fetcher may do.  Immutable; share one per process.

    ``allowed_networks`` accepts CIDR strings or ``ipaddress`` networks and exempts those
    networks from the public-address rule.  Production leaves it empty; tests use it to
    reach 127.0.0.1.  ``ca_certs`` (a PEM bundle path) overrides the certifi bundle, for
    tests and private deployments.
    """

    user_agent: str = DEFAULT_USER_AGENT
    allowed_networks: tuple[IPNetwork, ...] = ()
    allowed_ports: frozenset[int] = frozenset({80, 443})
    max_redirects: int = 5
    deadline_seconds: float = 20.0
    connect_timeout: float = 5.0
    max_body_bytes: int = 5 * 1024 * 1024
    accepted_types: tuple[str, ...] = DEFAULT_ACCEPTED_TYPES
    resolver: Resolver = default_resolver
    ca_certs: str | None = None

    def __post_init__(self) -> None:
        # Normalise the convenient input forms (lists, CIDR strings) once, here, so the rest
        # of the module can rely on the declared types.
        networks = tuple(
            net if isinstance(net, (ipaddress.IPv4Network, ipaddress.IPv6Network)) else ipaddress.ip_network(str(net))
            for net in self.allowed_networks
        )
        object.__setattr__(self, "allowed_networks", networks)
        object.__setattr__(self, "allowed_ports", frozenset(int(p) for p in self.allowed_ports))
        object.__setattr__(self, "accepted_types", tuple(t.strip().lower() for t in self.accepted_types))
        if not self.user_agent.strip():
            raise ValueError("FetchPolicy.user_agent must not be empty")
        if self.max_redirects < 0:
            raise ValueError("FetchPolicy.max_redirects must be >= 0")
        if self.deadline_seconds <= 0 or self.connect_timeout <= 0:
            raise ValueError("FetchPolicy deadline_seconds and connect_timeout must be > 0")
        if self.max_body_bytes <= 0:
            raise ValueError("FetchPolicy.max_body_bytes must be > 0")


def policy_from_settings(**overrides: object) -> FetchPolicy:
    """Build the production policy from Django settings (imported lazily).

    Reads ``FETCH_ALLOWED_NETWORKS`` (list of CIDR strings), ``FETCH_USER_AGENT``,
    ``FETCH_MAX_BODY_BYTES`` and ``FETCH_DEADLINE_SECONDS``; ``overrides`` win over settings.
    """
    from django.conf import settings

    values: dict[str, object] = {
        "allowed_networks": tuple(getattr(settings, "FETCH_ALLOWED_NETWORKS", ()) or ()),
        "user_agent": getattr(settings, "FETCH_USER_AGENT", DEFAULT_USER_AGENT),
        "max_body_bytes": int(getattr(settings, "FETCH_MAX_BODY_BYTES", 5 * 1024 * 1024)),
        "deadline_seconds": float(getattr(settings, "FETCH_DEADLINE_SECONDS", 20.0)),
    }
    values.update(overrides)
    return FetchPolicy(**values)  # type: ignore[arg-type]
