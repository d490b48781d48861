"""Source pages: the list with search, and a source with the claims that cite it."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from sources.choices import SourceKind
from sources.models import Source
from tracker.web import paginate, team_required


@team_required
def source_list(request: HttpRequest) -> HttpResponse:
    query, kind = request.GET.get("q", "").strip()[:200], request.GET.get("kind", "")
    sources = Source.objects.annotate(citation_count=Count("citations"))
    if query:
        sources = sources.filter(Q(title__icontains=query) | Q(url__icontains=query) | Q(publisher__icontains=query))
    if kind in SourceKind.values:
        sources = sources.filter(kind=kind)
    return render(
        request,
        "sources/source_list.html",
        {
            "page": paginate(request, sources.order_by("title", "id")),
            "query": query,
            "kind": kind,
            "kinds": SourceKind.choices,
        },
    )


@team_required
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(Source, pk=pk)
    return render(
        request,
        "sources/source_detail.html",
        {"source": source, "citations": source.citations.select_related("claim__speaker").order_by("-claim_id")},
    )
