"""The positions export's CSV columns (the JSON export is the list's own representation)."""

from __future__ import annotations

POSITION_CSV_COLUMNS = [
    "id",
    "actor",
    "topic",
    "stance",
    "as_of",
    "as_of_precision",
    "as_of_inferred",
    "summary",
    "conditions",
    "status",
    "evidence",
    "version",
    "updated_at",
]


def position_csv_row(row: dict) -> dict:
    return {
        **{name: row.get(name, "") for name in POSITION_CSV_COLUMNS},
        "evidence": ";".join(map(str, row["evidence"])),
    }
