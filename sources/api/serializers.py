"""Representations of sources, citations and source checks, and of claims, which are shown with
their citations. Check results are read-only: only the background checks (sources/checking.py)
write them. What a client may write is separate."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import TRACKED_FIELDS, ServiceArgumentsMixin, documenting, partner_context
from core.visibility import visible
from sources import selectors
from sources.models import Citation, Source, SourceCheck
from tracker.models import Actor, Claim, Topic
from tracker.selectors import claim_topic_slugs

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


# --- Claims, with their citations -----------------------------------------------------------------


class ClaimCitationSerializer(serializers.ModelSerializer):
    """A citation inside its claim: the source's id, URL and title, and the exact excerpt."""

    source = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="The source's id; null in the answer to a partner's proposal while the source is not public.",
    )
    source_url = serializers.CharField(source="source.url", read_only=True)
    source_title = serializers.CharField(source="source.title", read_only=True)

    class Meta:
        model = Citation
        fields = ["id", "source", "source_url", "source_title", "excerpt", "locator", "relation", "accessed_on"]
        read_only_fields = fields

    def represent_row(self, row: dict[str, Any]) -> dict[str, Any]:
        """The representation of a `claim_citation_rows` row: what `to_representation` gives for its citation."""
        accessed_on = row["accessed_on"]
        return {
            "id": row["id"],
            "source": row["source_id"],
            "source_url": row["source_url"],
            "source_title": row["source_title"],
            "excerpt": row["excerpt"],
            "locator": row["locator"],
            "relation": row["relation"],
            "accessed_on": None if accessed_on is None else self.fields["accessed_on"].to_representation(accessed_on),
        }


class ClaimListSerializer(serializers.ListSerializer):
    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        claims = list(data.all() if isinstance(data, models.manager.BaseManager) else data)
        return self.child.represent_page(claims)


class ClaimSerializer(serializers.ModelSerializer):
    """A claim with its topics' slugs and its citations.

    The claims list is the API's busiest page and nests 200 citations per 100 claims. DRF building
    them field by field from model instances cost several times the database work
    (docs/benchmarks.md), so a page's topics and citations are read as plain rows in one query each
    and represented directly. tests/api/test_claim_representation.py pins the result to DRF's own.
    """

    speaker = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    topics = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    citations = ClaimCitationSerializer(many=True, read_only=True)
    stated_on_display = serializers.CharField(read_only=True)

    class Meta:
        model = Claim
        list_serializer_class = ClaimListSerializer
        fields = [
            "id",
            "speaker",
            "topics",
            "text",
            "kind",
            "stated_on",
            "stated_on_precision",
            "stated_on_display",
            "stated_on_inferred",
            "context",
            "attribution_status",
            "veracity",
            "veracity_rationale",
            "status",
            "citations",
            *TRACKED_FIELDS,
        ]
        read_only_fields = fields

    def to_representation(self, claim: Claim) -> dict[str, Any]:
        return self.represent_page([claim])[0]

    def represent_page(self, claims: list[Claim]) -> list[dict[str, Any]]:
        ids = [claim.pk for claim in claims]
        annotated = all(hasattr(claim, "topic_slugs") for claim in claims)
        topics = {claim.pk: claim.topic_slugs for claim in claims} if annotated else claim_topic_slugs(ids)
        citations = selectors.claim_citation_rows(ids)
        return [self._represent(claim, topics.get(claim.pk, []), citations.get(claim.pk, [])) for claim in claims]

    def _represent(self, claim: Claim, topics: list[str], citations: list[dict[str, Any]]) -> dict[str, Any]:
        fields = self.fields
        citation = fields["citations"].child
        stated_on = claim.stated_on
        return {
            "id": claim.id,
            "speaker": claim.speaker_slug if hasattr(claim, "speaker_slug") else claim.speaker.slug,
            "topics": topics,
            "text": claim.text,
            "kind": str(claim.kind),
            "stated_on": None if stated_on is None else fields["stated_on"].to_representation(stated_on),
            "stated_on_precision": str(claim.stated_on_precision),
            "stated_on_display": claim.stated_on_display,
            "stated_on_inferred": claim.stated_on_inferred,
            "context": claim.context,
            "attribution_status": str(claim.attribution_status),
            "veracity": str(claim.veracity),
            "veracity_rationale": claim.veracity_rationale,
            "status": str(claim.status),
            "citations": [citation.represent_row(row) for row in citations],
            "version": claim.version,
            "created_at": fields["created_at"].to_representation(claim.created_at),
            "updated_at": fields["updated_at"].to_representation(claim.updated_at),
        }


