"""The suggestions page: one row per suggestion to tick and edit, and the edit summary of the whole."""

from __future__ import annotations

from typing import Any

from django import forms

from core.web import PartialDateField, ReasonField, partial_date_text
from suggest.engine import Suggestion
from suggest.services import AcceptedSuggestion
from tracker.choices import ActorKind, ClaimKind
from tracker.models import Topic
from tracker.selectors import actor_lookup

NEW_KIND_BLANK = [("", "— (must be a tracked actor)")]


class SuggestionForm(forms.Form):
    """One suggestion. Nothing is required unless it is ticked."""

    accept = forms.BooleanField(required=False, label="Accept")
    speaker = forms.CharField(
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "actor-options", "autocomplete": "off"}),
    )
    new_speaker_kind = forms.ChoiceField(
        label="Kind, if new", choices=NEW_KIND_BLANK + list(ActorKind.choices), required=False
    )
    text = forms.CharField(label="Claim", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    excerpt = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    kind = forms.ChoiceField(choices=ClaimKind.choices, required=False)
    topics = forms.TypedMultipleChoiceField(coerce=int, required=False)
    stated_on = PartialDateField(label="Stated on", required=False)
    locator = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, topic_choices: list[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The topics are read once for the page, not once per row.
        self.fields["topics"].choices = topic_choices

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("accept"):
            return data
        for name in ("text", "excerpt", "speaker", "kind"):
            if not (data.get(name) or "").strip():
                self.add_error(name, "Required for an accepted suggestion.")
        name = (data.get("speaker") or "").strip()
        if name:
            matches = actor_lookup(name)
            if len(matches) > 1:
                slugs = ", ".join(actor.slug for actor in matches)
                self.add_error("speaker", f"Several actors are called “{name}”; type one of the slugs: {slugs}.")
            elif matches:
                data["actor"] = matches[0]
            elif not data.get("new_speaker_kind"):
                self.add_error(
                    "new_speaker_kind", f"No actor is called “{name}”: pick a kind to create the actor here."
                )
        return data

    def accepted(self, topics: dict[int, Topic]) -> AcceptedSuggestion:
        data = self.cleaned_data
        stated_on, precision = data.get("stated_on") or (None, "day")
        return AcceptedSuggestion(
            excerpt=data["excerpt"],
            text=data["text"],
            kind=data["kind"],
            speaker=data.get("actor"),
            new_speaker=data["speaker"].strip() if data.get("actor") is None else "",
            new_speaker_kind=data.get("new_speaker_kind") or "",
            topics=[topics[pk] for pk in data.get("topics") or [] if pk in topics],
            locator=data.get("locator") or "",
            stated_on=stated_on,
            stated_on_precision=precision,
        )


SuggestionFormSet = forms.formset_factory(SuggestionForm, extra=0, max_num=500, absolute_max=500)


class AcceptForm(forms.Form):
    reason = ReasonField()


def initial_rows(suggestions: list[Suggestion], typed: dict[int, str]) -> list[dict[str, Any]]:
    """The rows as the engine proposes them: nothing ticked. `typed`: how to write each tracked speaker."""
    rows = []
    for suggestion in suggestions:
        actor_name = typed.get(suggestion.speaker.actor_key) if suggestion.speaker.actor_key else None  # type: ignore[arg-type]
        new_name = suggestion.speaker.new_name
        rows.append(
            {
                "accept": False,
                "speaker": actor_name or new_name,
                "new_speaker_kind": "" if actor_name else _new_kind(new_name),
                "text": suggestion.text,
                "excerpt": suggestion.excerpt,
                "kind": suggestion.kind,
                "topics": [topic.topic_key for topic in suggestion.topics],
                "stated_on": partial_date_text(suggestion.stated_on, suggestion.stated_on_precision),
                "locator": f"paragraph {suggestion.paragraph}",
            }
        )
    return rows


def _new_kind(name: str) -> str:
    """A name with a capital on every word is a person's ("Avi Bell"); the rest are groups ("Israeli settlers")."""
    return ActorKind.PERSON if all(word[:1].isupper() for word in name.split()) else ActorKind.GROUP
