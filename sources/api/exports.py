"""Claims as files: the CSV export's columns (with their citations' source URLs) and schema.org
ClaimReview JSON-LD, both built from the claims endpoint's own representation."""

from __future__ import annotations

from typing import Any

from tracker.choices import Veracity

PUBLISHER_NAME = "Fact and position tracker"

# schema.org Rating on a 1–5 scale; `unverifiable` has no place on it and gets only its name.
VERACITY_SCORE = {
    Veracity.FALSE: 1,
    Veracity.MOSTLY_FALSE: 2,
    Veracity.HALF_TRUE: 3,
    Veracity.MOSTLY_TRUE: 4,
    Veracity.TRUE: 5,
}

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


def claim_review(row: dict, *, url: str, speaker_name: str, speaker_kind: str) -> dict[str, Any]:
    """A schema.org ClaimReview for one rated claim (as the claims endpoint shows it)."""
    rating: dict[str, Any] = {
        "@type": "Rating",
        "alternateName": Veracity(row["veracity"]).label,
        "bestRating": 5,
        "worstRating": 1,
    }
    if row["veracity"] in VERACITY_SCORE:
        rating["ratingValue"] = VERACITY_SCORE[row["veracity"]]
    author = {"@type": "Person" if speaker_kind == "person" else "Organization", "name": speaker_name}
    item: dict[str, Any] = {
        "@type": "Claim",
        "author": author,
        "appearance": [
            {"@type": "CreativeWork", "url": c["source_url"], "headline": c["source_title"]}
            for c in row["citations"]
            if c["source_url"]
        ],
    }
    if row["stated_on"]:
        item["datePublished"] = row["stated_on"]
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": row["text"],
        "datePublished": str(row["updated_at"])[:10],
        "author": {"@type": "Organization", "name": PUBLISHER_NAME},
        "reviewRating": rating,
        "reviewBody": row["veracity_rationale"],
        "itemReviewed": item,
    }
