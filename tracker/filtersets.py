"""Filters shared by the API and the web list pages: actors, roles, topics, claims, recent changes."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from core.filtersets import TrackedFilterSet
from tracker.choices import ActorKind, AttributionStatus, ClaimKind, EditorialStatus, Veracity
from tracker.models import Actor, Claim, Role, Topic
from tracker.search import claim_search


class ActorFilterSet(TrackedFilterSet):
    search_fields = ["name", "summary"]
    kind = django_filters.ChoiceFilter(choices=ActorKind.choices)
    country_code = django_filters.CharFilter()

    class Meta:
        model = Actor
        fields = ["kind", "country_code"]


class RoleFilterSet(TrackedFilterSet):
    search_fields = ["title"]
    actor = django_filters.CharFilter(field_name="actor__slug", label="Actor slug")
    organisation = django_filters.CharFilter(field_name="organisation__slug", label="Organisation slug")

    class Meta:
        model = Role
        fields = ["actor", "organisation"]


class TopicFilterSet(TrackedFilterSet):
    search_fields = ["title", "question", "summary"]
    parent = django_filters.CharFilter(field_name="parent__slug", label="Parent topic slug")

    class Meta:
        model = Topic
        fields = ["parent"]


class ClaimFilterSet(TrackedFilterSet):
    """The claims list, the API's claims and their `q`: the one claim search (`tracker.search.claim_search`)."""

    actor = django_filters.CharFilter(field_name="speaker__slug", label="Speaker (actor slug)")
    topic = django_filters.CharFilter(field_name="topics__slug", label="Topic slug")
    kind = django_filters.ChoiceFilter(choices=ClaimKind.choices)
    status = django_filters.MultipleChoiceFilter(choices=EditorialStatus.choices)
    attribution_status = django_filters.MultipleChoiceFilter(choices=AttributionStatus.choices)
    veracity = django_filters.MultipleChoiceFilter(choices=Veracity.choices)
    stated_on = django_filters.DateFromToRangeFilter(label="Stated on (stated_on_after, stated_on_before)")

    class Meta:
        model = Claim
        fields = ["actor", "topic", "kind", "status", "attribution_status", "veracity", "stated_on"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return claim_search(queryset, value)
