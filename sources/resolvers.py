"""Name resolvers the fetcher can be pointed at with the FETCH_RESOLVER setting.

Production uses the system resolver (FETCH_RESOLVER unset). Tests and the benchmark use
`static_resolver`: it answers only for the names listed in FETCH_STATIC_HOSTS and refuses every
other name, so a test that forgets to stub a URL fails with dns_error instead of reaching the
internet.
"""

from __future__ import annotations

import fnmatch
import socket

from django.conf import settings


def static_resolver(host: str, port: int) -> list[str]:
    """Resolve `host` from FETCH_STATIC_HOSTS ({"pattern": "address", ...}, fnmatch patterns)."""
    host = host.lower().rstrip(".")
    for pattern, address in (getattr(settings, "FETCH_STATIC_HOSTS", None) or {}).items():
        if fnmatch.fnmatchcase(host, pattern.lower()):
            return [address]
    raise socket.gaierror(socket.EAI_NONAME, f"{host} is not in FETCH_STATIC_HOSTS (offline resolver)")
