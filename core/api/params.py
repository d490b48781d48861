"""Query parameters that name a date or a moment, refused with a 400 naming the parameter."""

from __future__ import annotations

import datetime

from rest_framework import serializers

from core.dates import moment_from_text


def parse_date(value: str | None, name: str, default: datetime.date | None = None) -> datetime.date | None:
    """A YYYY-MM-DD date; absent is `default`, blank is refused like any other non-date."""
    if value is None:
        return default
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise serializers.ValidationError({name: "Give a date as YYYY-MM-DD."}) from None


def parse_datetime(value: str | None, name: str) -> datetime.datetime | None:
    """An ISO 8601 moment in UTC; a date alone means the end of that day (core.dates.moment_from_text).
    Absent is None; blank is refused."""
    if value is None:
        return None
    if not value:
        raise serializers.ValidationError({name: "Give an ISO 8601 moment or a date (YYYY-MM-DD)."})
    try:
        return moment_from_text(value)
    except ValueError as error:
        raise serializers.ValidationError({name: str(error)}) from None
