"""Web pages for the dashboard, search, actors and claims. Writes go through services.

Pages here show the tracker's own records; what the apps above add to them (positions, citations,
flagged sources) arrives through the panels and columns they register (core.web), so nothing here
imports them. The pages that compose a claim with its citations live in `sources`; the actor and topic
pages with their positions live in `positions`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.exceptions import ConflictError
from core.history import created_by
from core.models import ChangeEntry
from core.selectors import recent_changes, unpatrolled_count
from core.web import (
    columns_for,
    paginate,
    panels_for,
    record_form_page,
    render_conflict,
    safe_next,
    team_required,
    with_columns,
)
from tracker.choices import ActorKind, EditorialStatus
from tracker.filtersets import ClaimFilterSet
from tracker.forms import (
    TRANSITION_DONE,
    ActorForm,
    BulkTransitionForm,
    TopicForm,
    TransitionForm,
    claim_may_edit,
    workflow_buttons,
)
from tracker.models import Actor, Claim, Topic
from tracker.search import claim_search
from tracker.selectors import actor_suggestions
from tracker.services import (
    actor_create,
    actor_update,
    claim_publish,
    claim_retract,
    claim_return,
    claim_submit,
    topic_create,
    topic_update,
)

DASHBOARD_RECENT = 15
SEARCH_LIMIT = 20
SEARCH_CLAIMS_LIMIT = 30
CLAIM_TRANSITIONS = {
    "submit": claim_submit,
    "publish": claim_publish,
    "return": claim_return,
    "retract": claim_retract,
}


def _query(request: HttpRequest) -> str:
    return request.GET.get("q", "").strip()[:200]


# --- Dashboard and search ----------------------------------------------------------------------


@team_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """My claim drafts, claims waiting for review and recent changes; other apps add their panels."""
    user = request.user
    claims = Claim.objects.select_related("speaker")
    may_read_changes = user.has_perm("core.view_changeentry")
    return render(
        request,
        "tracker/dashboard.html",
        {
            "my_claims": claims.filter(status=EditorialStatus.DRAFT, pk__in=created_by(Claim, user))[:25],
            "queue_claims": claims.filter(status=EditorialStatus.IN_REVIEW).order_by("updated_at")[:50],
            # The change index covers every tracked record, as /history/ does.
            "recent": recent_changes(ChangeEntry.objects.all(), size=DASHBOARD_RECENT).entries
            if may_read_changes
            else None,
            "unreviewed": unpatrolled_count() if may_read_changes else None,
            "panels": panels_for("tracker:dashboard", request, None),
        },
    )


@team_required
def search(request: HttpRequest) -> HttpResponse:
    """Actors, topics and claims matching `q`; other apps add theirs (sources) as panels."""
    query = _query(request)
    results: dict[str, Any] = {}
    panels: list[str] = []
    if query:
        results = {
            "actors": Actor.objects.filter(
                Q(name__icontains=query) | Q(slug__icontains=query) | Q(aliases__icontains=query)
            )[:SEARCH_LIMIT],
            "claims": claim_search(Claim.objects.select_related("speaker"), query)[:SEARCH_CLAIMS_LIMIT],
            "topics": Topic.objects.filter(Q(title__icontains=query) | Q(question__icontains=query))[:SEARCH_LIMIT],
        }
        panels = panels_for("tracker:search", request, query)
    return render(request, "tracker/search.html", {"query": query, "results": results, "panels": panels})


@team_required
def actor_autocomplete(request: HttpRequest) -> JsonResponse:
    actors = actor_suggestions(request.GET.get("q", "")[:100])
    return JsonResponse({"results": [{"name": a.name, "slug": a.slug, "kind": a.get_kind_display()} for a in actors]})


# --- Actors and claims -------------------------------------------------------------------------


@team_required
def actor_list(request: HttpRequest) -> HttpResponse:
    query, kind = _query(request), request.GET.get("kind", "")
    actors = with_columns("tracker:actor-list", Actor.objects.annotate(claim_count=Count("claims", distinct=True)))
    if query:
        actors = actors.filter(Q(name__icontains=query) | Q(aliases__icontains=query) | Q(slug__icontains=query))
    if kind in ActorKind.values:
        actors = actors.filter(kind=kind)
    return render(
        request,
        "tracker/actor_list.html",
        {
            "page": paginate(request, actors.order_by("name")),
            "columns": columns_for("tracker:actor-list"),
            "query": query,
            "kind": kind,
            "kinds": ActorKind.choices,
        },
    )


@team_required
def claim_list(request: HttpRequest) -> HttpResponse:
    """The claims, filtered by the API's own filter set (the page says `speaker` where the API says `actor`)."""
    query, status = _query(request), request.GET.get("status", "")
    speaker, topic = request.GET.get("speaker", ""), request.GET.get("topic", "")
    claims = with_columns(
        "tracker:claim-list", Claim.objects.select_related("speaker").prefetch_related("topics")
    ).order_by("-updated_at", "-id")
    data = QueryDict(mutable=True)
    for name, value in (("q", query), ("status", status), ("actor", speaker), ("topic", topic)):
        if value:
            data[name] = value
    # An unknown status fails the filter set's form and filters nothing, as the page always did.
    filters = ClaimFilterSet(data, queryset=claims)
    return render(
        request,
        "tracker/claim_list.html",
        {
            "page": paginate(request, filters.qs),
            "columns": columns_for("tracker:claim-list"),
            "query": query,
            "status": status,
            "statuses": EditorialStatus.choices,
            "speaker": speaker,
            "topic": topic,
        },
    )


