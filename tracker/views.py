"""Web pages for actors, topics, claims, search, the dashboard and CSV import. Writes go through services."""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.exceptions import ConflictError
from core.history import change_set
from core.web import add_service_error, paginate, parse_partial_date, render_conflict, team_required
from positions.charts import MatrixCell, TimelineMark, TimelinePoint, TimelineRow, legend_html, matrix_svg, timeline_svg
from positions.choices import Stance
from positions.models import Position
from positions.selectors import TEAM_STATUSES, position_changes, stance_matrix_as_of, stances_as_of
from sources.forms import CitationFormSet, ExistingCitationFormSet
from sources.models import Citation, Source
from sources.selectors import flagged_claims
from sources.services import citation_create, citation_delete, citation_update, source_get_or_create_by_url
from tracker import imports
from tracker.choices import ActorKind, EditorialStatus
from tracker.forms import ClaimForm, ImportUploadForm, TransitionForm
from tracker.models import Actor, Claim, Topic
from tracker.selectors import actor_suggestions, claim_near_duplicates, unpatrolled_count
from tracker.services import claim_create, claim_publish, claim_retract, claim_return, claim_submit, claim_update

DASHBOARD_FLAGGED = 10
CLAIM_TRANSITIONS = {
    "submit": claim_submit,
    "publish": claim_publish,
    "return": claim_return,
    "retract": claim_retract,
}
TRANSITION_DONE = {
    "submit": "submitted for review",
    "publish": "published",
    "return": "returned to draft",
    "retract": "retracted",
}


def _date_param(request: HttpRequest, name: str, default: datetime.date | None) -> datetime.date | None:
    try:
        value, _ = parse_partial_date(request.GET.get(name, ""))
    except ValidationError:
        return default
    return value or default


def _created_by(model: Any, user: Any) -> Any:
    return model.history.filter(history_type="+", history_user=user).values("id")


# --- Dashboard and search ----------------------------------------------------------------------


def _position_label(row: Any) -> str:
    try:
        return f"Position: {row.actor} on {row.topic}"
    except (Actor.DoesNotExist, Topic.DoesNotExist):  # the actor or topic was deleted since
        return f"Position #{row.id}"


@team_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    claims = Claim.objects.select_related("speaker")
    positions = Position.objects.select_related("actor", "topic")
    rows = sorted(
        [
            *Claim.history.select_related("history_user").order_by("-history_date")[:15],
            *Position.history.select_related("history_user", "actor", "topic").order_by("-history_date")[:15],
        ],
        key=lambda row: row.history_date,
        reverse=True,
    )[:15]
    recent = []
    for row in rows:
        is_claim = isinstance(row, Claim.history.model)
        recent.append(
            {
                "row": row,
                "label": f"Claim: {row.text}" if is_claim else _position_label(row),
                "url": ""
                if row.history_type == "-"
                else reverse("tracker:claim-detail" if is_claim else "positions:detail", args=[row.id]),
            }
        )
    return render(
        request,
        "tracker/dashboard.html",
        {
            "my_claims": claims.filter(status=EditorialStatus.DRAFT, pk__in=_created_by(Claim, user))[:25],
            "my_positions": positions.filter(status=EditorialStatus.DRAFT, pk__in=_created_by(Position, user))[:25],
            "queue_claims": claims.filter(status=EditorialStatus.IN_REVIEW).order_by("updated_at")[:50],
            "queue_positions": positions.filter(status=EditorialStatus.IN_REVIEW).order_by("updated_at")[:50],
            "recent": recent,
            "flagged": flagged_claims()[:DASHBOARD_FLAGGED],
            "flagged_total": flagged_claims().count(),
            "unreviewed": unpatrolled_count() if user.has_perm("core.view_changeentry") else None,
        },
    )


def _search_claims(query: str) -> Any:
    claims = Claim.objects.select_related("speaker")
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("text", weight="A") + SearchVector("context", weight="B")
        search = SearchQuery(query, search_type="websearch", config="english")
        return (
            claims.annotate(rank=SearchRank(vector, search))
            .filter(Q(rank__gt=0) | Q(text__icontains=query))
            .order_by("-rank", "-id")
        )
    return claims.filter(Q(text__icontains=query) | Q(context__icontains=query)).order_by("-id")


