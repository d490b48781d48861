"""Representations of actors, roles and topics; what a client may write is separate. Claims, shown
with their citations, are served by the sources app's API."""

from __future__ import annotations

from rest_framework import serializers

from core.api.serializers import TRACKED_FIELDS, ServiceArgumentsMixin
from tracker.models import Actor, Role, Topic


class ActorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Actor
        fields = ["id", "slug", "name", "kind", "summary", "aliases", "wikidata_id", "country_code", *TRACKED_FIELDS]
        read_only_fields = fields


MAX_ALIASES = 50


class ActorWriteSerializer(ServiceArgumentsMixin, serializers.ModelSerializer):
    list_bounds = {"aliases": MAX_ALIASES}
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
    # Role.source points up to the sources app, which the tracker does not import: reach it through the field.
    source = serializers.PrimaryKeyRelatedField(
        queryset=Role._meta.get_field("source").related_model._default_manager.all(), required=False, allow_null=True
    )

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