@team_required
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The claim and its workflow; its citations and the positions it backs are panels of their apps."""
    claim = get_object_or_404(Claim.objects.select_related("speaker"), pk=pk)
    return render(
        request,
        "tracker/claim_detail.html",
        {
            "claim": claim,
            "topics": claim.topics.all(),
            "panels": panels_for("tracker:claim-detail", request, claim),
            "history": claim.history.select_related("history_user").order_by("-history_date")[:20],
            "history_url": reverse("history:object", args=["claim", claim.pk]),
            "buttons": workflow_buttons(
                request.user, claim.status, publish_perm="tracker.publish_claim", change_perm="tracker.change_claim"
            ),
            "can_edit": claim_may_edit(request.user, claim),
        },
    )


@require_POST
@team_required
def claim_transition(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("tracker.change_claim"):
        raise PermissionDenied("Only editors and reviewers can move claims through the workflow.")
    claim = get_object_or_404(Claim, pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why (a comment is required), then press the button again.")
        return redirect("tracker:claim-detail", pk=pk)
    action = form.cleaned_data["action"]
    try:
        CLAIM_TRANSITIONS[action](
            claim=claim,
            user=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except ConflictError as error:
        current = error.instance
        return render_conflict(
            request,
            error=error,
            rows=[
                ("Status", current.get_status_display(), f"(you pressed “{action}”)"),
                ("Text", current.text, claim.text),
            ],
            back_url=reverse("tracker:claim-detail", args=[pk]),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Claim {TRANSITION_DONE[action]}.")
    return redirect("tracker:claim-detail", pk=pk)


@require_POST
@team_required
def claim_bulk(request: HttpRequest) -> HttpResponse:
    """Submit, publish or return several claims at once (the review queue): each through its service,
    in its own transaction, with the version the page showed; one refusal does not stop the others."""
    form = BulkTransitionForm(request.POST)
    back = safe_next(request, reverse("tracker:claim-list"))
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{'Claims' if field == 'claims' else field.capitalize()}: {' '.join(errors)}")
        return redirect(back)
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    claims = Claim.objects.in_bulk(list(form.cleaned_data["claims"]))
    done, refused = 0, []
    for pk, version in form.cleaned_data["claims"].items():
        claim = claims.get(pk)
        if claim is None:
            refused.append(f"#{pk}: it no longer exists.")
            continue
        try:
            CLAIM_TRANSITIONS[action](claim=claim, user=request.user, reason=reason, expected_version=version)
        except ConflictError:
            refused.append(f"#{pk} “{claim.text[:60]}”: it changed since the page was loaded; reload and retry.")
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            refused.append(f"#{pk} “{claim.text[:60]}”: {text}")
        else:
            done += 1
    if done:
        messages.success(request, f"{done} claim{'s' if done != 1 else ''} {TRANSITION_DONE[action]}.")
    for line in refused:
        messages.error(request, f"Not {TRANSITION_DONE[action]}: {line}")
    return redirect(back)


# --- Creating and editing actors and topics -------------------------------------------------------
# The same edit summary, version check and conflict page as claims; the admin stays for maintenance.


@team_required
def actor_new(request: HttpRequest) -> HttpResponse:
    """A new actor; `?name=` fills the name (the claim form links here for an unknown speaker)."""
    if not request.user.has_perm("tracker.add_actor"):
        raise PermissionDenied("Only editors can add actors.")
    form = ActorForm(request.POST or None, initial={"name": request.GET.get("name", "")[:200]})
    return record_form_page(
        request,
        form=form,
        noun="actor",
        save=lambda: actor_create(user=request.user, reason=form.cleaned_data["reason"], data=form.service_data()),
        message=lambda actor: f"Actor “{actor.name}” added.",
        done_url=lambda actor: safe_next(request, reverse("positions:actor-detail", args=[actor.slug])),
        cancel_url=reverse("tracker:actor-list"),
    )


@team_required
def actor_edit(request: HttpRequest, slug: str) -> HttpResponse:
    actor = get_object_or_404(Actor, slug=slug)
    if not request.user.has_perm("tracker.change_actor"):
        raise PermissionDenied("Only editors can change actors.")
    form = ActorForm(request.POST or None, actor=actor)
    back = reverse("positions:actor-detail", args=[actor.slug])
    return record_form_page(
        request,
        form=form,
        noun="actor",
        record=actor,
        save=lambda: actor_update(
            actor=actor,
            user=request.user,
            reason=form.cleaned_data["reason"],
            data=form.service_data(),
            expected_version=form.cleaned_data["version"],
        ),
        message=lambda saved: f"Actor “{saved.name}” saved.",
        done_url=lambda saved: back,
        cancel_url=back,
    )


@team_required
def topic_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("tracker.add_topic"):
        raise PermissionDenied("Only editors can add topics.")
    form = TopicForm(request.POST or None, initial={"title": request.GET.get("title", "")[:200]})
    return record_form_page(
        request,
        form=form,
        noun="topic",
        save=lambda: topic_create(user=request.user, reason=form.cleaned_data["reason"], data=form.service_data()),
        message=lambda topic: f"Topic “{topic.title}” added.",
        done_url=lambda topic: safe_next(request, reverse("positions:topic-detail", args=[topic.slug])),
        cancel_url=reverse("positions:topic-list"),
    )


@team_required
def topic_edit(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    if not request.user.has_perm("tracker.change_topic"):
        raise PermissionDenied("Only editors can change topics.")
    form = TopicForm(request.POST or None, topic=topic)
    back = reverse("positions:topic-detail", args=[topic.slug])
    return record_form_page(
        request,
        form=form,
        noun="topic",
        record=topic,
        save=lambda: topic_update(
            topic=topic,
            user=request.user,
            reason=form.cleaned_data["reason"],
            data=form.service_data(),
            expected_version=form.cleaned_data["version"],
        ),
        message=lambda saved: f"Topic “{saved.title}” saved.",
        done_url=lambda saved: back,
        cancel_url=back,
    )
