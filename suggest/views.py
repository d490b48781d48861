"""Suggested claims on the team pages: a source's suggestions to tick, edit and accept, and the way in
from an article's URL (read by a background job, suggest/reading.py). The engine reads; suggest.services
writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from core.jobs import job_start
from core.web import ReasonField, add_service_error, team_required
from sources.models import Source
from sources.services import source_get_or_create_by_url
from suggest.forms import AcceptForm, SuggestionFormSet, initial_rows
from suggest.reading import READ_JOB, has_text
from suggest.selectors import suggestions_for_source, typed_names
from suggest.services import suggestions_accept
from tracker.models import Actor, Topic
from tracker.selectors import actor_suggestions

ACTOR_OPTIONS = 300


def _require_entry(user: Any) -> None:
    if not user.has_perm("tracker.add_claim"):
        raise PermissionDenied("Only editors can enter claims.")


@team_required
def source_suggestions(request: HttpRequest, pk: int) -> HttpResponse:
    _require_entry(request.user)
    source = get_object_or_404(Source, pk=pk)
    topics = Topic.objects.in_bulk()
    form_kwargs = {"topic_choices": sorted(((key, t.title) for key, t in topics.items()), key=lambda c: c[1])}
    if request.method == "POST":
        formset = SuggestionFormSet(request.POST, prefix="s", form_kwargs=form_kwargs)
        form = AcceptForm(request.POST)
        if formset.is_valid() and form.is_valid():
            accepted = [row.accepted(topics) for row in formset.forms if row.cleaned_data.get("accept")]
            try:
                claims = suggestions_accept(
                    user=request.user, reason=form.cleaned_data["reason"], source=source, accepted=accepted
                )
            except (ValidationError, PermissionDenied) as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"{len(claims)} draft claim{'s' if len(claims) != 1 else ''} created.")
                return redirect("sources:source-detail", pk=source.pk)
        return _page(request, source, suggestions_for_source(source), formset, form, topics, status=400)
    result = suggestions_for_source(source)
    speakers = Actor.objects.in_bulk([s.speaker.actor_key for s in result.suggestions if s.speaker.actor_key])
    initial = initial_rows(result.suggestions, typed_names(speakers.values()))
    formset = SuggestionFormSet(initial=initial, prefix="s", form_kwargs=form_kwargs)
    return _page(request, source, result, formset, AcceptForm(), topics)


def _page(
    request: HttpRequest,
    source: Source,
    result: Any,
    formset: Any,
    form: AcceptForm,
    topics: dict[int, Topic],
    status: int = 200,
) -> HttpResponse:
    # The engine's notes (confidence, topics' names, duplicates) beside each row; rows and suggestions
    # line up because the text is the same as when the page was drawn.
    notes = result.suggestions if len(result.suggestions) == len(formset.forms) else [None] * len(formset.forms)
    topic_names = {pk: topic.title for pk, topic in topics.items()}
    return render(
        request,
        "suggest/source_suggestions.html",
        {
            "source": source,
            "has_text": has_text(source),
            "rows": [
                (row, note, [topic_names.get(t.topic_key) for t in note.topics] if note else [])
                for row, note in zip(formset.forms, notes, strict=True)
            ],
            "formset": formset,
            "form": form,
            "new_actors": result.new_actors,
            "actors": actor_suggestions("", limit=ACTOR_OPTIONS),
        },
        status=status,
    )


class ArticleURLForm(forms.Form):
    url = forms.URLField(label="Article URL", max_length=2000, assume_scheme="https")
    reason = ReasonField(help_text="Why you are adding this source. Stored in its history with your name.")


@team_required
def suggest_from_url(request: HttpRequest) -> HttpResponse:
    """Paste an article's URL: the source is found or added, and its suggestions shown at once when its text
    is known; otherwise a background job reads the page and its page forwards to the suggestions.

    The request never fetches: a slow site, robots.txt and the host's politeness can take 20 s, which
    would hold a web worker. `?url=` fills the address in (the job's page links back with it)."""
    _require_entry(request.user)
    form = ArticleURLForm(request.POST or None, initial={"url": request.GET.get("url", "")})
    if request.method == "POST" and form.is_valid():
        try:
            source = source_get_or_create_by_url(
                user=request.user, reason=form.cleaned_data["reason"], url=form.cleaned_data["url"]
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            if has_text(source):
                return redirect("suggest:source-suggestions", pk=source.pk)
            job = job_start(
                kind=READ_JOB,
                user=request.user,
                title=f"Reading {source.url}",
                payload={"source_id": source.pk, "url": source.url},
            )
            return redirect("jobs:job-detail", job.pk)
    return render(request, "suggest/from_url.html", {"form": form}, status=400 if form.errors else 200)


def source_panel(request: HttpRequest, source: Source) -> dict[str, Any] | None:
    """The source page's way to the suggestions."""
    if not request.user.has_perm("tracker.add_claim"):
        return None
    return {"source": source}


def claim_new_panel(request: HttpRequest, obj: None) -> dict[str, Any] | None:
    """The new-claim page's way in from an article's URL."""
    return {} if request.user.has_perm("tracker.add_claim") else None
