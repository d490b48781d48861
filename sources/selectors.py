"""Reads of the sources app that are more than a filter: the claims whose sources are in doubt."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from sources.choices import FLAGGED_QUOTE_STATUSES, SourceHealth
from sources.models import Citation
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
