"""Representations of sources, citations and source checks. Check results are read-only: only the
background checks (sources/checking.py) write them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sources.models import Citation, Source, SourceCheck
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
SOURCE_CHECK_FIELDS = [
    "id",
    "source",
    "started_at",
    "finished_at",
    "url",
    "outcome",
    "http_status",
    "redirect_chain",
    "final_url",
    "elapsed_ms",
    "error",
    "content_type",
    "text_changed",
    "metadata_filled",
    "archive_url",
    "archived_at",
    "health",
    "next_check_at",
]
LATEST_CHECK_FIELDS = ["id", "outcome", "http_status", "finished_at", "final_url"]


def _url_or_empty(help_text: str = "") -> serializers.CharField:
    # Blank when there is none, so not an OpenAPI `uri` (like Source.url).
    return serializers.CharField(read_only=True, help_text=help_text or None)


class SourceCheckSerializer(serializers.ModelSerializer):
    url = _url_or_empty("The URL fetched.")
    final_url = _url_or_empty("Where redirects ended; empty without redirects.")
    archive_url = _url_or_empty("The closest Wayback Machine capture; empty when none was found.")

    class Meta:
        model = SourceCheck
        fields = SOURCE_CHECK_FIELDS
        read_only_fields = fields


class LatestCheckSerializer(serializers.ModelSerializer):
    final_url = _url_or_empty("Where redirects ended; empty without redirects.")

    class Meta:
        model = SourceCheck
        fields = LATEST_CHECK_FIELDS
        read_only_fields = fields


class SourceSerializer(serializers.ModelSerializer):
    url = serializers.CharField(read_only=True, help_text="Normalised; empty for a source without a URL.")
    latest_check = serializers.SerializerMethodField(help_text="The most recent check; null before the first.")

    class Meta:
        model = Source
        fields = [
            "id",
            *SOURCE_FIELDS,
            "health",
            "last_checked_at",
            "next_check_at",
            "latest_check",
            *TRACKED_FIELDS,
        ]
        read_only_fields = fields

    @extend_schema_field(LatestCheckSerializer(allow_null=True))
    def get_latest_check(self, source: Source) -> dict | None:
        # The list queries prefetch it (sources.api.views.latest_check_prefetch); a lone object asks once.
        if hasattr(source, "latest_checks"):
            check = source.latest_checks[0] if source.latest_checks else None
        else:
            check = source.checks.order_by("-finished_at", "-id").first()
        return LatestCheckSerializer(check).data if check is not None else None


class SourceWriteSerializer(ServiceArgumentsMixin, serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = SOURCE_FIELDS


class CitationSerializer(serializers.ModelSerializer):
    quote_score = serializers.FloatField(
        source="quote_check.score",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="Similarity (0-100) of the closest passage at the latest check; null before the first.",
    )
    quote_matched_passage = serializers.CharField(
        source="quote_check.matched_passage",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The closest passage in the source's text at the latest check; null before the first.",
    )

    class Meta:
        model = Citation
        fields = [
            "id",
            "claim",
            *CITATION_FIELDS,
            "quote_status",
            "quote_score",
            "quote_matched_passage",
            *TRACKED_FIELDS,
        ]
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
