"""Filters over sources and citations, shared by the API and the web list pages."""

from __future__ import annotations

import django_filters

from core.filtersets import IdFilter, TrackedFilterSet
from sources.choices import CheckOutcome, CitationRelation, SourceKind
from sources.models import Citation, Source, SourceCheck


class SourceFilterSet(TrackedFilterSet):
    search_fields = ["title", "publisher", "author", "url"]
    kind = django_filters.ChoiceFilter(choices=SourceKind.choices)
    publisher = django_filters.CharFilter(lookup_expr="iexact")
    published_on = django_filters.DateFromToRangeFilter(label="Published on (published_on_after, published_on_before)")

    class Meta:
        model = Source
        fields = ["kind", "publisher", "published_on"]


class CitationFilterSet(TrackedFilterSet):
    search_fields = ["excerpt"]
    claim = IdFilter(field_name="claim_id")
    source = IdFilter(field_name="source_id")
    relation = django_filters.ChoiceFilter(choices=CitationRelation.choices)

    class Meta:
        model = Citation
        fields = ["claim", "source", "relation"]


class SourceCheckFilterSet(django_filters.FilterSet):
    source = IdFilter(field_name="source_id")
    outcome = django_filters.MultipleChoiceFilter(choices=CheckOutcome.choices)

    class Meta:
        model = SourceCheck
        fields = ["source", "outcome"]
