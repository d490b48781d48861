"""Representations of actors, roles, topics and claims; what a client may write is separate."""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers

from sources.models import Citation, Source
from tracker import selectors
from tracker.models import Actor, Claim, Role, Topic
from tracker.visibility import visible_actors, visible_sources, visible_topics

TRACKED_FIELDS = ["version", "created_at", "updated_at"]


class ServiceArgumentsMixin:
    """Split validated data into the service's `data` and its extra keyword arguments."""

    extra_arguments: tuple[str, ...] = ()

    def service_arguments(self) -> tuple[dict[str, Any], dict[str, Any]]:
        data = dict(self.validated_data)  # type: ignore[attr-defined]
        extra = {name: data.pop(name) for name in self.extra_arguments if name in data}
        return data, extra


def _partner(serializer: serializers.Serializer) -> bool:
    view = serializer.context.get("view")
    return bool(view is None or view.partner_view())


class ActorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Actor
        fields = ["id", "slug", "name", "kind", "summary", "aliases", "wikidata_id", "country_code", *TRACKED_FIELDS]
        read_only_fields = fields


class ActorWriteSerializer(ServiceArgumentsMixin, serializers.ModelSerializer):
    slug = serializers.SlugField(max_length=200, required=False)
    aliases = serializers.ListField(child=serializers.CharField(max_length=200), required=False)

    class Meta:
        model = Actor
        fields = ["slug", "name", "kind", "summary", "aliases", "wikidata_id", "country_code"]


class RoleSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Role
        fields = ["id", "actor", "organisation", "title", "start_on", "end_on", "source", "excerpt", *TRACKED_FIELDS]
        read_only_fields = fields


class RoleWriteSerializer(ServiceArgumentsMixin, serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="slug", queryset=Actor.objects.all())
    organisation = serializers.SlugRelatedField(slug_field="slug", queryset=Actor.objects.all())
    source = serializers.PrimaryKeyRelatedField(queryset=Source.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Role
        fields = ["actor", "organisation", "title", "start_on", "end_on", "source", "excerpt"]


class TopicSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Topic
        fields = ["id", "slug", "title", "question", "summary", "parent", *TRACKED_FIELDS]
        read_only_fields = fields


class TopicWriteSerializer(ServiceArgumentsMixin, serializers.ModelSerializer):
    slug = serializers.SlugField(max_length=200, required=False)
    parent = serializers.SlugRelatedField(
        slug_field="slug", queryset=Topic.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Topic
        fields = ["slug", "title", "question", "summary", "parent"]


class ClaimCitationSerializer(serializers.ModelSerializer):
    """A citation inside its claim: the source's id, URL and title, and the exact excerpt."""

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
        topics = {claim.pk: claim.topic_slugs for claim in claims} if annotated else selectors.claim_topic_slugs(ids)
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


class NewCitationSerializer(serializers.Serializer):
    """A citation sent with a new claim: an existing source by id, or a source URL (found or created)."""

    source = serializers.PrimaryKeyRelatedField(queryset=Source.objects.all(), required=False)
    source_url = serializers.URLField(max_length=2000, required=False)
    source_title = serializers.CharField(max_length=500, required=False, allow_blank=True)
    excerpt = serializers.CharField()
    locator = serializers.CharField(max_length=200, required=False, allow_blank=True)
    relation = serializers.ChoiceField(choices=Citation._meta.get_field("relation").choices, required=False)
    accessed_on = serializers.DateField(required=False, allow_null=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Partners may cite only sources they can see; anything else must come by URL.
        self.fields["source"].queryset = visible_sources(partner=_partner(self))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("source" in attrs) == ("source_url" in attrs):
            raise serializers.ValidationError({"source": "Give either `source` (an id) or `source_url`."})
        return attrs


class ClaimWriteSerializer(ServiceArgumentsMixin, serializers.ModelSerializer):
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
        partner = _partner(self)
        self.fields["speaker"].queryset = visible_actors(partner=partner)
        self.fields["topics"].child_relation.queryset = visible_topics(partner=partner)
        if partner:
            for name in self.team_only_fields:
                self.fields.pop(name)
        if self.instance is not None:
            # Citations of an existing claim are edited at /api/v1/citations/.
            self.fields.pop("citations")
