"""Field validators and value normalisers shared by the tracker's models."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone

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
