"""OpenAPI additions: every operation documents its errors as RFC 9457 problem details."""

from __future__ import annotations

from typing import Any

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "One entry per invalid field (`citations[0].excerpt`); `field` is empty for the whole body.",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                "required": ["field", "message"],
            },
        },
        "current_version": {"type": "integer", "description": "With 412: the record's version now."},
        "last_seq": {"type": "integer", "description": "With feed-cursor-ahead (409): the feed's last event."},
    },
    "required": ["type", "title", "status", "detail"],
}


def add_problem_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            operation.setdefault("responses", {})["default"] = {
                "description": (
                    "An error: 400 bad fields, 401, 403, 404, 409 feed cursor ahead, 412 stale ETag, 413, "
                    "428 no If-Match, 429. `type` is a URL describing the kind of problem."
                ),
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
            }
    return result
