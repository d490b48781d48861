"""Position pages (entry showing the previous stance, detail, edit, the review workflow), the actor and
topic pages with their positions (timelines, stance matrices), and what positions add to the tracker's
pages: panels on the dashboard and the claim page, a column on the actors list (registered in apps.py).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.dates import format_partial_date
from core.exceptions import ConflictError
from core.history import created_by
from core.web import add_service_error, panels_for, parse_partial_date, render_conflict, team_required
from positions.charts import MatrixCell, TimelineMark, TimelinePoint, TimelineRow, legend_html, matrix_svg, timeline_svg
from positions.choices import Stance
from positions.forms import PositionForm
from positions.models import Position
from positions.selectors import TEAM_STATUSES, position_changes, stance_as_of, stance_matrix_as_of, stances_as_of
from positions.services import (
    position_create,
    position_publish,
    position_retract,
    position_return,
    position_submit,
    position_update,
)
from tracker.choices import EditorialStatus
from tracker.forms import TRANSITION_DONE, ActorField, TransitionForm, may_edit, workflow_buttons
from tracker.models import Actor, Claim, Topic
from tracker.selectors import actor_suggestions

POSITION_TRANSITIONS = {
    "submit": position_submit,
    "publish": position_publish,
    "return": position_return,
    "retract": position_retract,
}


def _previous(form: PositionForm, actor: Actor, position: Position | None) -> Position | None:
    """The stance the actor held before this one, so a change is visible before saving."""
    topic, on = None, timezone.localdate()
    if form.is_bound and form.is_valid():
        topic, (as_of, _) = form.cleaned_data["topic"], form.cleaned_data["as_of"]
        on = as_of
    else:
        topic_id = form["topic"].value()
        topic = Topic.objects.filter(pk=topic_id).first() if topic_id else None
        if position is not None:
            on = position.as_of
    if topic is None:
        return None
    previous = stance_as_of(actor=actor, topic=topic, on=on, statuses=TEAM_STATUSES)
    if previous is not None and position is not None and previous.pk == position.pk:
        # The position itself: look just before it.
        earlier = (
            Position.objects.filter(actor=actor, topic=topic, status__in=TEAM_STATUSES, as_of__lt=position.as_of)
            .select_related("actor", "topic")
            .order_by("-as_of", "-id")
            .first()
        )
        return earlier
    return previous


def _page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    form, actor = context["form"], context["actor"]
    context["previous"] = _previous(form, actor, context.get("position"))
    if form.is_bound and form.is_valid() and context["previous"] is not None:
        context["changed"] = context["previous"].stance != form.cleaned_data["stance"]
    return render(request, "positions/position_form.html", context, status=status)


@team_required
def position_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("positions.add_position"):
        raise PermissionDenied("Only editors can enter positions.")
    actor_field = ActorField(label="Actor")
    actor, actor_error = None, ""
    typed = request.GET.get("actor", "") or request.POST.get("actor", "")
    if typed:
        try:
            actor = actor_field.clean(typed)
        except ValidationError as error:
            actor_error = " ".join(error.messages)
    if actor is None:
        return render(
            request,
            "positions/position_pick_actor.html",
            {
                "typed": typed,
                "error": actor_error,
                "actors": actor_suggestions("", limit=300),
                "topics": Topic.objects.order_by("title"),
                "topic": request.GET.get("topic", ""),
            },
            status=400 if actor_error else 200,
        )
    if request.method != "POST":
        initial: dict[str, Any] = {}
        topic = Topic.objects.filter(slug=request.GET.get("topic", "")).first()
        if topic:
            initial["topic"] = topic.pk
        return _page(request, {"form": PositionForm(actor=actor, initial=initial), "actor": actor})
    form = PositionForm(request.POST, actor=actor)
    if form.is_valid() and "preview" not in request.POST:
        try:
            position = position_create(
                user=request.user,
                reason=form.cleaned_data["reason"],
                data=form.service_data(),
                evidence=form.cleaned_data["evidence"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Position saved as a draft.")
            return redirect("positions:position-detail", pk=position.pk)
    return _page(request, {"form": form, "actor": actor}, status=200 if form.is_valid() else 400)


def position_can_edit(user: Any, position: Position) -> bool:
    return may_edit(
        user, position.status, publish_perm="positions.publish_position", change_perm="positions.change_position"
    )


@team_required
def position_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The position and its evidence; panels registered for this page get the evidence claims (the
    excerpts behind them come from sources)."""
    position = get_object_or_404(Position.objects.select_related("actor", "topic"), pk=pk)
    evidence = list(position.evidence.select_related("speaker"))
    return render(
        request,
        "positions/position_detail.html",
        {
            "position": position,
            "evidence": evidence,
            "panels": panels_for("positions:position-detail", request, evidence),
            "previous": Position.objects.filter(
                actor=position.actor_id, topic=position.topic_id, status__in=TEAM_STATUSES, as_of__lt=position.as_of
            )
            .order_by("-as_of", "-id")
            .first(),
            "history": position.history.select_related("history_user").order_by("-history_date")[:20],
            "history_url": reverse("history:object", args=["position", position.pk]),
            "buttons": workflow_buttons(
                request.user,
                position.status,
                publish_perm="positions.publish_position",
                change_perm="positions.change_position",
            ),
            "can_edit": position_can_edit(request.user, position),
        },
    )


