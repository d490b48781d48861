"""Typed access to environment variables that fails loudly on a bad value.

A typo in production configuration ("DJANGO_DEBUG=flase") must stop the process at start-up,
not silently fall back to a default.
"""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_UNSET = object()


def _raw(name: str, default: object) -> str | object:
    value = os.environ.get(name)
    if value is None:
        if default is _UNSET:
            raise ImproperlyConfigured(f"Environment variable {name} is required but not set.")
        return default
    return value.strip()


def env_str(name: str, default: object = _UNSET) -> str:
    return _raw(name, default)  # type: ignore[return-value]


def env_bool(name: str, default: bool | object = _UNSET) -> bool:
    value = _raw(name, default)
    if isinstance(value, bool):
        return value
    lowered = str(value).lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no, on/off).")


def env_int(name: str, default: int | object = _UNSET, *, minimum: int | None = None) -> int:
    value = _raw(name, default)
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
    return number


def env_list(name: str, default: list[str] | object = _UNSET) -> list[str]:
    value = _raw(name, default)
    if isinstance(value, list):
        return value
    return [item.strip() for item in str(value).split(",") if item.strip()]


def env_networks(name: str, default: list[str] | object = _UNSET) -> list[str]:
    """A comma-separated list of CIDR networks, each validated."""
    networks = env_list(name, default)
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ImproperlyConfigured(f"{name} contains {network!r}, which is not a CIDR network.") from None
    return networks


def env_float(name: str, default: float | object = _UNSET, *, minimum: float | None = None) -> float:
    value = _raw(name, default)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"{name}={value!r} is not a number.") from None
    if number != number or (minimum is not None and number < minimum):  # NaN, or below the minimum
        raise ImproperlyConfigured(f"{name}={number} must be a number of at least {minimum}.")
    return number


def env_url(name: str, default: str | object = _UNSET) -> str:
    """An absolute http(s) URL (an origin or a page), without its trailing slash."""
    value = env_str(name, default)
    parts = urlsplit(value)
    if value and (parts.scheme not in ("http", "https") or not parts.hostname):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not an absolute http(s) URL, e.g. https://tracker.example.net."
        )
    return value.rstrip("/")
