"""Filters over positions, shared by the API and the web list pages."""

from __future__ import annotations

import django_filters

from core.filtersets import TrackedFilterSet
from positions.choices import Stance
from positions.models import Position
from tracker.choices import EditorialStatus


class PositionFilterSet(TrackedFilterSet):
    search_fields = ["summary", "conditions"]
    actor = django_filters.CharFilter(field_name="actor__slug", label="Actor slug")
    topic = django_filters.CharFilter(field_name="topic__slug", label="Topic slug")
    stance = django_filters.MultipleChoiceFilter(choices=Stance.choices)
    status = django_filters.MultipleChoiceFilter(choices=EditorialStatus.choices)
    as_of = django_filters.DateFromToRangeFilter(label="As of (as_of_after, as_of_before)")

    class Meta:
        model = Position
        fields = ["actor", "topic", "stance", "status", "as_of"]
