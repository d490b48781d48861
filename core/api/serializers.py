"""What the apps' serializers share: the bookkeeping fields every tracked record shows, and the split
of validated data into a service's arguments."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

TRACKED_FIELDS = ["version", "created_at", "updated_at"]


class ServiceArgumentsMixin:
    """Split validated data into the service's `data` and its extra keyword arguments."""

    extra_arguments: tuple[str, ...] = ()

    def service_arguments(self) -> tuple[dict[str, Any], dict[str, Any]]:
        data = dict(self.validated_data)  # type: ignore[attr-defined]
        extra = {name: data.pop(name) for name in self.extra_arguments if name in data}
        return data, extra


def partner_context(serializer: serializers.Serializer) -> bool:
    """Whether the serializer works for a partner (no view, as in the feed, counts as one)."""
    view = serializer.context.get("view")
    return bool(view is None or view.partner_view())
