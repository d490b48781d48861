"""Position pages: entry showing the previous stance, detail, edit and the review workflow."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.dates import format_partial_date
from core.exceptions import ConflictError
from core.web import add_service_error, render_conflict, team_required
from positions.forms import PositionForm
from positions.models import Position
from positions.selectors import TEAM_STATUSES, stance_as_of
from positions.services import (
    position_create,
    position_publish,
    position_retract,
    position_return,
    position_submit,
    position_update,
)
from tracker.choices import EditorialStatus
from tracker.forms import ActorField, TransitionForm
from tracker.models import Actor, Topic
from tracker.selectors import actor_suggestions
from tracker.views import TRANSITION_DONE, _transitions_for

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
            return redirect("positions:detail", pk=position.pk)
    return _page(request, {"form": form, "actor": actor}, status=200 if form.is_valid() else 400)


def position_can_edit(user: Any, position: Position) -> bool:
    if not user.has_perm("positions.change_position") or position.status == EditorialStatus.RETRACTED:
        return False
    return position.status != EditorialStatus.PUBLISHED or user.has_perm("positions.publish_position")


@team_required
def position_detail(request: HttpRequest, pk: int) -> HttpResponse:
    position = get_object_or_404(Position.objects.select_related("actor", "topic"), pk=pk)
    return render(
        request,
        "positions/position_detail.html",
        {
            "position": position,
            "evidence": position.evidence.select_related("speaker").prefetch_related("citations__source"),
            "previous": Position.objects.filter(
                actor=position.actor_id, topic=position.topic_id, status__in=TEAM_STATUSES, as_of__lt=position.as_of
            )
            .order_by("-as_of", "-id")
            .first(),
            "history": position.history.select_related("history_user").order_by("-history_date")[:20],
            "buttons": _transitions_for(
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
            return render_conflict(request, error=error, rows=rows, back_url=reverse("positions:edit", args=[pk]))
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Position saved.")
            return redirect("positions:detail", pk=pk)
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
        return redirect("positions:detail", pk=pk)
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
            back_url=reverse("positions:detail", args=[pk]),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Position {TRANSITION_DONE[action]}.")
    return redirect("positions:detail", pk=pk)
