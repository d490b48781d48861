"""Representations of positions: evidence as claim ids and links."""

from __future__ import annotations

import functools

from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from core.api.serializers import TRACKED_FIELDS, ServiceArgumentsMixin
from positions.models import Position
from tracker.models import Actor, Claim, Topic

POSITION_FIELDS = [
    "actor",
    "topic",
    "stance",
    "as_of",
    "as_of_precision",
    "as_of_inferred",
    "summary",
    "conditions",
]


class PositionSerializer(serializers.ModelSerializer):
    """`evidence` lists only claims the caller may see (the viewset prefetches the visible ones)."""

    actor = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    as_of_display = serializers.CharField(read_only=True)
    evidence = serializers.SerializerMethodField()
    evidence_urls = serializers.SerializerMethodField()

    class Meta:
        model = Position
        fields = ["id", *POSITION_FIELDS, "as_of_display", "status", "evidence", "evidence_urls", *TRACKED_FIELDS]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_evidence(self, position: Position) -> list[int]:
        return [claim.pk for claim in position.visible_evidence]

    @extend_schema_field(serializers.ListField(child=serializers.URLField()))
    def get_evidence_urls(self, position: Position) -> list[str]:
        return [f"{self._claims_url}{claim.pk}/" for claim in position.visible_evidence]

    @functools.cached_property
    def _claims_url(self) -> str:
        """The claims' URL up to the id: one reverse() per response rather than one per claim (a page
        of 50 positions links ~50 claims). Every claim's URL is this prefix, its id and a slash."""
        detail = reverse("api:claim-detail", args=[0], request=self.context.get("request"))
        if not detail.endswith("/0/"):
            raise ImproperlyConfigured(f"A claim's API URL is expected to end with its id and a slash: {detail}")
        return detail.removesuffix("0/")


class PositionTombstoneSerializer(serializers.Serializer):
    """What a partner gets, with `recorded_as_of`, for a position published then and retracted since:
    that it existed and when it was retracted, never its stance, text, date or evidence."""

    id = serializers.IntegerField(read_only=True)
    actor = serializers.CharField(source="actor.slug", read_only=True)
    topic = serializers.CharField(source="topic.slug", read_only=True)
    retracted = serializers.BooleanField(source="tombstone", read_only=True, help_text="Always true.")
    retracted_on = serializers.DateField(read_only=True)


class TimePositionSerializer(PositionSerializer):
    """A position on the time endpoints (timeline, stances, changes of stance).

    With `recorded_as_of`, a position published then and retracted since comes to the team as it
    stood, with `retracted_on` set; to partners as a tombstone (PositionTombstone)."""

    retracted_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="With recorded_as_of: the date it was retracted since, if it was."
    )

    class Meta(PositionSerializer.Meta):
        fields = [*PositionSerializer.Meta.fields, "retracted_on"]
        read_only_fields = fields

    def to_representation(self, instance):
        if getattr(instance, "tombstone", False):
            return PositionTombstoneSerializer(instance, context=self.context).data
        return super().to_representation(instance)


class PositionChangeSerializer(TimePositionSerializer):
    previous_stance = serializers.CharField(read_only=True, allow_null=True)

    class Meta(TimePositionSerializer.Meta):
        fields = [*TimePositionSerializer.Meta.fields, "previous_stance"]
        read_only_fields = fields


def time_rows_schema(serializer: type[serializers.Serializer], name: str) -> PolymorphicProxySerializer:
    """The documented rows of a time endpoint: positions, or tombstones (partners, recorded_as_of).
    The two never match one schema together: a position has no `retracted`, a tombstone no `stance`."""
    return PolymorphicProxySerializer(
        component_name=name,
        serializers=[serializer, PositionTombstoneSerializer],
        resource_type_field_name=None,
        many=True,
    )


MAX_EVIDENCE = 50  # claims a position rests on


class PositionWriteSerializer(ServiceArgumentsMixin, serializers.ModelSerializer):
    list_bounds = {"evidence": MAX_EVIDENCE}
    actor = serializers.SlugRelatedField(slug_field="slug", queryset=Actor.objects.all())
    topic = serializers.SlugRelatedField(slug_field="slug", queryset=Topic.objects.all())
    evidence = serializers.PrimaryKeyRelatedField(many=True, queryset=Claim.objects.all(), required=False)
    extra_arguments = ("evidence",)

    class Meta:
        model = Position
        fields = [*POSITION_FIELDS, "evidence"]
