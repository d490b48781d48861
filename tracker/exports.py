"""Exports of the partner-visible data: CSV and JSON rows, ClaimReview JSON-LD, the full dump.

Rows come from the API's own querysets and serializers, in chunks, so an export shows exactly
what the endpoints show and memory stays flat however many rows there are.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet

from tracker.choices import Veracity

CHUNK_SIZE = 500
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


def serialized_rows(queryset: QuerySet, serialize: Callable[[list], list[dict]]) -> Iterator[dict]:
    """Serialize a queryset chunk by chunk, keyset-paginated on id so each chunk's prefetches stay small."""
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("pk")[:CHUNK_SIZE])
        if not chunk:
            return
        yield from serialize(chunk)
        last = chunk[-1].pk


def claim_csv_row(row: dict) -> dict:
    return {
        **{name: row.get(name, "") for name in CLAIM_CSV_COLUMNS},
        "topics": ";".join(row["topics"]),
        "citation_count": len(row["citations"]),
        "source_urls": " ".join(dict.fromkeys(c["source_url"] for c in row["citations"] if c["source_url"])),
    }


def position_csv_row(row: dict) -> dict:
    return {
        **{name: row.get(name, "") for name in POSITION_CSV_COLUMNS},
        "evidence": ";".join(map(str, row["evidence"])),
    }


def csv_lines(rows: Iterable[dict], columns: list[str]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_array_lines(rows: Iterable[dict]) -> Iterator[str]:
    yield "["
    first = True
    for row in rows:
        yield ("" if first else ",") + "\n" + json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False)
        first = False
    yield "\n]\n"


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
