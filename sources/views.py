"""Source pages (the list, a source with its checks and the claims citing it, "check now"), the claim
pages that carry citations (entry and edit with their citation rows, the CSV import, the claims whose
sources are flagged), and what sources add to the tracker's and positions' pages: panels and the
claims list's Citations column (registered in apps.py).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.dates import format_partial_date
from core.exceptions import ConflictError
from core.history import change_set
from core.jobs import job_start
from core.models import Job
from core.web import (
    add_service_error,
    paginate,
    panels_for,
    record_form_page,
    render_conflict,
    safe_next,
    team_required,
)
from sources import imports
from sources.choices import SourceKind
from sources.content import text_diff
from sources.forms import CitationFormSet, ExistingCitationFormSet, ImportUploadForm, RoleForm, SourceForm
from sources.models import Citation, Source
from sources.outcomes import check_runs
from sources.selectors import UNVERIFIABLE_SHOWN, flagged_claims, unverifiable_citations
from sources.services import (
    citation_create,
    citation_delete,
    citation_update,
    source_create,
    source_get_or_create_by_url,
    source_update,
)
from sources.tasks import enqueue_check
from tracker.forms import ClaimForm, claim_may_edit
from tracker.models import Actor, Claim, Role
from tracker.selectors import actor_suggestions, claim_near_duplicates
from tracker.services import claim_create, claim_submit, claim_update, role_create, role_update

RECENT_CHECKS = 10
DASHBOARD_FLAGGED = 10
SEARCH_LIMIT = 20
IMPORT_JOB = "claim-import"  # the job kind (registered in sources/apps.py)

# --- Sources -----------------------------------------------------------------------------------


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
            "check_runs": check_runs(list(source.checks.order_by("-finished_at", "-id")[:RECENT_CHECKS])),
            "text_changes": text_changes(source),
            "panels": panels_for("sources:source-detail", request, source),
            "can_check": request.user.has_perm("sources.change_source"),
        },
    )


@require_POST
@team_required
def source_check_now(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for a check of the source (link, text and excerpts): it is marked due, then a worker is nudged.

    The page says "Queued" only when the broker took the message; otherwise the check is due in the
    database and the dispatcher queues it once the broker is back.
    """
    if not request.user.has_perm("sources.change_source"):
        raise PermissionDenied("Only editors and reviewers can ask for a check.")
    source = get_object_or_404(Source, pk=pk)
    asked = enqueue_check(source.pk) if (source.url or source.stored_text.strip()) else None
    if asked is None:
        messages.error(request, "This source has neither a URL nor a stored text: there is nothing to check.")
    elif asked.sent is False:
        messages.warning(
            request,
            f"A check of “{source}” is scheduled but not queued yet: the task queue cannot be reached just now. "
            "It runs when the worker is back; the result appears here then.",
        )
    else:
        # Sent; or (a view inside an outer transaction, as in tests) sent when that transaction commits.
        messages.success(request, f"Queued a check of “{source}”; the result appears here when it has run.")
    return HttpResponseRedirect(safe_next(request, reverse("sources:source-detail", args=[source.pk])))


@team_required
def source_new(request: HttpRequest) -> HttpResponse:
    """A source described by hand: a web page by its URL, or a document whose text is pasted."""
    if not request.user.has_perm("sources.add_source"):
        raise PermissionDenied("Only editors can add sources.")
    form = SourceForm(request.POST or None)
    return record_form_page(
        request,
        form=form,
        noun="source",
        save=lambda: source_create(user=request.user, reason=form.cleaned_data["reason"], data=form.service_data()),
        message=lambda source: f"Source “{source}” added; its check is queued.",
        done_url=lambda source: reverse("sources:source-detail", args=[source.pk]),
        cancel_url=reverse("sources:source-list"),
    )


