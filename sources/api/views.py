"""Endpoints for sources, citations and source checks, and for claims, which are shown with their
citations (a claim may be created with citations of new sources, given by URL)."""

from __future__ import annotations

import json
from itertools import chain
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.actions import workflow_action, write_docs
from core.api.base import TrackedReadViewSet, TrackedViewSet, api_key, representation_etag, streamed
from core.api.exports import EXPORT_PARAMETER, export_response, json_array_lines, serialized_rows
from core.api.feed import register_viewset
from core.history import change_set
from core.visibility import shown, visible
from sources import services
from sources.api.exports import CLAIM_CSV_COLUMNS, claim_csv_row
from sources.api.serializers import (
    LATEST_CHECK_FIELDS,
    CitationSerializer,
    CitationWriteSerializer,
    ClaimSerializer,
    ClaimUpdateSerializer,
    ClaimWriteSerializer,
    SourceCheckSerializer,
    SourceSerializer,
    SourceWriteSerializer,
)
from sources.claimreview import claim_reviews, is_reviewable, review_path
from sources.filtersets import CitationFilterSet, SourceCheckFilterSet, SourceFilterSet
from sources.models import Citation, Source, SourceCheck
from tracker import services as claim_services
from tracker.choices import Veracity
from tracker.filtersets import ClaimFilterSet
from tracker.models import Claim
from tracker.selectors import claims_for_representation

JSON_LD = "application/ld+json"


def latest_check_prefetch() -> Prefetch:
    """Each source's newest check in one query for the whole page (`source.latest_checks`, 0 or 1 rows)."""
    newest = SourceCheck.objects.filter(source=OuterRef("source")).order_by("-finished_at", "-id").values("pk")[:1]
    checks = SourceCheck.objects.filter(pk=Subquery(newest)).only("source", *LATEST_CHECK_FIELDS)
    return Prefetch("checks", queryset=checks, to_attr="latest_checks")


@register_viewset
@extend_schema_view(**write_docs(SourceSerializer))
class SourceViewSet(TrackedViewSet):
    model = Source
    serializer_class = SourceSerializer
    write_serializer_class = SourceWriteSerializer
    filterset_class = SourceFilterSet
    ordering_fields = ["updated_at", "id"]
    service_object_name = "source"

    def get_prefetches(self):
        return (latest_check_prefetch(),)

    create_service = staticmethod(services.source_create)
    update_service = staticmethod(services.source_update)
    delete_service = staticmethod(services.source_delete)


@register_viewset
@extend_schema_view(**write_docs(CitationSerializer))
class CitationViewSet(TrackedViewSet):
    model = Citation
    serializer_class = CitationSerializer
    write_serializer_class = CitationWriteSerializer
    filterset_class = CitationFilterSet
    select = ("quote_check",)
    ordering_fields = ["updated_at", "id"]
    service_object_name = "citation"
    create_service = staticmethod(services.citation_create)
    update_service = staticmethod(services.citation_update)
    delete_service = staticmethod(services.citation_delete)


class SourceCheckViewSet(TrackedReadViewSet):
    """Every check of a source (append-only; written by the background checks). Partners see the
    checks of the sources they may see, i.e. those cited by a published claim."""

    model = SourceCheck
    serializer_class = SourceCheckSerializer
    filterset_class = SourceCheckFilterSet
    ordering_fields = ["id"]

    def visible_queryset(self):
        # Checks are bookkeeping, not a tracked model: they follow their source's visibility.
        checks = SourceCheck.objects.all()
        return checks.filter(shown(Source, "source")) if self.partner_view() else checks

    def retrieve(self, request, *args, **kwargs):
        # Checks are never edited: no version, so their ETag is a digest of the representation alone.
        return mixins.RetrieveModelMixin.retrieve(self, request, *args, **kwargs)


# --- Claims ----------------------------------------------------------------------------------------


