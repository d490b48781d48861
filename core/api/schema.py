"""OpenAPI additions: descriptions written for partners, integer ids, and every operation's errors
documented as RFC 9457 problem details."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_doc, get_view_model
from drf_spectacular.utils import OpenApiParameter

from core.api.base import ETAG_HEADER, IF_NONE_MATCH_PARAMETER, NOT_MODIFIED_DESCRIPTION, ConditionalGetMixin

# What each standard action does, said once for every resource (`{name}`: the record type).
ACTION_DESCRIPTIONS = {
    "list": (
        "The {plural} you may see (partners: published work and what it references), a page at a time in "
        "the order `ordering` asks; follow `next` for the following page. The page's `ETag` sent back in "
        "`If-None-Match` answers 304 when nothing on it changed."
    ),
    "retrieve": (
        "One {name}. Its `ETag` changes whenever what is shown changes: send it in `If-Match` to change the "
        "record, or in `If-None-Match` to get 304 while it is unchanged."
    ),
    "create": "Create {a_name}. Needs a reason: a `reason` field or an `X-Change-Reason` header.",
    "partial_update": (
        "Change {a_name}: send only the fields to change, a reason, and `If-Match` with the ETag of your "
        "GET (412 with the current ETag when the record or what it shows changed since)."
    ),
    "destroy": "Delete {a_name}, with a reason and `If-Match` with the ETag of your GET.",
}
# The same for endpoints over records that are not tracked (no ETag, no reason).
PLAIN_ACTION_DESCRIPTIONS = {
    "list": "The {plural} you may see, a page at a time; follow `next` for the following page.",
    "retrieve": "One {name}.",
    "create": "Create {a_name}.",
    "partial_update": "Change {a_name}: send only the fields to change.",
    "destroy": "Delete {a_name}.",
}
ID_SCHEMA = {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}


class TrackerAutoSchema(AutoSchema):
    """Descriptions from the action's own docstring (written for partners) or, for the standard actions,
    one sentence per action: never a viewset's docstring, which speaks to us. Ids in paths are integers."""

    def get_description(self) -> str:
        action = getattr(self.view, "action", None) or self.method.lower()
        own = get_doc(getattr(self.view, action, None))
        if own:
            return own
        model = getattr(self.view, "model", None) or get_view_model(self.view)
        if action not in ACTION_DESCRIPTIONS or model is None:
            return ""
        name, plural = str(model._meta.verbose_name), str(model._meta.verbose_name_plural)
        tracked = hasattr(self.view, "etag_of")  # core.api.base.TrackedReadViewSet: ETags, reasons
        words = (ACTION_DESCRIPTIONS if tracked else PLAIN_ACTION_DESCRIPTIONS)[action]
        a_name = f"{'an' if name[0] in 'aeiou' else 'a'} {name}"
        return words.format(name=name, plural=plural, a_name=a_name)

    def get_override_parameters(self) -> list:
        parameters = super().get_override_parameters()
        if "{id}" in self.path:
            parameters = [*parameters, OpenApiParameter("id", ID_SCHEMA, OpenApiParameter.PATH, description="Its id.")]
        if self.conditional_get():
            parameters = [*parameters, IF_NONE_MATCH_PARAMETER, ETAG_HEADER]
        return parameters

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        # Added here, after any `@extend_schema(responses=...)` of the view has replaced the answers.
        operation = super().get_operation(*args, **kwargs)
        if operation is not None and self.conditional_get():
            etag = operation["responses"]["200"]["headers"]["ETag"]
            operation["responses"]["304"] = {"description": NOT_MODIFIED_DESCRIPTION, "headers": {"ETag": etag}}
        return operation

    def conditional_get(self) -> bool:
        """Whether this operation is a GET answered with an ETag, and 304 to a matching `If-None-Match`
        (core.api.base.ConditionalGetMixin), i.e. not a streamed one."""
        if self.method != "GET" or not isinstance(self.view, ConditionalGetMixin):
            return False
        handler = getattr(self.view, getattr(self.view, "action", None) or "get", None)
        return not getattr(handler, "streamed", False)


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


# PostgreSQL cannot hold NUL, so the API refuses it in every parameter (core.api.base.RejectNulMixin).
NO_NUL = "^[^\\x00]*$"


def refuse_nul_in_parameters(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Say so in the schema: free-text path and query parameters match a pattern without NUL."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if schema.get("type") == "string" and not ({"enum", "format", "pattern"} & set(schema)):
                    schema["pattern"] = NO_NUL
    return result