@team_required
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    results: dict[str, Any] = {}
    if query:
        results = {
            "actors": Actor.objects.filter(
                Q(name__icontains=query) | Q(slug__icontains=query) | Q(aliases__icontains=query)
            )[:20],
            "claims": _search_claims(query)[:30],
            "sources": Source.objects.filter(
                Q(title__icontains=query) | Q(url__icontains=query) | Q(publisher__icontains=query)
            )[:20],
            "topics": Topic.objects.filter(Q(title__icontains=query) | Q(question__icontains=query))[:20],
        }
    return render(request, "tracker/search.html", {"query": query, "results": results})


@team_required
def actor_autocomplete(request: HttpRequest) -> JsonResponse:
    actors = actor_suggestions(request.GET.get("q", "")[:100])
    return JsonResponse({"results": [{"name": a.name, "slug": a.slug, "kind": a.get_kind_display()} for a in actors]})


# --- Actors ------------------------------------------------------------------------------------


@team_required
def actor_list(request: HttpRequest) -> HttpResponse:
    query, kind = request.GET.get("q", "").strip()[:200], request.GET.get("kind", "")
    actors = Actor.objects.annotate(
        claim_count=Count("claims", distinct=True), position_count=Count("positions", distinct=True)
    )
    if query:
        actors = actors.filter(Q(name__icontains=query) | Q(aliases__icontains=query) | Q(slug__icontains=query))
    if kind in ActorKind.values:
        actors = actors.filter(kind=kind)
    return render(
        request,
        "tracker/actor_list.html",
        {"page": paginate(request, actors.order_by("name")), "query": query, "kind": kind, "kinds": ActorKind.choices},
    )


def _claim_marks(claims: Any) -> dict[Any, list[TimelineMark]]:
    marks: dict[Any, list[TimelineMark]] = defaultdict(list)
    for claim in claims:
        if claim.stated_on is None:
            continue
        mark = TimelineMark(
            on=claim.stated_on,
            label=f"Claim ({claim.stated_on_display}): {claim.text[:200]}",
            href=reverse("tracker:claim-detail", args=[claim.pk]),
        )
        yield_keys = [topic.pk for topic in claim.topics.all()] or [None]
        for key in yield_keys:
            marks[key].append(mark)
    return marks


def _point(position: Position) -> TimelinePoint:
    evidence = list(position.evidence.all())
    href = (
        reverse("tracker:claim-detail", args=[evidence[0].pk])
        if len(evidence) == 1
        else reverse("positions:detail", args=[position.pk])
    )
    return TimelinePoint(
        on=position.as_of,
        stance=position.stance,
        label=f"{position.actor.name} on {position.topic.title}: {position.get_stance_display()} "
        f"({position.as_of_display}); evidence: {len(evidence)} claim(s)",
        href=href,
    )


@team_required
def actor_detail(request: HttpRequest, slug: str) -> HttpResponse:
    actor = get_object_or_404(Actor, slug=slug)
    claims = list(actor.claims.prefetch_related("topics").order_by("-stated_on", "-id"))
    positions = list(
        actor.positions.filter(status__in=TEAM_STATUSES)
        .select_related("actor", "topic")
        .prefetch_related("evidence")
        .order_by("topic__title", "as_of", "id")
    )
    # The picture shows what is published; the tables below list drafts too.
    published_claims = [c for c in claims if c.status == EditorialStatus.PUBLISHED]
    marks = _claim_marks(published_claims)
    rows: dict[Any, TimelineRow] = {}
    for position in positions:
        if position.status != EditorialStatus.PUBLISHED:
            continue
        row = rows.setdefault(
            position.topic_id,
            TimelineRow(title=position.topic.title, href=reverse("tracker:topic-detail", args=[position.topic.slug])),
        )
        row.points.append(_point(position))
    topics = {topic.pk: topic for claim in published_claims for topic in claim.topics.all()}
    for key, topic_marks in marks.items():
        if key not in rows:
            topic = topics.get(key)
            rows[key] = TimelineRow(
                title=topic.title if topic else "(no topic)",
                href=reverse("tracker:topic-detail", args=[topic.slug]) if topic else "",
            )
        rows[key].marks.extend(topic_marks)
    chart = timeline_svg(
        sorted(rows.values(), key=lambda r: r.title), title=f"{actor.name}: published stances and claims over time"
    )
    return render(
        request,
        "tracker/actor_detail.html",
        {
            "actor": actor,
            "roles": actor.roles.select_related("organisation", "source"),
            "members": actor.members.select_related("actor"),
            "claims": claims,
            "positions": positions,
            "chart": chart,
            "legend": legend_html(),
        },
    )