MAX_CITATIONS_PER_WRITE = 50
TEAM_ONLY = "This field can only be set by the team."
CITATIONS_ELSEWHERE = (
    "Citations are sent with a new claim only; change an existing claim's citations at /api/v1/citations/."
)
MAX_TOPICS_PER_CLAIM = 20


@extend_schema_field(OpenApiTypes.INT)
class CitableSourceField(serializers.PrimaryKeyRelatedField):
    """A source the caller may cite by id: any source for the team, a partner-visible one for partners.

    Decided when the request is validated, not when the serializer class is declared: a nested
    serializer is built once, before it knows who is calling.
    """

    def get_queryset(self) -> QuerySet[Source]:
        return visible(Source, partner=partner_context(self))


class NewCitationSerializer(serializers.Serializer):
    """A citation sent with a new claim: an existing source by id, or a source URL (found or created)."""

    source = CitableSourceField(required=False)
    source_url = serializers.URLField(max_length=2000, required=False)
    source_title = serializers.CharField(max_length=500, required=False, allow_blank=True)
    excerpt = serializers.CharField()
    locator = serializers.CharField(max_length=200, required=False, allow_blank=True)
    relation = serializers.ChoiceField(choices=Citation._meta.get_field("relation").choices, required=False)
    accessed_on = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("source" in attrs) == ("source_url" in attrs):
            raise serializers.ValidationError({"source": "Give either `source` (an id) or `source_url`."})
        return attrs


class ClaimWriteSerializer(ServiceArgumentsMixin, serializers.ModelSerializer):
    # A claim rests on a few sources; the web form allows 20 new citations at once.
    list_bounds = {"citations": MAX_CITATIONS_PER_WRITE, "topics": MAX_TOPICS_PER_CLAIM}
    speaker = serializers.SlugRelatedField(slug_field="slug", queryset=Actor.objects.all())
    topics = serializers.SlugRelatedField(slug_field="slug", many=True, queryset=Topic.objects.all(), required=False)
    citations = NewCitationSerializer(many=True, required=False)
    extra_arguments = ("topics", "citations")
    # Partners propose what was said and where; the team rates it.
    team_only_fields = ("attribution_status", "veracity", "veracity_rationale")

    class Meta:
        model = Claim
        fields = [
            "speaker",
            "topics",
            "text",
            "kind",
            "stated_on",
            "stated_on_precision",
            "stated_on_inferred",
            "context",
            "attribution_status",
            "veracity",
            "veracity_rationale",
            "citations",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partner = partner_context(self)
        self.fields["speaker"].queryset = visible(Actor, partner=partner)
        self.fields["topics"].child_relation.queryset = visible(Topic, partner=partner)
        if self.partner_refused():
            for name in self.team_only_fields:
                self.fields.pop(name)
        for name in self.team_only_fields:
            if name in self.fields:
                self.fields[
                    name
                ].help_text = "Team only: the team rates claims; a partner's proposal naming it is refused."

    def partner_refused(self) -> bool:
        return partner_context(self) and not documenting(self)

    def refused_fields(self) -> dict[str, str]:
        if self.partner_refused():
            return dict.fromkeys(self.team_only_fields, TEAM_ONLY)
        return {}


class ClaimUpdateSerializer(ClaimWriteSerializer):
    """A change to a claim. Its citations are records of their own, changed at /api/v1/citations/: a
    change sending `citations` is refused rather than applied without them."""

    citations = None

    class Meta(ClaimWriteSerializer.Meta):
        fields = [name for name in ClaimWriteSerializer.Meta.fields if name != "citations"]

    def refused_fields(self) -> dict[str, str]:
        return {**super().refused_fields(), "citations": CITATIONS_ELSEWHERE}
