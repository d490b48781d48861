"""Exports of the partner-visible data: every filtered row (not one page) as CSV or JSON.

Rows come from the API's own querysets and serializers, in chunks, so an export shows exactly
what the endpoints show and memory stays flat however many rows there are. The apps name their
columns (positions/api/exports.py, sources/api/exports.py); the dump (manage.py exportdump) and
ClaimReview JSON-LD stream the same way.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from core import spreadsheet

CHUNK_SIZE = 500
EXPORT_PARAMETER = OpenApiParameter("as", str, enum=["csv", "json"], description="File format (default json).")


def serialized_rows(queryset: QuerySet, serialize: Callable[[list], list[dict]]) -> Iterator[dict]:
    """Serialize a queryset chunk by chunk, keyset-paginated on id so each chunk's prefetches stay small."""
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("pk")[:CHUNK_SIZE])
        if not chunk:
            return
        yield from serialize(chunk)
        last = chunk[-1].pk


def csv_lines(rows: Iterable[dict], columns: list[str]) -> Iterator[str]:
    """CSV a spreadsheet opens safely (core.spreadsheet): a byte-order mark, then formula-safe cells."""
    buffer = io.StringIO()
    buffer.write(spreadsheet.BOM)
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(spreadsheet.safe_dict(row))
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


def export_response(viewset, columns: list[str], csv_row, name: str) -> StreamingHttpResponse:
    """Stream every filtered row (not one page) as CSV or JSON, rendered by the list's serializer."""
    kind = viewset.request.query_params.get("as", "json")
    if kind not in ("csv", "json"):
        raise serializers.ValidationError({"as": "Choose csv or json."})
    queryset = viewset.filter_queryset(viewset.get_queryset())
    context = viewset.get_serializer_context()
    rows = serialized_rows(queryset, lambda chunk: viewset.serializer_class(chunk, many=True, context=context).data)
    if kind == "csv":
        response = StreamingHttpResponse(csv_lines(map(csv_row, rows), columns), content_type=spreadsheet.CONTENT_TYPE)
    else:
        response = StreamingHttpResponse(json_array_lines(rows), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response
