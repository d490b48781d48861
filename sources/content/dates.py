"""Published dates as pages write them, with how precise they are (day, month or year)."""

from __future__ import annotations

import datetime as _dt
import html as _html
import re
from typing import Literal

__all__ = ["Precision", "parse_date"]

Precision = Literal["day", "month", "year"]
ParsedDate = tuple[_dt.date | None, Precision | None]

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}


def _safe_date(y: int, m: int = 1, d: int = 1) -> _dt.date | None:
    try:
        return _dt.date(y, m, d)
    except ValueError:
        return None


def parse_date(value: str | None) -> tuple[_dt.date | None, Precision | None]:
    """Parse a published date string and report its precision.

    Accepts ISO 8601 (``2025-02-18``, ``2025-02-18T10:00:00+01:00``,
    ``2025-02``, ``2025``), ``2025/02/18``, ``20250218``, ``18 February 2025``,
    ``Feb. 18, 2025``, ``February 2025``. The date is taken as written (no
    time-zone conversion).

    Returns ``(date, precision)`` or ``(None, None)``.
    """
    if not value:
        return None, None
    v = _html.unescape(value).strip().lower()
    numeric = _parse_numeric_date(v)
    if numeric is not None:
        return numeric
    return _parse_worded_date(v)


def _parse_numeric_date(v: str) -> ParsedDate | None:
    """Parse an all-digit date; None when no numeric form matches at all."""
    m = re.match(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[t\s_])", v)
    if m:
        d = _safe_date(int(m[1]), int(m[2]), int(m[3]))
        return (d, "day") if d else (None, None)
    m = re.match(r"^(\d{4})(\d\d)(\d\d)(?:$|t)", v)
    if m:
        d = _safe_date(int(m[1]), int(m[2]), int(m[3]))
        return (d, "day") if d else (None, None)
    m = re.match(r"^(\d{4})[-/](\d{1,2})$", v)
    if m:
        d = _safe_date(int(m[1]), int(m[2]))
        return (d, "month") if d else (None, None)
    m = re.match(r"^(\d{4})$", v)
    if m:
        d = _safe_date(int(m[1]))
        return (d, "year") if d else (None, None)
    m = re.match(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$", v)
    if m:  # ambiguous; assume day-first unless impossible
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        d = _safe_date(y, b, a) or _safe_date(y, a, b)
        return (d, "day") if d else (None, None)
    return None


def _parse_worded_date(v: str) -> ParsedDate:
    """Parse a date with the month in words, after an optional weekday."""
    v = re.sub(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", "", v)
    month_re = r"([a-z]{3})[a-z]*\.?"
    m = re.match(rf"^(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{month_re},?\s+(\d{{4}})\b", v)
    if m and m[2] in _MONTHS:
        d = _safe_date(int(m[3]), _MONTHS[m[2]], int(m[1]))
        return (d, "day") if d else (None, None)
    m = re.match(rf"^{month_re}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", v)
    if m and m[1] in _MONTHS:
        d = _safe_date(int(m[3]), _MONTHS[m[1]], int(m[2]))
        return (d, "day") if d else (None, None)
    m = re.match(rf"^{month_re},?\s+(\d{{4}})$", v)
    if m and m[1] in _MONTHS:
        return _safe_date(int(m[2]), _MONTHS[m[1]]), "month"
    return None, None
