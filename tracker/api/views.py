"""Endpoints for actors, roles and topics. Shared behaviour lives in core/api/base.py; the positions
app adds `/actors/<slug>/timeline/` and `/topics/<slug>/stances/`, the sources app serves claims."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_view

from core.api.actions import write_docs
from core.api.base import TrackedViewSet
from core.api.feed import register_viewset
from tracker import services
from tracker.api.serializers import (
    ActorSerializer,
    ActorWriteSerializer,
    RoleSerializer,
    RoleWriteSerializer,
    TopicSerializer,
    TopicWriteSerializer,
)
from tracker.filtersets import ActorFilterSet, RoleFilterSet, TopicFilterSet
from tracker.models import Actor, Role, Topic


@register_viewset
@extend_schema_view(**write_docs(ActorSerializer))
class ActorViewSet(TrackedViewSet):
    model = Actor
    serializer_class = ActorSerializer
    write_serializer_class = ActorWriteSerializer
    filterset_class = ActorFilterSet
    lookup_field = "slug"
    lookup_value_regex = r"[^/.]+"
    ordering_fields = ["name", "updated_at", "id"]
    service_object_name = "actor"
    create_service = staticmethod(services.actor_create)
    update_service = staticmethod(services.actor_update)
    delete_service = staticmethod(services.actor_delete)


@register_viewset
@extend_schema_view(**write_docs(RoleSerializer))
class RoleViewSet(TrackedViewSet):
    model = Role
    select = ("actor", "organisation")
    serializer_class = RoleSerializer
    write_serializer_class = RoleWriteSerializer
    filterset_class = RoleFilterSet
    ordering_fields = ["updated_at", "id"]
    service_object_name = "role"
    create_service = staticmethod(services.role_create)
    update_service = staticmethod(services.role_update)
    delete_service = staticmethod(services.role_delete)


@register_viewset
@extend_schema_view(**write_docs(TopicSerializer))
class TopicViewSet(TrackedViewSet):
    model = Topic
    select = ("parent",)
    serializer_class = TopicSerializer
    write_serializer_class = TopicWriteSerializer
    filterset_class = TopicFilterSet
    lookup_field = "slug"
    lookup_value_regex = r"[^/.]+"
    ordering_fields = ["title", "updated_at", "id"]
    service_object_name = "topic"
    create_service = staticmethod(services.topic_create)
    update_service = staticmethod(services.topic_update)
    delete_service = staticmethod(services.topic_delete)
