"""CSV that is safe to open in a spreadsheet: written with the csv module, formulas neutralised, UTF-8
with a byte-order mark so Excel reads « and ’ as they are.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is taken as a formula by Excel,
LibreOffice and Google Sheets (`=HYPERLINK("http://evil.example","click")` in a claim's text would
become a live link in a partner's sheet). Such a cell is written with a leading apostrophe, which the
spreadsheet shows as text, as OWASP's CSV-injection guidance recommends. Numbers and dates are left as
they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

CONTENT_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]


def safe_dict(row: dict[str, Any]) -> dict[str, Any]:
    return {key: safe_cell(value) for key, value in row.items()}
