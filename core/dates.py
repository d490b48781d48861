"""Partial dates: a date known to the day, the month or the year, stored with its unknown parts set to 1."""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.choices import DatePrecision


def truncate_to_precision(value: datetime.date | None, precision: str) -> datetime.date | None:
    """Store a partial date with its unknown parts set to 1, so ordering and equality are stable."""
    if value is None:
        return None
    if precision == DatePrecision.YEAR:
        return value.replace(month=1, day=1)
    if precision == DatePrecision.MONTH:
        return value.replace(day=1)
    return value


def format_partial_date(value: datetime.date | None, precision: str) -> str:
    if value is None:
        return "date unknown"
    if precision == DatePrecision.YEAR:
        return f"{value:%Y}"
    if precision == DatePrecision.MONTH:
        return f"{value:%B %Y}"
    return f"{value.day} {value:%B %Y}"


def moment_from_text(text: str) -> datetime.datetime:
    """A moment in ISO 8601 (`2025-02-17T14:30`, `…Z`, `…+01:00`); a date alone means the end of that day.

    "Our records as they stood on 17 February" includes what was recorded that afternoon, so a bare date
    is read as 23:59:59.999999 in the site's time zone; a moment without an offset is in that zone too.
    Raises ValueError with a sentence for the user on anything else, impossible dates (2025-02-30) and
    moments outside the years 1-9999 once in UTC included.
    """
    text = text.strip()
    try:
        if len(text) == 10:
            moment = datetime.datetime.combine(datetime.date.fromisoformat(text), datetime.time.max)
        else:
            moment = datetime.datetime.fromisoformat(text.replace("z", "Z"))
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment.astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        raise ValueError(
            "Give a date (2025-02-17, meaning the end of that day) or a moment (2025-02-17T14:30:00Z), "
            "between the years 1 and 9999."
        ) from None
