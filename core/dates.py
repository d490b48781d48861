"""Partial dates: a date known to the day, the month or the year, stored with its unknown parts set to 1."""

from __future__ import annotations

import datetime

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
