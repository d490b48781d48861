"""Field validators and value normalisers shared by the tracker's models."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone

from tracker.choices import DatePrecision

wikidata_id_validator = RegexValidator(
    r"^Q[1-9][0-9]*\Z",
    message="A Wikidata id is Q followed by digits, e.g. Q22686.",
    code="invalid_wikidata_id",
)
country_code_validator = RegexValidator(
    r"^[A-Z]{2}\Z",
    message="Use a two-letter ISO 3166-1 country code in capitals, e.g. GB.",
    code="invalid_country_code",
)


def not_in_future(value: datetime.date | None) -> None:
    if value is not None and value > timezone.localdate():
        raise ValidationError("This date is in the future.", code="future_date")


def no_nul(value: str) -> None:
    if value and "\x00" in value:
        raise ValidationError("NUL characters are not allowed.", code="nul_character")


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
