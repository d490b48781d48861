"""Which IP addresses the fetcher may connect to: globally routable unicast only."""

from __future__ import annotations

import ipaddress

from sources.fetcher.policy import FetchPolicy

__all__ = ["IPAddress", "address_allowed", "is_public_address", "to_address"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IANA special-purpose IPv4 ranges.  Listed explicitly instead of trusting only
# ``ipaddress.is_global``, whose answers differ between Python versions (and which calls
# multicast "global").
_BLOCKED_V4 = tuple(
    ipaddress.IPv4Network(net)
    for net in (
        "0.0.0.0/8",  # "this network", includes the unspecified 0.0.0.0
        "10.0.0.0/8",  # private
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local, cloud metadata endpoints
        "172.16.0.0/12",  # private
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # TEST-NET-1
        "192.88.99.0/24",  # deprecated 6to4 relay anycast
        "192.168.0.0/16",  # private
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # TEST-NET-2
        "203.0.113.0/24",  # TEST-NET-3
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, includes broadcast 255.255.255.255
    )
)
# Only 2000::/3 is allocated for global unicast.  Everything outside it is refused, which
# covers ::, ::1, IPv4-compatible ::/96, NAT64 local-use 64:ff9b:1::/48, ULA, link-local,
# site-local and multicast in one rule (IPv4-mapped and NAT64 well-known are handled first).
_GLOBAL_UNICAST_V6 = ipaddress.IPv6Network("2000::/3")
_BLOCKED_V6 = tuple(
    ipaddress.IPv6Network(net)
    for net in (
        "2001::/23",  # IETF protocol assignments, includes Teredo 2001::/32
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation
    )
)
_IPV4_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
_NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")


def to_address(ip: str | IPAddress) -> IPAddress | None:
    if isinstance(ip, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return ip
    try:
        return ipaddress.ip_address(str(ip).strip().strip("[]"))
    except ValueError:
        return None


def _is_public_v4(address: ipaddress.IPv4Address) -> bool:
    if any(address in net for net in _BLOCKED_V4):
        return False
    return address.is_global


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a transition-mechanism IPv6 address points at, if it has one.

    A packet to ``::ffff:127.0.0.1`` (mapped), ``2002:7f00:1::`` (6to4) or
    ``64:ff9b::7f00:1`` (NAT64) ends up at the embedded IPv4 host, so that host is what
    must be public.
    """
    if address in _IPV4_MAPPED:
        return address.ipv4_mapped
    if address in _NAT64_WELL_KNOWN:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _SIX_TO_FOUR:
        return address.sixtofour
    return None


def is_public_address(ip: str | IPAddress) -> bool:
    """Return True if ``ip`` is a globally routable unicast address we may connect to.

    Pure function, no network.  Unparseable input, scoped IPv6 addresses and every
    special-purpose range (see ``_BLOCKED_V4``/``_BLOCKED_V6``) are not public; IPv6
    addresses embedding an IPv4 address are judged by the embedded address.
    """
    address = to_address(ip)
    if address is None:
        return False
    if isinstance(address, ipaddress.IPv4Address):
        return _is_public_v4(address)
    if address.scope_id:  # a zone index only makes sense on a local link
        return False
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return _is_public_v4(embedded)
    if address not in _GLOBAL_UNICAST_V6:
        return False
    if any(address in net for net in _BLOCKED_V6):
        return False
    return address.is_global and not address.is_multicast


def address_allowed(address: IPAddress, policy: FetchPolicy) -> bool:
    # The exemption matches the literal address only: an exempt 127.0.0.1/32 does not
    # exempt ::ffff:127.0.0.1, so a test exemption cannot be widened by re-spelling it.
    for net in policy.allowed_networks:
        if address.version == net.version and address in net:
            return True
    return is_public_address(address)