@team_required
def source_edit(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(Source, pk=pk)
    if not request.user.has_perm("sources.change_source"):
        raise PermissionDenied("Only editors can change sources.")
    form = SourceForm(request.POST or None, source=source)
    back = reverse("sources:source-detail", args=[pk])
    return record_form_page(
        request,
        form=form,
        noun="source",
        record=source,
        save=lambda: source_update(
            source=source,
            user=request.user,
            reason=form.cleaned_data["reason"],
            data=form.service_data(),
            expected_version=form.cleaned_data["version"],
        ),
        message=lambda saved: f"Source “{saved}” saved.",
        done_url=lambda saved: back,
        cancel_url=back,
    )


# --- Roles, with the source that states them (on the actor's page) -----------------------------


def _role_save(form: RoleForm, actor: Actor, user: Any, role: Role | None = None) -> Role:
    """Create or update the role, its source found or added by URL, as one change."""
    reason = form.cleaned_data["reason"]
    with change_set():
        data = {name: form.cleaned_data[name] for name in RoleForm.FIELDS} | {"actor": actor}
        url = form.cleaned_data["source_url"]
        data["source"] = source_get_or_create_by_url(user=user, reason=reason, url=url) if url else None
        if role is None:
            return role_create(user=user, reason=reason, data=data)
        return role_update(
            role=role, user=user, reason=reason, data=data, expected_version=form.cleaned_data["version"]
        )


@team_required
def role_new(request: HttpRequest, slug: str) -> HttpResponse:
    actor = get_object_or_404(Actor, slug=slug)
    if not request.user.has_perm("tracker.add_role"):
        raise PermissionDenied("Only editors can add roles.")
    form = RoleForm(request.POST or None)
    back = reverse("positions:actor-detail", args=[slug])
    return record_form_page(
        request,
        form=form,
        noun="role",
        heading=f"New role of {actor.name}",
        save=lambda: _role_save(form, actor, request.user),
        message=lambda role: f"Role added to {actor.name}.",
        done_url=lambda role: back,
        cancel_url=back,
    )


@team_required
def role_edit(request: HttpRequest, pk: int) -> HttpResponse:
    role = get_object_or_404(Role.objects.select_related("actor", "organisation", "source"), pk=pk)
    if not request.user.has_perm("tracker.change_role"):
        raise PermissionDenied("Only editors can change roles.")
    form = RoleForm(request.POST or None, role=role)
    back = reverse("positions:actor-detail", args=[role.actor.slug])
    return record_form_page(
        request,
        form=form,
        noun="role",
        record=role,
        save=lambda: _role_save(form, role.actor, request.user, role),
        message=lambda saved: "Role saved.",
        done_url=lambda saved: back,
        cancel_url=back,
    )


RECENT_TEXT_CHANGES = 5


def text_changes(source: Source) -> list[dict[str, Any]]:
    """The latest changes of the source's text: each snapshot against the one before, sentence by sentence,
    only the changed sentences (the page would otherwise repeat the article)."""
    snapshots = list(source.snapshots.order_by("-created_at", "-id")[: RECENT_TEXT_CHANGES + 1])
    changes = []
    for newer, older in zip(snapshots, snapshots[1:], strict=False):
        lines = [line for line in text_diff(older.text, newer.text, ignore_volatile=True) if line.kind != "equal"]
        changes.append({"at": newer.created_at, "since": older.created_at, "lines": lines})
    return changes


# --- Claim entry and edit, with their citations -------------------------------------------------


def _new_citations(formset: Any, *, user: Any, reason: str) -> list[dict[str, Any]]:
    citations = []
    for form in formset.forms:
        if not form.has_changed() or not form.cleaned_data:
            continue
        data = form.cleaned_data
        source = data.get("source")
        if data.get("url"):
            source = source_get_or_create_by_url(user=user, reason=reason, url=data["url"], title=data.get("title", ""))
        citations.append(
            {"source": source, "excerpt": data["excerpt"], "locator": data["locator"], "relation": data["relation"]}
        )
    return citations


def _claim_page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    context.setdefault("actors", actor_suggestions("", limit=300))
    return render(request, "sources/claim_form.html", context, status=status)


@team_required
def claim_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("tracker.add_claim"):
        raise PermissionDenied("Only editors can enter claims.")
    if request.method != "POST":
        initial = {}
        if request.GET.get("speaker"):
            initial["speaker"] = request.GET["speaker"][:200]
        context = {"form": ClaimForm(initial=initial), "citations": CitationFormSet(prefix="cit")}
        return _claim_page(request, {**context, "panels": panels_for("sources:claim-new", request, None)})
    form, formset = ClaimForm(request.POST), CitationFormSet(request.POST, prefix="cit")
    duplicates: list[Claim] = []
    if form.is_valid() and formset.is_valid():
        duplicates = claim_near_duplicates(speaker=form.cleaned_data["speaker"], text=form.cleaned_data["text"])
        if duplicates and not form.cleaned_data["confirm_duplicate"]:
            form.add_error(None, "This speaker already has a near-identical claim (listed below).")
        else:
            user, reason = request.user, form.cleaned_data["reason"]
            try:
                with change_set():
                    claim = claim_create(
                        user=user,
                        reason=reason,
                        data=form.service_data(),
                        topics=form.cleaned_data["topics"],
                        citations=_new_citations(formset, user=user, reason=reason),
                    )
                    if "submit" in request.POST:  # "Save and submit for review": one change, both rows
                        claim = claim_submit(claim=claim, user=user, reason=reason)
            except (ValidationError, PermissionDenied) as error:
                add_service_error(form, error)
            else:
                done = "saved and submitted for review" if "submit" in request.POST else "saved as a draft"
                messages.success(request, f"Claim {done}.")
                return redirect("tracker:claim-detail", pk=claim.pk)
    return _claim_page(request, {"form": form, "citations": formset, "duplicates": duplicates}, status=400)


def _claim_conflict_rows(error: ConflictError, form: ClaimForm) -> list[tuple[str, Any, Any]]:
    current: Claim = error.instance
    mine = form.cleaned_data
    stated_on, precision = mine.get("stated_on") or (None, "day")
    return [
        ("Speaker", current.speaker, mine.get("speaker")),
        ("Text", current.text, mine.get("text")),
        ("Kind", current.get_kind_display(), dict(form.fields["kind"].choices).get(mine.get("kind"))),
        ("Stated on", current.stated_on_display, format_partial_date(stated_on, precision)),
        ("Topics", [t.title for t in current.topics.all()], [t.title for t in mine.get("topics", [])]),
        ("Context", current.context, mine.get("context")),
        (
            "Attribution",
            current.get_attribution_status_display(),
            dict(form.fields["attribution_status"].choices).get(mine.get("attribution_status")),
        ),
        ("Veracity", current.get_veracity_display(), dict(form.fields["veracity"].choices).get(mine.get("veracity"))),
        ("Veracity rationale", current.veracity_rationale, mine.get("veracity_rationale")),
        ("Status", current.get_status_display(), None),
    ]


def _existing_initial(existing: list[Citation]) -> list[dict[str, Any]]:
    return [
        {"id": c.pk, "version": c.version, "excerpt": c.excerpt, "locator": c.locator, "relation": c.relation}
        for c in existing
    ]


@team_required
def claim_edit(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim.objects.select_related("speaker"), pk=pk)
    if not claim_may_edit(request.user, claim):
        raise PermissionDenied("You cannot edit this claim in its current status.")
    existing = list(claim.citations.select_related("source"))
    context: dict[str, Any] = {"claim": claim, "existing_sources": {c.pk: c.source for c in existing}}
    if request.method != "POST":
        context.update(
            form=ClaimForm(claim=claim),
            citations=CitationFormSet(prefix="cit"),
            existing=ExistingCitationFormSet(prefix="old", initial=_existing_initial(existing)),
        )
        return _claim_page(request, context)
    form = ClaimForm(request.POST, claim=claim)
    formset = CitationFormSet(request.POST, prefix="cit")
    old = ExistingCitationFormSet(request.POST, prefix="old")
    context.update(form=form, citations=formset, existing=old)
    if form.is_valid() and formset.is_valid() and old.is_valid():
        duplicates = claim_near_duplicates(
            speaker=form.cleaned_data["speaker"], text=form.cleaned_data["text"], exclude_pk=claim.pk
        )
        if duplicates and not form.cleaned_data["confirm_duplicate"]:
            form.add_error(None, "This speaker already has a near-identical claim (listed below).")
            context["duplicates"] = duplicates
            return _claim_page(request, context, status=400)
        user, reason = request.user, form.cleaned_data["reason"]
        by_id = {c.pk: c for c in existing}
        try:
            with change_set():
                claim_update(
                    claim=claim,
                    user=user,
                    reason=reason,
                    data=form.service_data(),
                    topics=form.cleaned_data["topics"],
                    expected_version=form.cleaned_data["version"],
                )
                for row in old.cleaned_data:
                    citation = by_id.get(row.get("id"))
                    if citation is None:
                        raise ValidationError({"citations": "A citation on the page no longer belongs to this claim."})
                    if row["remove"]:
                        citation_delete(citation=citation, user=user, reason=reason, expected_version=row["version"])
                    else:
                        citation_update(
                            citation=citation,
                            user=user,
                            reason=reason,
                            data={"excerpt": row["excerpt"], "locator": row["locator"], "relation": row["relation"]},
                            expected_version=row["version"],
                        )
                for data in _new_citations(formset, user=user, reason=reason):
                    citation_create(user=user, reason=reason, claim=claim, data=data)
        except ConflictError as error:
            if isinstance(error.instance, Citation):
                rows = [("Citation excerpt", error.instance.excerpt, "(your version of this citation)")]
            else:
                rows = _claim_conflict_rows(error, form)
            return render_conflict(
                request, error=error, rows=rows, back_url=reverse("sources:claim-edit", args=[claim.pk])
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Claim saved.")
            return redirect("tracker:claim-detail", pk=claim.pk)
    return _claim_page(request, context, status=400)


@team_required
def flagged_claim_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, flagged_claims())
    # The unverifiable ones go with the first page only: they are a short list of sources, not a worklist.
    unverifiable = list(unverifiable_citations()[: UNVERIFIABLE_SHOWN + 1]) if page.number == 1 else []
    return render(
        request,
        "sources/flagged_claims.html",
        {
            "page": page,
            "unverifiable": unverifiable[:UNVERIFIABLE_SHOWN],
            "unverifiable_more": len(unverifiable) > UNVERIFIABLE_SHOWN,
        },
    )


# --- CSV import of claims with their sources ----------------------------------------------------


def _may_import(user: Any) -> None:
    if not user.has_perm("tracker.add_claim") or not user.has_perm("sources.add_citation"):
        raise PermissionDenied("Only editors can import claims.")


@team_required
def claim_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV: its dry run starts as a background job, whose page shows progress, then the preview."""
    _may_import(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", "The file is not UTF-8 text.")
        else:
            name = (upload.name or "upload.csv")[:200]
            job = job_start(
                kind=IMPORT_JOB,
                user=request.user,
                title=f"Dry run of the import of {name}",
                payload={"name": name, "text": text, "apply": False},
            )
            return redirect("jobs:job-detail", job.pk)
    return render(
        request,
        "sources/claim_import.html",
        {"form": form, "columns": imports.COLUMNS},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@team_required
def claim_import_apply(request: HttpRequest, job_id: int) -> HttpResponse:
    """Import the file a successful dry run checked, as a job of its own (all or nothing)."""
    _may_import(request.user)
    checked = get_object_or_404(Job, pk=job_id, user=request.user, kind=IMPORT_JOB)
    if checked.status != Job.Status.SUCCEEDED or not checked.result.get("ok") or checked.payload.get("apply"):
        messages.error(request, "Only a dry run without errors can be imported; upload the file again.")
        return redirect("jobs:job-detail", checked.pk)
    name = checked.payload["name"]
    job = job_start(
        kind=IMPORT_JOB,
        user=request.user,
        title=f"Import of {name}",
        payload={**checked.payload, "apply": True},
    )
    return redirect("jobs:job-detail", job.pk)


@team_required
def claim_import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="claims-template.csv"'
    return response


# --- What sources add to other apps' pages (registered in apps.py) ------------------------------


def dashboard_panel(request: HttpRequest, obj: None) -> dict[str, Any]:
    """The dashboard: the first claims whose sources are flagged, and how many there are."""
    return {"flagged": flagged_claims()[:DASHBOARD_FLAGGED], "flagged_total": flagged_claims().count()}


def search_panel(request: HttpRequest, query: str) -> dict[str, Any]:
    """The search page: sources whose title, URL or publisher contains the query."""
    matching = Source.objects.filter(
        Q(title__icontains=query) | Q(url__icontains=query) | Q(publisher__icontains=query)
    )
    return {"matching_sources": matching.order_by("title", "id")[:SEARCH_LIMIT]}


def claim_citations_panel(request: HttpRequest, claim: Claim) -> dict[str, Any]:
    """The claim page: each citation with its excerpt's latest check and its source's health."""
    return {"citations": claim.citations.select_related("source", "quote_check__source_check").order_by("id")}


def evidence_excerpts_panel(request: HttpRequest, claims: list[Claim]) -> dict[str, Any] | None:
    """A position's page (given its evidence claims): the excerpts that back each claim."""
    citations = list(
        Citation.objects.filter(claim__in=claims).select_related("claim", "source").order_by("claim_id", "id")
    )
    return {"citations": citations} if citations else None


def with_citation_count(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    """The claims list's Citations column."""
    return claims.annotate(citation_count=Count("citations"))
