"""Query parameters that name a date or a moment, refused with a 400 naming the parameter."""

from __future__ import annotations

import datetime

from django.utils import timezone
from rest_framework import serializers

from core.filtersets import to_utc


def parse_date(value: str | None, name: str, default: datetime.date | None = None) -> datetime.date | None:
    if not value:
        return default
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise serializers.ValidationError({name: "Give a date as YYYY-MM-DD."}) from None


def parse_datetime(value: str | None, name: str) -> datetime.datetime | None:
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise serializers.ValidationError({name: "Give a moment as ISO 8601, e.g. 2025-03-01T12:00:00Z."}) from None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=datetime.UTC)
    return to_utc(moment, name)