@team_required
def position_edit(request: HttpRequest, pk: int) -> HttpResponse:
    position = get_object_or_404(Position.objects.select_related("actor", "topic"), pk=pk)
    if not position_can_edit(request.user, position):
        raise PermissionDenied("You cannot edit this position in its current status.")
    actor = position.actor
    if request.method != "POST":
        return _page(
            request, {"form": PositionForm(actor=actor, position=position), "actor": actor, "position": position}
        )
    form = PositionForm(request.POST, actor=actor, position=position)
    if form.is_valid() and "preview" not in request.POST:
        try:
            position_update(
                position=position,
                user=request.user,
                reason=form.cleaned_data["reason"],
                data=form.service_data(),
                evidence=form.cleaned_data["evidence"],
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as error:
            current: Position = error.instance
            mine = form.cleaned_data
            as_of, precision = mine["as_of"]
            rows = [
                ("Topic", current.topic, mine["topic"]),
                ("Stance", current.get_stance_display(), dict(form.fields["stance"].choices).get(mine["stance"])),
                ("As of", current.as_of_display, format_partial_date(as_of, precision)),
                ("Summary", current.summary, mine["summary"]),
                ("Conditions", current.conditions, mine["conditions"]),
                ("Evidence", [str(c.pk) for c in current.evidence.all()], [str(c.pk) for c in mine["evidence"]]),
                ("Status", current.get_status_display(), None),
            ]
            return render_conflict(
                request, error=error, rows=rows, back_url=reverse("positions:position-edit", args=[pk])
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Position saved.")
            return redirect("positions:position-detail", pk=pk)
    return _page(request, {"form": form, "actor": actor, "position": position}, status=200 if form.is_valid() else 400)


@require_POST
@team_required
def position_transition(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("positions.change_position"):
        raise PermissionDenied("Only editors and reviewers can move positions through the workflow.")
    position = get_object_or_404(Position, pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why (a comment is required), then press the button again.")
        return redirect("positions:position-detail", pk=pk)
    action = form.cleaned_data["action"]
    try:
        POSITION_TRANSITIONS[action](
            position=position,
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
                ("Stance", current.get_stance_display(), position.get_stance_display()),
            ],
            back_url=reverse("positions:position-detail", args=[pk]),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Position {TRANSITION_DONE[action]}.")
    return redirect("positions:position-detail", pk=pk)


# --- Actor and topic pages ---------------------------------------------------------------------


def _date_param(request: HttpRequest, name: str, default: datetime.date | None) -> datetime.date | None:
    try:
        value, _ = parse_partial_date(request.GET.get(name, ""))
    except ValidationError:
        return default
    return value or default


def _claim_mark(claim: Claim) -> TimelineMark:
    return TimelineMark(
        on=claim.stated_on,
        label=f"Claim ({claim.stated_on_display}): {claim.text[:200]}",
        href=reverse("tracker:claim-detail", args=[claim.pk]),
    )


def _claim_marks(claims: list[Claim]) -> dict[Any, list[TimelineMark]]:
    """Dated claims as marks, keyed by each of their topics (None for a claim without one)."""
    marks: dict[Any, list[TimelineMark]] = defaultdict(list)
    for claim in claims:
        if claim.stated_on is None:
            continue
        for key in [topic.pk for topic in claim.topics.all()] or [None]:
            marks[key].append(_claim_mark(claim))
    return marks


def _point(position: Position) -> TimelinePoint:
    evidence = list(position.evidence.all())
    href = (
        reverse("tracker:claim-detail", args=[evidence[0].pk])
        if len(evidence) == 1
        else reverse("positions:position-detail", args=[position.pk])
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
    rows: dict[Any, TimelineRow] = {}
    for position in positions:
        if position.status != EditorialStatus.PUBLISHED:
            continue
        row = rows.setdefault(
            position.topic_id,
            TimelineRow(title=position.topic.title, href=reverse("positions:topic-detail", args=[position.topic.slug])),
        )
        row.points.append(_point(position))
    topics = {topic.pk: topic for claim in published_claims for topic in claim.topics.all()}
    for key, topic_marks in _claim_marks(published_claims).items():
        if key not in rows:
            topic = topics.get(key)
            rows[key] = TimelineRow(
                title=topic.title if topic else "Claims on no topic yet",
                href=reverse("positions:topic-detail", args=[topic.slug]) if topic else "",
            )
        rows[key].marks.extend(topic_marks)
    # Topics in alphabetical order; the claims not yet filed under a topic last.
    ordered = sorted((row for key, row in rows.items() if key is not None), key=lambda r: r.title)
    ordered += [rows[None]] if None in rows else []
    chart = timeline_svg(ordered, title=f"{actor.name}: published stances and claims over time")
    return render(
        request,
        "positions/actor_detail.html",
        {
            "actor": actor,
            "roles": actor.roles.select_related("organisation", "source"),
            "members": actor.members.select_related("actor"),
            "claims": claims,
            "positions": positions,
            "chart": chart,
            "legend": legend_html(),
            "panels": panels_for("positions:actor-detail", request, actor),
        },
    )


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
            href=reverse("positions:position-detail", args=[p.pk]),
        )
        for p in stances
    }
    chart = matrix_svg(
        rows=[(a.name, reverse("positions:actor-detail", args=[a.slug])) for a in actors],
        columns=[(t.title, reverse("positions:topic-detail", args=[t.slug])) for t in matrix_topics],
        cells=cells,
        title=f"Published stances of every actor on every topic as of {on:%-d %B %Y}",
    )
    return render(
        request, "positions/topic_list.html", {"topics": topics, "on": on, "chart": chart, "legend": legend_html()}
    )


@team_required
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    on = _date_param(request, "on", timezone.localdate())
    since = _date_param(request, "since", None)
    until = _date_param(request, "until", None)
    stances = list(stances_as_of(topic=topic, on=on))
    matrix = matrix_svg(
        rows=[(p.actor.name, reverse("positions:actor-detail", args=[p.actor.slug])) for p in stances],
        columns=[(f"As of {on:%-d %b %Y}", "")],
        cells={
            (i, 0): MatrixCell(
                stance=p.stance,
                label=f"{p.actor.name}: {p.get_stance_display()} ({p.as_of_display})",
                href=reverse("positions:position-detail", args=[p.pk]),
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
            TimelineRow(title=position.actor.name, href=reverse("positions:actor-detail", args=[position.actor.slug])),
        )
        row.points.append(_point(position))
    claims = topic.claims.filter(status=EditorialStatus.PUBLISHED).select_related("speaker").order_by("-stated_on")
    for claim in claims:
        if claim.stated_on is None:
            continue
        rows.setdefault(
            claim.speaker_id,
            TimelineRow(title=claim.speaker.name, href=reverse("positions:actor-detail", args=[claim.speaker.slug])),
        ).marks.append(_claim_mark(claim))
    timeline = timeline_svg(sorted(rows.values(), key=lambda r: r.title), title=f"Stances on {topic.title} over time")
    changes = list(position_changes(topic=topic, since=since, until=until, include_first=True))
    for change in changes:
        change.previous_stance_label = Stance(change.previous_stance).label if change.previous_stance else ""
    return render(
        request,
        "positions/topic_detail.html",
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
            "panels": panels_for("positions:topic-detail", request, topic),
        },
    )


# --- What positions add to the tracker's pages (registered in apps.py) --------------------------


def dashboard_panel(request: HttpRequest, obj: None) -> dict[str, Any]:
    """The dashboard: my draft positions and the positions waiting for review."""
    positions = Position.objects.select_related("actor", "topic")
    return {
        "my_positions": positions.filter(status=EditorialStatus.DRAFT, pk__in=created_by(Position, request.user))[:25],
        "queue_positions": positions.filter(status=EditorialStatus.IN_REVIEW).order_by("updated_at")[:50],
    }


def claim_positions_panel(request: HttpRequest, claim: Claim) -> dict[str, Any] | None:
    """The claim page: the positions this claim is evidence for (no panel when there are none)."""
    positions = list(Position.objects.filter(evidence=claim).select_related("actor", "topic").order_by("id"))
    return {"positions": positions} if positions else None


def with_position_count(actors: QuerySet[Actor]) -> QuerySet[Actor]:
    """The actors list's Positions column."""
    return actors.annotate(position_count=Count("positions", distinct=True))