# --- Topics ------------------------------------------------------------------------------------


@team_required
def topic_list(request: HttpRequest) -> HttpResponse:
    on = _date_param(request, "on", timezone.localdate())
    topics = list(Topic.objects.annotate(claim_count=Count("claims", distinct=True)).order_by("title"))
    stances = list(stance_matrix_as_of(on=on))
    actors = sorted({p.actor for p in stances}, key=lambda a: a.name)
    actor_index = {a.pk: i for i, a in enumerate(actors)}
    matrix_topics = [t for t in topics if any(p.topic_id == t.pk for p in stances)]
    topic_index = {t.pk: i for i, t in enumerate(matrix_topics)}
    cells = {
        (actor_index[p.actor_id], topic_index[p.topic_id]): MatrixCell(
            stance=p.stance,
            label=f"{p.actor.name} on {p.topic.title}: {p.get_stance_display()} ({p.as_of_display})",
            href=reverse("positions:detail", args=[p.pk]),
        )
        for p in stances
    }
    chart = matrix_svg(
        rows=[(a.name, reverse("tracker:actor-detail", args=[a.slug])) for a in actors],
        columns=[(t.title, reverse("tracker:topic-detail", args=[t.slug])) for t in matrix_topics],
        cells=cells,
        title=f"Published stances of every actor on every topic as of {on:%-d %B %Y}",
    )
    return render(
        request, "tracker/topic_list.html", {"topics": topics, "on": on, "chart": chart, "legend": legend_html()}
    )


@team_required
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    today = timezone.localdate()
    on = _date_param(request, "on", today)
    since = _date_param(request, "since", None)
    until = _date_param(request, "until", None)
    stances = list(stances_as_of(topic=topic, on=on))
    matrix = matrix_svg(
        rows=[(p.actor.name, reverse("tracker:actor-detail", args=[p.actor.slug])) for p in stances],
        columns=[(f"As of {on:%-d %b %Y}", "")],
        cells={
            (i, 0): MatrixCell(
                stance=p.stance,
                label=f"{p.actor.name}: {p.get_stance_display()} ({p.as_of_display})",
                href=reverse("positions:detail", args=[p.pk]),
            )
            for i, p in enumerate(stances)
        },
        title=f"Every actor's published stance on {topic.title} as of {on:%-d %B %Y}",
    )
    positions = (
        Position.objects.filter(topic=topic, status=EditorialStatus.PUBLISHED)
        .select_related("actor", "topic")
        .prefetch_related("evidence")
        .order_by("actor__name", "as_of")
    )
    rows: dict[Any, TimelineRow] = {}
    for position in positions:
        row = rows.setdefault(
            position.actor_id,
            TimelineRow(title=position.actor.name, href=reverse("tracker:actor-detail", args=[position.actor.slug])),
        )
        row.points.append(_point(position))
    claims = topic.claims.filter(status=EditorialStatus.PUBLISHED).select_related("speaker").order_by("-stated_on")
    for claim in claims:
        if claim.stated_on is None:
            continue
        rows.setdefault(
            claim.speaker_id,
            TimelineRow(title=claim.speaker.name, href=reverse("tracker:actor-detail", args=[claim.speaker.slug])),
        ).marks.append(
            TimelineMark(
                on=claim.stated_on,
                label=f"Claim ({claim.stated_on_display}): {claim.text[:200]}",
                href=reverse("tracker:claim-detail", args=[claim.pk]),
            )
        )
    timeline = timeline_svg(sorted(rows.values(), key=lambda r: r.title), title=f"Stances on {topic.title} over time")
    changes = list(position_changes(topic=topic, since=since, until=until, include_first=True))
    for change in changes:
        change.previous_stance_label = Stance(change.previous_stance).label if change.previous_stance else ""
    return render(
        request,
        "tracker/topic_detail.html",
        {
            "topic": topic,
            "on": on,
            "since": since,
            "until": until,
            "matrix": matrix,
            "timeline": timeline,
            "legend": legend_html(),
            "changes": changes,
            "claims": claims[:50],
            "drafts": Position.objects.filter(
                topic=topic, status__in=[EditorialStatus.DRAFT, EditorialStatus.IN_REVIEW]
            )
            .select_related("actor")
            .order_by("actor__name", "as_of"),
        },
    )


