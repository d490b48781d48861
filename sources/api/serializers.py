"""Representations of sources and citations. Source health is added by the source-checks work."""

from __future__ import annotations

from rest_framework import serializers

from sources.models import Citation, Source
from tracker.api.serializers import TRACKED_FIELDS, ServiceArgumentsMixin
from tracker.models import Claim

SOURCE_FIELDS = [
    "url",
    "title",
    "publisher",
    "author",
    "published_on",
    "published_on_precision",
    "kind",
    "language",
    "stored_text",
]
CITATION_FIELDS = ["source", "excerpt", "locator", "relation", "accessed_on"]


class SourceSerializer(serializers.ModelSerializer):
    url = serializers.CharField(read_only=True, help_text="Normalised; empty for a source without a URL.")

    class Meta:
        model = Source
        fields = ["id", *SOURCE_FIELDS, *TRACKED_FIELDS]
        read_only_fields = fields


class SourceWriteSerializer(ServiceArgumentsMixin, serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = SOURCE_FIELDS


class CitationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Citation
        fields = ["id", "claim", *CITATION_FIELDS, *TRACKED_FIELDS]
        read_only_fields = fields


class CitationWriteSerializer(ServiceArgumentsMixin, serializers.ModelSerializer):
    claim = serializers.PrimaryKeyRelatedField(queryset=Claim.objects.all())
    source = serializers.PrimaryKeyRelatedField(queryset=Source.objects.all())
    extra_arguments = ("claim",)

    class Meta:
        model = Citation
        fields = ["claim", *CITATION_FIELDS]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            self.fields.pop("claim")  # a citation does not move to another claim
