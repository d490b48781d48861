"""What the apps' serializers share: the bookkeeping fields every tracked record shows, and the split
of validated data into a service's arguments."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.history import REASON_MAX_LENGTH

TRACKED_FIELDS = ["version", "created_at", "updated_at"]


class ServiceArgumentsMixin:
    """Split validated data into the service's `data` and its extra keyword arguments; bound lists.

    `list_bounds` caps the lists a write may carry ({"citations": 50}). They are checked before any
    field is parsed, so an oversized list costs nothing: each item would otherwise be looked up or
    validated (and, for citations, written) before a field validator could refuse the whole."""

    extra_arguments: tuple[str, ...] = ()
    list_bounds: dict[str, int] = {}

    def refused_fields(self) -> dict[str, str]:
        """Fields this caller may not send here, each with why: a body naming one is refused with a 400
        naming it, never applied in part with the field dropped."""
        return {}

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()  # type: ignore[misc]
        # Read by the view (core.api.base.reason_from), listed here so the write schema shows it.
        fields["reason"] = serializers.CharField(
            write_only=True,
            required=False,
            max_length=REASON_MAX_LENGTH,
            help_text="Why you make this change (or an X-Change-Reason header); one of them is required.",
        )
        return fields

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            errors = {
                name: [f"At most {bound} items are accepted here; this request has {len(data[name])}."]
                for name, bound in self.list_bounds.items()
                if isinstance(data.get(name), list) and len(data[name]) > bound
            }
            # DRF reads "" as null for a link; the schema (and a client) means a slug or id, or null.
            errors.update(
                {
                    name: ["Give the linked record, or null for none."]
                    for name, field in self.fields.items()  # type: ignore[attr-defined]
                    if isinstance(field, serializers.RelatedField) and data.get(name) == ""
                }
            )
            errors.update(json_type_errors(self.fields, data))  # type: ignore[attr-defined]
            # A misspelt field ("excerpts", "publised_on") would otherwise be dropped without a word and
            # the write applied without it. What a read shows is let through: a record read, edited
            # and sent back whole is a write of its writable fields.
            shown = self.context.get("shown_fields", frozenset())  # type: ignore[attr-defined]
            errors.update(
                {
                    name: ["Unknown field: this record has no field of that name (see the API schema)."]
                    for name in data
                    if name not in self.fields and name not in shown  # type: ignore[attr-defined]
                }
            )
            # A field refused here says why, which is more than "unknown".
            errors.update({name: [why] for name, why in self.refused_fields().items() if name in data})
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]

    def service_arguments(self) -> tuple[dict[str, Any], dict[str, Any]]:
        data = dict(self.validated_data)  # type: ignore[attr-defined]
        data.pop("reason", None)
        extra = {name: data.pop(name) for name in self.extra_arguments if name in data}
        return data, extra


def json_type_errors(fields: dict[str, serializers.Field], data: dict, prefix: str = "") -> dict[str, list[str]]:
    """Values of the wrong JSON type, by field path. DRF reads 12 as the text "12", "12" as the number
    12 and "yes" as true; the schema promises a client the types it declares, and a client sending
    another has a bug worth a 400 rather than a guess. Nested bodies (citations) are walked too."""
    errors: dict[str, list[str]] = {}
    for name, field in fields.items():
        value = data.get(name)
        if field.read_only or value is None:
            continue
        path = f"{prefix}{name}"
        items: list[tuple[str, serializers.Field, Any]] = [(path, field, value)]
        if isinstance(value, list) and isinstance(field, serializers.ListField | serializers.ManyRelatedField):
            child = field.child if isinstance(field, serializers.ListField) else field.child_relation
            items = [(f"{path}[{index}]", child, item) for index, item in enumerate(value)]
        elif isinstance(value, list) and isinstance(field, serializers.ListSerializer):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    errors.update(json_type_errors(field.child.fields, item, f"{path}[{index}]."))
            continue
        for item_path, item_field, item in items:
            message = _wrong_json_type(item_field, item)
            if message:
                errors[item_path] = [message]
    return errors


def _wrong_json_type(field: serializers.Field, value: Any) -> str | None:
    whole = isinstance(value, int) and not isinstance(value, bool)
    if isinstance(field, serializers.CharField) and not isinstance(value, str):
        return "Give text (a JSON string)."
    if isinstance(field, serializers.BooleanField) and not isinstance(value, bool):
        return "Give true or false."
    if isinstance(field, serializers.IntegerField | serializers.PrimaryKeyRelatedField) and not whole:
        return "Give a whole number (a JSON number)."
    return None


def partner_context(serializer: serializers.Serializer) -> bool:
    """Whether the serializer works for a partner (no view, as in the feed, counts as one)."""
    view = serializer.context.get("view")
    return bool(view is None or view.partner_view())


def documenting(serializer: serializers.Serializer) -> bool:
    """Whether the serializer is being described for the schema (drf-spectacular's stand-in view), where
    it shows every field anyone may write, each saying who may."""
    return bool(getattr(serializer.context.get("view"), "swagger_fake_view", False))