# --- Claims ------------------------------------------------------------------------------------


@team_required
def claim_list(request: HttpRequest) -> HttpResponse:
    claims = (
        Claim.objects.select_related("speaker").prefetch_related("topics").annotate(citation_count=Count("citations"))
    )
    query, status = request.GET.get("q", "").strip()[:200], request.GET.get("status", "")
    speaker, topic = request.GET.get("speaker", ""), request.GET.get("topic", "")
    if query:
        claims = claims.filter(text__icontains=query)
    if status in EditorialStatus.values:
        claims = claims.filter(status=status)
    if speaker:
        claims = claims.filter(speaker__slug=speaker)
    if topic:
        claims = claims.filter(topics__slug=topic)
    return render(
        request,
        "tracker/claim_list.html",
        {
            "page": paginate(request, claims.order_by("-updated_at", "-id")),
            "query": query,
            "status": status,
            "statuses": EditorialStatus.choices,
            "speaker": speaker,
            "topic": topic,
        },
    )


def _transitions_for(user: Any, status: str, *, publish_perm: str, change_perm: str) -> list[dict[str, str]]:
    """The workflow buttons this user may press in this status (the services check again)."""
    may_publish, may_change = user.has_perm(publish_perm), user.has_perm(change_perm)
    buttons = []
    if status == EditorialStatus.DRAFT and may_change:
        buttons.append({"action": "submit", "label": "Submit for review", "prompt": "Note for the reviewer"})
    if status in (EditorialStatus.DRAFT, EditorialStatus.IN_REVIEW) and may_publish:
        buttons.append({"action": "publish", "label": "Publish", "prompt": "Why it is ready"})
    if status == EditorialStatus.IN_REVIEW and may_publish:
        buttons.append({"action": "return", "label": "Return to draft", "prompt": "Comment for the editor"})
    if status == EditorialStatus.PUBLISHED and may_publish:
        buttons.append({"action": "retract", "label": "Retract", "prompt": "Reason for retracting"})
    if status == EditorialStatus.RETRACTED and may_publish:
        buttons.append({"action": "return", "label": "Return to draft", "prompt": "Why it is reopened"})
    return buttons


def claim_can_edit(user: Any, claim: Claim) -> bool:
    if not user.has_perm("tracker.change_claim") or claim.status == EditorialStatus.RETRACTED:
        return False
    return claim.status != EditorialStatus.PUBLISHED or user.has_perm("tracker.publish_claim")


@team_required
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim.objects.select_related("speaker"), pk=pk)
    return render(
        request,
        "tracker/claim_detail.html",
        {
            "claim": claim,
            "citations": claim.citations.select_related("source", "quote_check__source_check"),
            "topics": claim.topics.all(),
            "positions": claim.positions.select_related("actor", "topic"),
            "history": claim.history.select_related("history_user").order_by("-history_date")[:20],
            "buttons": _transitions_for(
                request.user, claim.status, publish_perm="tracker.publish_claim", change_perm="tracker.change_claim"
            ),
            "can_edit": claim_can_edit(request.user, claim),
        },
    )


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
    return render(request, "tracker/claim_form.html", context, status=status)


