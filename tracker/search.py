"""The one claim search: the search page, the claims list and the API (`ClaimFilterSet.q`) and the claim
admin all call `claim_search`. (`core.search.text_search` serves the other filter sets.)

Claims are prose: on PostgreSQL they are searched with the `english` configuration (so "troop" finds
"troops") in web-search syntax (`"exact phrase"`, `or`, `-word`), text weighted above context, best
match first. SQLite has no full-text search here; it reads the same syntax and matches each word as a
case-insensitive substring of the text or context, newest first. (The other filter sets search names,
titles and URLs with the `simple` configuration: no stemming of proper names.)
"""

from __future__ import annotations

import re
from functools import reduce
from operator import and_, or_

from django.db import connection
from django.db.models import FloatField, Q, QuerySet, Value

CLAIM_SEARCH_CONFIG = "english"
CLAIM_SEARCH_FIELDS = (("text", "A"), ("context", "B"))
QUERY_MAX_LENGTH = 200
# A quoted phrase, or a word (a leading "-" excludes it).
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')


def _clean(value: str | None) -> str:
    # PostgreSQL refuses NUL in a query string with a server error.
    return (value or "").replace("\x00", "").strip()[:QUERY_MAX_LENGTH]


def claim_search(queryset: QuerySet, query: str | None) -> QuerySet:
    """The claims of `queryset` matching `query`, annotated with `search_rank` and ordered best first.

    An empty query returns `queryset` unchanged.
    """
    query = _clean(query)
    if not query:
        return queryset
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorExact

        vector = reduce(
            lambda a, b: a + b,
            (SearchVector(name, weight=weight, config=CLAIM_SEARCH_CONFIG) for name, weight in CLAIM_SEARCH_FIELDS),
        )
        search = SearchQuery(query, search_type="websearch", config=CLAIM_SEARCH_CONFIG)
        # Matched as a lookup, not through an annotated vector: list pages add counts (GROUP BY), and
        # grouping by a whole tsvector per row is wasted work.
        return (
            queryset.filter(SearchVectorExact(vector, search))
            .annotate(search_rank=SearchRank(vector, search))
            .order_by("-search_rank", "-id")
        )
    condition = _substring_condition(query, [name for name, _ in CLAIM_SEARCH_FIELDS])
    if condition is None:
        return queryset.none()
    return queryset.filter(condition).annotate(search_rank=Value(0.0, output_field=FloatField())).order_by("-id")


def _substring_condition(query: str, fields: list[str]) -> Q | None:
    """Web-search syntax as substring matches: words and phrases all present, `-word` absent, `or` between."""
    alternatives: list[Q] = []
    terms: list[Q] = []
    for match in _TOKEN.finditer(query):
        negated, phrase = (match[1], match[2]) if match[2] is not None else (match[3], match[4])
        phrase = " ".join(phrase.split())
        if phrase.lower() == "or" and not negated and match[2] is None:
            if terms:
                alternatives.append(reduce(and_, terms))
            terms = []
            continue
        if not phrase:
            continue
        found = reduce(or_, (Q(**{f"{field}__icontains": phrase}) for field in fields))
        terms.append(~found if negated else found)
    if terms:
        alternatives.append(reduce(and_, terms))
    return reduce(or_, alternatives) if alternatives else None
