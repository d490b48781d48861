"""What the apps' serializers share: the bookkeeping fields every tracked record shows, and the split
of validated data into a service's arguments."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

TRACKED_FIELDS = ["version", "created_at", "updated_at"]


class ServiceArgumentsMixin:
    """Split validated data into the service's `data` and its extra keyword arguments; bound lists.

    `list_bounds` caps the lists a write may carry ({"citations": 50}). They are checked before any
    field is parsed, so an oversized list costs nothing: each item would otherwise be looked up or
    validated (and, for citations, written) before a field validator could refuse the whole."""

    extra_arguments: tuple[str, ...] = ()
    list_bounds: dict[str, int] = {}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            errors = {
                name: [f"At most {bound} items are accepted here; this request has {len(data[name])}."]
                for name, bound in self.list_bounds.items()
                if isinstance(data.get(name), list) and len(data[name]) > bound
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]

    def service_arguments(self) -> tuple[dict[str, Any], dict[str, Any]]:
        data = dict(self.validated_data)  # type: ignore[attr-defined]
        extra = {name: data.pop(name) for name in self.extra_arguments if name in data}
        return data, extra


def partner_context(serializer: serializers.Serializer) -> bool:
    """Whether the serializer works for a partner (no view, as in the feed, counts as one)."""
    view = serializer.context.get("view")
    return bool(view is None or view.partner_view())
