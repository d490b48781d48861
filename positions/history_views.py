"""The records of an actor or a topic as they stood at a moment (/history/actors/<slug>/?as_of=)."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.admin_base import error_text
from core.dates import moment_from_text
from core.selectors import find_as_of
from core.views import require
from positions.selectors import actor_as_of, topic_as_of
from tracker.models import Actor, Topic


def moment_from(request: HttpRequest) -> datetime.datetime:
    """`?as_of=`: a moment, or a date meaning the end of that day; now when absent. Bad input is a 400."""
    text = (request.GET.get("as_of") or "").strip()
    if not text:
        return timezone.now()
    try:
        return moment_from_text(text)
    except ValueError as error:
        raise ValidationError({"as_of": str(error)}) from None


def _as_of_page(request: HttpRequest, model: type[models.Model], slug: str, template: str, select) -> HttpResponse:
    require(request, f"tracker.view_{model._meta.model_name}")
    pk = find_as_of(model, slug)
    if pk is None:
        raise Http404(f"No {model._meta.verbose_name} with this slug in our records.")
    try:
        moment = moment_from(request)
    except ValidationError as error:
        return render(request, template, {"error": error_text(error), "slug": slug}, status=400)
    state = select(pk, moment)
    context = {"moment": moment, "state": state, "slug": slug, "pk": pk, "as_of": request.GET.get("as_of", "")}
    return render(request, template, context, status=200 if state else 404)


@login_required
@require_GET
def actor_as_of_page(request: HttpRequest, slug: str) -> HttpResponse:
    return _as_of_page(request, Actor, slug, "positions/history/actor_as_of.html", actor_as_of)


@login_required
@require_GET
def topic_as_of_page(request: HttpRequest, slug: str) -> HttpResponse:
    return _as_of_page(request, Topic, slug, "positions/history/topic_as_of.html", topic_as_of)
