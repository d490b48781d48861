"""Source pages: the list with search, a source with its checks and the claims that cite it, "check now",
and the claims whose sources the checks flagged."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.web import paginate, team_required
from sources.choices import SourceKind
from sources.models import Source
from sources.selectors import flagged_claims

RECENT_CHECKS = 10


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
    source = get_object_or_404(Source.objects.annotate(snapshot_count=Count("snapshots")), pk=pk)
    return render(
        request,
        "sources/source_detail.html",
        {
            "source": source,
            "citations": source.citations.select_related("claim__speaker", "quote_check__source_check").order_by(
                "-claim_id"
            ),
            "checks": source.checks.order_by("-finished_at", "-id")[:RECENT_CHECKS],
            "can_check": request.user.has_perm("sources.change_source"),
        },
    )


@require_POST
@team_required
def source_check_now(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a check of the source (link, text and excerpts) once this request's transaction commits."""
    from sources.tasks import enqueue_check  # the tasks module imports the services

    if not request.user.has_perm("sources.change_source"):
        raise PermissionDenied("Only editors and reviewers can ask for a check.")
    source = get_object_or_404(Source, pk=pk)
    if not (source.url or source.stored_text.strip()):
        messages.error(request, "This source has neither a URL nor a stored text: there is nothing to check.")
    else:
        enqueue_check(source.pk)
        messages.success(request, f"Queued a check of “{source}”; the result appears here when it has run.")
    target = request.POST.get("next", "")
    secure = request.is_secure()
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=secure):
        target = reverse("sources:detail", args=[source.pk])
    return HttpResponseRedirect(target)


@team_required
def flagged_claim_list(request: HttpRequest) -> HttpResponse:
    return render(request, "sources/flagged_claims.html", {"page": paginate(request, flagged_claims())})