@register_viewset
@extend_schema_view(**write_docs(ClaimSerializer))
class ClaimViewSet(TrackedViewSet):
    """Claims with their citations. Partner `submit` keys may create claims, which go to review."""

    model = Claim
    serializer_class = ClaimSerializer
    write_serializer_class = ClaimWriteSerializer
    update_serializer_class = ClaimUpdateSerializer
    filterset_class = ClaimFilterSet
    ordering_fields = ["updated_at", "id"]  # cursor pages need non-null keys: not stated_on
    service_object_name = "claim"
    partner_submit_actions = ("create",)
    update_service = staticmethod(claim_services.claim_update)
    delete_service = staticmethod(claim_services.claim_delete)

    def get_queryset(self):
        queryset = claims_for_representation(super().get_queryset())
        if self.action in ("claim_review", "claim_reviews"):
            queryset = queryset.select_related("speaker")  # a ClaimReview names the speaker
        return queryset

    def create_service(self, *, user: Any, reason: str, data: dict, topics=(), citations=()):
        partner_key = api_key(self.request) if self.partner_view() else None
        with change_set():
            resolved = []
            for index, citation in enumerate(citations):
                citation = dict(citation)
                url = citation.pop("source_url", None)
                title = citation.pop("source_title", "")
                if url:
                    try:
                        citation["source"] = services.source_find_by_url(url) or services.source_create(
                            user=user, reason=reason, data={"url": url, "title": title}
                        )
                    except ValidationError as error:
                        raise ValidationError({f"citations[{index}].source_url": error.messages}) from error
                resolved.append(citation)
            claim = claim_services.claim_create(user=user, reason=reason, data=data, topics=topics, citations=resolved)
            if partner_key is not None:
                # A partner's proposal goes straight to the review queue, attributed to the partner's account.
                claim = claim_services.claim_submit(claim=claim, user=user, reason=reason)
        return claim

    def respond_with(self, instance, code: int) -> Response:
        if self.action == "create" and self.partner_view():
            # The partner sees its own proposal once; it stays invisible to partners until published.
            fresh = self.get_queryset_unfiltered().get(pk=instance.pk)
            data = self.serializer_class(fresh, context=self.get_serializer_context()).data
            # Its sources are shown only as far as partners may see them: a URL that matched a team-only
            # source must not tell the partner that source exists, nor its title (no existence oracle).
            public = set(
                visible(Source, partner=True)
                .filter(pk__in=[c["source"] for c in data["citations"]])
                .values_list("pk", flat=True)
            )
            for citation in data["citations"]:
                if citation["source"] not in public:
                    citation["source"], citation["source_title"] = None, ""
            return Response(data, status=code, headers={"ETag": representation_etag(data, fresh)})
        return super().respond_with(instance, code)

    def get_queryset_unfiltered(self):
        return claims_for_representation(visible(Claim, partner=False))

    @streamed
    @extend_schema(
        parameters=[EXPORT_PARAMETER],
        responses={(200, "text/csv"): OpenApiTypes.STR, (200, "application/json"): ClaimSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def export(self, request):
        """Every claim the filters select, as CSV or JSON (the same records and filters as the list)."""
        return export_response(self, CLAIM_CSV_COLUMNS, claim_csv_row, "claims")

    @extend_schema(responses={(200, "application/ld+json"): OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"], url_path="claim-review", pagination_class=None, filterset_class=None)
    def claim_review(self, request, pk=None):
        """schema.org ClaimReview JSON-LD for a claim with a veracity rating; 404 for an unrated claim."""
        claim = self.get_object()
        if not is_reviewable(claim):
            raise Http404
        review = self._claim_reviews([claim])[0]
        return HttpResponse(json.dumps(review, cls=DjangoJSONEncoder), content_type=JSON_LD)

    @streamed
    @extend_schema(responses={(200, "application/ld+json"): OpenApiTypes.OBJECT})
    @action(detail=False, methods=["get"], url_path="claim-reviews", pagination_class=None)
    def claim_reviews(self, request):
        """ClaimReview JSON-LD (an `@graph`) for every rated claim the filters select."""
        queryset = self.filter_queryset(self.get_queryset()).exclude(veracity=Veracity.UNRATED)
        rows = serialized_rows(queryset, self._claim_reviews)
        body = json_array_lines(rows)
        prefix = '{"@context": "https://schema.org", "@graph": '
        return StreamingHttpResponse(chain([prefix], body, ["}\n"]), content_type=JSON_LD)

    def _claim_reviews(self, claims: list) -> list[dict]:
        # The same builder as the public fact-check pages; `url` is the public page hosting the review
        # (PUBLIC_PAGES_ENABLED, published claims), otherwise this API's own record of the claim.
        def url_for(claim: Claim) -> str:
            path = review_path(claim) or reverse("api:claim-detail", args=[claim.pk])
            return self.request.build_absolute_uri(path)

        return claim_reviews(claims, url_for=url_for, site_url=self.request.build_absolute_uri("/"))

    submit = workflow_action("submit", claim_services.claim_submit, "claim", "Send a draft for review (editors).")
    publish = workflow_action(
        "publish", claim_services.claim_publish, "claim", "Publish (reviewers); needs at least one citation."
    )
    return_to_draft = workflow_action(
        "return_to_draft", claim_services.claim_return, "claim", "Return to draft (reviewers).", url_path="return"
    )
    retract = workflow_action(
        "retract", claim_services.claim_retract, "claim", "Retract a published claim (reviewers)."
    )
