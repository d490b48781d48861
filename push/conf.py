"""The push app's settings: a Django setting of the same name wins (tests set them), else the
environment, else the default. A malformed value stops start-up with a message naming it
(`check_settings`, run from PushConfig.ready).

The app sits in the top layer beside `config`, which it may not import, so it reads its own variables.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class _Setting:
    name: str
    default: float | str
    minimum: float | None = None
    help: str = ""


SETTINGS = {
    s.name: s
    for s in (
        _Setting("WEBHOOK_TIMEOUT_SECONDS", 5.0, 0.1, "total time one POST to an endpoint may take"),
        _Setting("WEBHOOK_RETRY_BASE_SECONDS", 10.0, 0.01, "wait before the first retry; doubles per failure"),
        _Setting("WEBHOOK_RETRY_MAX_SECONDS", 6 * 3600.0, 0.01, "longest wait between two attempts"),
        _Setting("WEBHOOK_GIVE_UP_AFTER_HOURS", 72.0, 0.0001, "an event failing this long disables its endpoint"),
        _Setting("WEBHOOK_CHAIN_SECONDS", 20.0, 0.1, "how long one task sends in a row before handing back"),
        _Setting("WEBHOOK_MAX_COUNTDOWN_SECONDS", 300.0, 0.01, "a longer wait is left to the dispatcher on beat"),
        _Setting("WEBHOOK_FANOUT_BATCH", 500.0, 1, "feed events turned into deliveries per transaction"),
    )
}


def get(name: str) -> float | str:
    spec = SETTINGS[name]
    if hasattr(settings, name):
        value = getattr(settings, name)
    else:
        value = os.environ.get(name, "")
        if value == "":
            return spec.default
    if isinstance(spec.default, str):
        return str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}.") from None
    if spec.minimum is not None and number < spec.minimum:
        raise ImproperlyConfigured(f"{name} must be at least {spec.minimum:g}, not {number:g}.")
    return number


def number(name: str) -> float:
    return float(get(name))


def check_settings() -> None:
    for name in SETTINGS:
        get(name)