@team_required
def claim_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("tracker.add_claim"):
        raise PermissionDenied("Only editors can enter claims.")
    if request.method != "POST":
        initial = {}
        if request.GET.get("speaker"):
            initial["speaker"] = request.GET["speaker"][:200]
        return _claim_page(request, {"form": ClaimForm(initial=initial), "citations": CitationFormSet(prefix="cit")})
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
            except (ValidationError, PermissionDenied) as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Claim saved as a draft.")
                return redirect("tracker:claim-detail", pk=claim.pk)
    return _claim_page(request, {"form": form, "citations": formset, "duplicates": duplicates}, status=400)


def _claim_conflict_rows(error: ConflictError, form: ClaimForm) -> list[tuple[str, Any, Any]]:
    current: Claim = error.instance
    mine = form.cleaned_data
    stated_on, precision = mine.get("stated_on") or (None, "day")
    from core.dates import format_partial_date

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


@team_required
def claim_edit(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim.objects.select_related("speaker"), pk=pk)
    if not claim_can_edit(request.user, claim):
        raise PermissionDenied("You cannot edit this claim in its current status.")
    existing = list(claim.citations.select_related("source"))
    if request.method != "POST":
        return _claim_page(
            request,
            {
                "claim": claim,
                "form": ClaimForm(claim=claim),
                "citations": CitationFormSet(prefix="cit"),
                "existing": ExistingCitationFormSet(
                    prefix="old",
                    initial=[
                        {
                            "id": c.pk,
                            "version": c.version,
                            "excerpt": c.excerpt,
                            "locator": c.locator,
                            "relation": c.relation,
                        }
                        for c in existing
                    ],
                ),
                "existing_sources": {c.pk: c.source for c in existing},
            },
        )
    form = ClaimForm(request.POST, claim=claim)
    formset = CitationFormSet(request.POST, prefix="cit")
    old = ExistingCitationFormSet(request.POST, prefix="old")
    context = {
        "claim": claim,
        "form": form,
        "citations": formset,
        "existing": old,
        "existing_sources": {c.pk: c.source for c in existing},
    }
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
                request, error=error, rows=rows, back_url=reverse("tracker:claim-edit", args=[claim.pk])
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Claim saved.")
            return redirect("tracker:claim-detail", pk=claim.pk)
    return _claim_page(request, context, status=400)


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
    except PermissionDenied:
        raise
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Claim {TRANSITION_DONE[action]}.")
    return redirect("tracker:claim-detail", pk=pk)


# --- CSV import --------------------------------------------------------------------------------

SESSION_KEY = "claim_import"


def _import_reason(name: str) -> str:
    return f"CSV import: {name}"[:500]


@team_required
def import_claims(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("tracker.add_claim") or not request.user.has_perm("sources.add_citation"):
        raise PermissionDenied("Only editors can import claims.")
    if request.method == "POST" and "apply" in request.POST:
        stored = request.session.get(SESSION_KEY)
        if not stored or stored["digest"] != request.POST.get("digest"):
            messages.error(request, "The preview expired; upload the file again.")
            return redirect("tracker:import")
        result = imports.parse(stored["text"])
        result = imports.apply(result, user=request.user, reason=_import_reason(stored["name"]))
        if result.ok:
            del request.session[SESSION_KEY]
            messages.success(request, f"Imported {result.claims} draft claim(s) from {stored['name']}.")
            return redirect(reverse("tracker:claim-list") + "?status=draft")
        return render(
            request,
            "tracker/import.html",
            {"form": ImportUploadForm(), "result": result, "name": stored["name"], "applied": False},
            status=400,
        )
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", "The file is not UTF-8 text.")
        else:
            name = (upload.name or "upload.csv")[:200]
            result = imports.dry_run(imports.parse(text), user=request.user, reason=_import_reason(name))
            digest = hashlib.sha256(raw).hexdigest()
            if result.ok:
                request.session[SESSION_KEY] = {"name": name, "text": text, "digest": digest}
            return render(
                request,
                "tracker/import.html",
                {"form": ImportUploadForm(), "result": result, "name": name, "digest": digest},
                status=200 if result.ok else 400,
            )
    return render(
        request,
        "tracker/import.html",
        {"form": form, "columns": imports.COLUMNS},
        status=400 if request.method == "POST" else 200,
    )


@team_required
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="claims-template.csv"'
    return response
