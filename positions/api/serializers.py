"""Representations of positions: evidence as claim ids and links."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
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
        request = self.context.get("request")
        return [reverse("api:claim-detail", args=[claim.pk], request=request) for claim in position.visible_evidence]


class PositionChangeSerializer(PositionSerializer):
    previous_stance = serializers.CharField(read_only=True, allow_null=True)

    class Meta(PositionSerializer.Meta):
        fields = [*PositionSerializer.Meta.fields, "previous_stance"]
        read_only_fields = fields


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
