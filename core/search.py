"""Text search shared by the filter sets: PostgreSQL full-text search, a substring match elsewhere."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Q, QuerySet


def text_search(queryset: QuerySet, fields: list[str], value: str) -> QuerySet:
    value = (value or "").replace("\x00", "").strip()
    if not value:
        return queryset
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector(*fields, config="simple")
        return queryset.annotate(_search=vector).filter(
            _search=SearchQuery(value, config="simple", search_type="websearch")
        )
    return queryset.filter(reduce(or_, (Q(**{f"{field}__icontains": value}) for field in fields)))
