"""Reads of the sources app that are more than a filter: the claims whose sources are in doubt, and
claims' citations as plain rows for the claims endpoints."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from sources.choices import FLAGGED_QUOTE_STATUSES, QuoteStatus, SourceHealth
from sources.models import Citation, Source
from tracker.choices import EditorialStatus
from tracker.models import Claim

# A source whose text changed is not listed by itself: the same check verified every excerpt against
# the new text, so a changed page that still holds the excerpt leaves nothing for an editor to do.
FLAGGED_SOURCE_HEALTH = (SourceHealth.DEAD,)
FLAGGED_CITATION = Q(quote_status__in=FLAGGED_QUOTE_STATUSES) | Q(source__health__in=FLAGGED_SOURCE_HEALTH)


def flagged_citations() -> QuerySet[Citation]:
    """Citations whose latest check found the excerpt altered or missing, or whose source is dead."""
    return Citation.objects.filter(FLAGGED_CITATION)


def flagged_claims() -> QuerySet[Claim]:
    """Claims (retracted ones aside) with at least one flagged citation, newest change first.

    Each claim carries `flagged` (its flagged citations with their source and latest verification),
    so a page of any length costs the same two queries.
    """
    citations = flagged_citations().select_related("source", "quote_check__source_check").order_by("pk")
    return (
        Claim.objects.exclude(status=EditorialStatus.RETRACTED)
        .filter(Exists(flagged_citations().filter(claim=OuterRef("pk"))))
        .select_related("speaker")
        .prefetch_related(Prefetch("citations", queryset=citations, to_attr="flagged"))
        .order_by("-updated_at", "-id")
    )


UNVERIFIABLE_SHOWN = 200


def unverifiable_citations() -> QuerySet[Citation]:
    """Citations (of claims not retracted) whose latest check could not read the page well enough to
    judge the excerpt, by source: not alterations, listed apart from them with the check's reason.

    One query for any number of rows: the source, the claim's speaker and the check that gave the
    verdict (whose `error` is the reason) are joined in.
    """
    return (
        Citation.objects.filter(quote_status=QuoteStatus.UNVERIFIABLE)
        .exclude(claim__status=EditorialStatus.RETRACTED)
        .select_related("source", "claim__speaker", "quote_check__source_check")
        .order_by("source__title", "source_id", "pk")
    )


CLAIM_CITATION_KEYS = (
    "claim_id",
    "id",
    "source_id",
    "source_url",
    "source_title",
    "excerpt",
    "locator",
    "relation",
    "accessed_on",
)


def claim_citation_rows(claim_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each claim's citations with their source's URL and title, oldest first, as plain rows (one query).

    The source's URL and title come from correlated subqueries, not a join: for the 200 citations of a
    page PostgreSQL hashes the whole sources table for a join, but makes 200 primary-key look-ups here.
    """
    source = Source.objects.filter(pk=models.OuterRef("source_id"))
    rows = (
        Citation.objects.filter(claim_id__in=claim_ids)
        .annotate(source_url=models.Subquery(source.values("url")[:1]))
        .annotate(source_title=models.Subquery(source.values("title")[:1]))
        .order_by("id")
        .values(*CLAIM_CITATION_KEYS)
    )
    citations: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        citations.setdefault(row.pop("claim_id"), []).append(row)
    return citations
