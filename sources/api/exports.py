"""Claims as a file: the CSV export's columns (with their citations' source URLs), built from the
claims endpoint's own representation. ClaimReview JSON-LD is sources/claimreview.py's."""

from __future__ import annotations

CLAIM_CSV_COLUMNS = [
    "id",
    "speaker",
    "topics",
    "text",
    "kind",
    "stated_on",
    "stated_on_precision",
    "stated_on_inferred",
    "context",
    "attribution_status",
    "veracity",
    "veracity_rationale",
    "status",
    "citation_count",
    "source_urls",
    "version",
    "updated_at",
]


def claim_csv_row(row: dict) -> dict:
    return {
        **{name: row.get(name, "") for name in CLAIM_CSV_COLUMNS},
        "topics": ";".join(row["topics"]),
        "citation_count": len(row["citations"]),
        "source_urls": " ".join(dict.fromkeys(c["source_url"] for c in row["citations"] if c["source_url"])),
    }
