"""Forms of the web pages, and the review workflow's buttons that claims and positions share.

Forms parse and check input; the views hand the values to the services.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils.html import format_html

from core.history import REASON_MAX_LENGTH
from core.web import PartialDateField, ReasonField, partial_date_text
from tracker.choices import ActorKind, AttributionStatus, ClaimKind, EditorialStatus, Veracity
from tracker.models import Actor, Claim, Topic
from tracker.selectors import actor_lookup

# What the workflow buttons say once their service has run ("Claim published.").
TRANSITION_DONE = {
    "submit": "submitted for review",
    "publish": "published",
    "return": "returned to draft",
    "retract": "retracted",
}


class ActorField(forms.CharField):
    """An actor typed by name (suggested by a <datalist>), slug or alias."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "Start typing a name; pick one of the suggestions.")
        super().__init__(
            max_length=200,
            widget=forms.TextInput(
                attrs={"list": "actor-options", "autocomplete": "off", "data-autocomplete": "actors"}
            ),
            **kwargs,
        )

    def clean(self, value: Any) -> Actor | None:  # type: ignore[override]
        value = super().clean(value)
        if not value:
            return None
        matches = actor_lookup(value)
        if not matches:
            # A link that opens the new-actor page in another tab, the name filled in: this form keeps its input.
            new = f"{reverse('tracker:actor-new')}?{urlencode({'name': value})}"
            raise forms.ValidationError(
                format_html(
                    'No actor is called “{}”. <a href="{}" target="_blank" rel="noopener">Create the actor</a>, '
                    "then save again.",
                    value,
                    new,
                )
            )
        if len(matches) > 1:
            slugs = ", ".join(actor.slug for actor in matches)
            raise forms.ValidationError(f"Several actors are called “{value}”; type one of the slugs: {slugs}.")
        return matches[0]


def typed_name(actor: Actor) -> str:
    """How a form shows an actor it will read back with ActorField: the name, or the slug if the name
    is shared (or is another actor's slug)."""
    return actor.name if actor_lookup(actor.name) == [actor] else actor.slug


class AliasesField(forms.CharField):
    """Other names of an actor, one per line (stored as a list of names)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "One name per line, e.g. POTUS, or the name in another language.")
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, (list, tuple)) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, (list, tuple)):
            lines = value
        else:
            lines = (super().to_python(value) or "").splitlines()
        names: list[str] = []
        for line in lines:
            name = line.strip()
            if len(name) > 200:
                raise forms.ValidationError(f"“{name[:40]}…” is longer than 200 characters; one name per line.")
            if name and name not in names:
                names.append(name)
        if len(names) > MAX_ALIASES:
            raise forms.ValidationError(f"At most {MAX_ALIASES} names.")
        return names


MAX_ALIASES = 50


class ActorForm(forms.Form):
    """An actor's own fields; roles are entered on the actor's page."""

    required_css_class = "required"

    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=ActorKind.choices)
    aliases = AliasesField(label="Other names")
    country_code = forms.CharField(
        label="Country", max_length=2, required=False, help_text="ISO 3166-1 alpha-2 code, e.g. GB."
    )
    wikidata_id = forms.CharField(label="Wikidata id", max_length=20, required=False, help_text="e.g. Q6279.")
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    reason = ReasonField()
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    FIELDS = ("name", "kind", "aliases", "country_code", "wikidata_id", "summary")

    def __init__(self, *args: Any, actor: Actor | None = None, **kwargs: Any) -> None:
        if actor is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(actor, name) for name in self.FIELDS} | {"version": actor.version}
        super().__init__(*args, **kwargs)
        if actor is not None:
            self.fields["version"].required = True

    def service_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.FIELDS}
        data["country_code"] = data["country_code"].upper()
        return data


class TopicForm(forms.Form):
    required_css_class = "required"
    title = forms.CharField(max_length=200)
    question = forms.CharField(
        max_length=500, help_text="The question a stance answers, e.g. “Should European troops be deployed to Ukraine?”"
    )
    parent = forms.ModelChoiceField(
        queryset=Topic.objects.order_by("title"), required=False, help_text="A broader topic this one belongs to."
    )
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    reason = ReasonField()
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    FIELDS = ("title", "question", "parent", "summary")

    def __init__(self, *args: Any, topic: Topic | None = None, **kwargs: Any) -> None:
        if topic is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(topic, name) for name in self.FIELDS} | {"version": topic.version}
        super().__init__(*args, **kwargs)
        if topic is not None:
            self.fields["version"].required = True
            self.fields["parent"].queryset = Topic.objects.exclude(pk=topic.pk).order_by("title")

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class ClaimForm(forms.Form):
    required_css_class = "required"  # base.html marks their labels with an asterisk
    speaker = ActorField(label="Speaker")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="What the speaker said.")
    kind = forms.ChoiceField(choices=ClaimKind.choices, initial=ClaimKind.REPORTED)
    stated_on = PartialDateField(label="Stated on", required=False)
    stated_on_inferred = forms.BooleanField(
        label="Date inferred (e.g. from the publication date), not stated", required=False
    )
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.order_by("title"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "topic-choice"}),
    )
    context = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    attribution_status = forms.ChoiceField(choices=AttributionStatus.choices, initial=AttributionStatus.UNVERIFIED)
    veracity = forms.ChoiceField(choices=Veracity.choices, initial=Veracity.UNRATED)
    veracity_rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    reason = ReasonField()
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_duplicate = forms.BooleanField(label="This is not a duplicate: save it anyway", required=False)

    def __init__(self, *args: Any, claim: Claim | None = None, **kwargs: Any) -> None:
        if claim is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "speaker": typed_name(claim.speaker),
                "text": claim.text,
                "kind": claim.kind,
                "stated_on": partial_date_text(claim.stated_on, claim.stated_on_precision),
                "stated_on_inferred": claim.stated_on_inferred,
                "topics": list(claim.topics.all()),
                "context": claim.context,
                "attribution_status": claim.attribution_status,
                "veracity": claim.veracity,
                "veracity_rationale": claim.veracity_rationale,
                "version": claim.version,
            }
        super().__init__(*args, **kwargs)
        if claim is not None:
            self.fields["version"].required = True

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        stated_on, precision = data["stated_on"]
        return {
            "speaker": data["speaker"],
            "text": data["text"],
            "kind": data["kind"],
            "stated_on": stated_on,
            "stated_on_precision": precision,
            "stated_on_inferred": data["stated_on_inferred"],
            "context": data["context"],
            "attribution_status": data["attribution_status"],
            "veracity": data["veracity"],
            "veracity_rationale": data["veracity_rationale"],
        }


class TransitionForm(forms.Form):
    """A workflow button: the action, the version the page showed, and the comment or reason."""

    action = forms.ChoiceField(choices=[(a, a) for a in ("submit", "publish", "return", "retract")])
    reason = forms.CharField(max_length=REASON_MAX_LENGTH, widget=forms.TextInput(attrs={"size": 50}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class BulkTransitionForm(forms.Form):
    """Several claims through one workflow step; `claims` are "id:version" pairs from the list page."""

    action = forms.ChoiceField(
        choices=[("submit", "Submit for review"), ("publish", "Publish"), ("return", "Return to draft")]
    )
    reason = forms.CharField(max_length=REASON_MAX_LENGTH, label="Comment or reason")
    claims = forms.CharField(required=False)  # read from getlist() in clean_claims

    MAX = 100

    def clean_claims(self) -> dict[int, int]:
        pairs = self.data.getlist("claims") if hasattr(self.data, "getlist") else []
        if not pairs:
            raise forms.ValidationError("tick at least one claim.")
        if len(pairs) > self.MAX:
            raise forms.ValidationError(f"at most {self.MAX} at a time.")
        chosen: dict[int, int] = {}
        for pair in pairs:
            pk, _, version = pair.partition(":")
            if not (pk.isdigit() and version.isdigit() and len(pk) < 19 and len(version) < 10):
                raise forms.ValidationError("the page sent a selection it cannot read; reload it.")
            chosen[int(pk)] = int(version)
        return chosen


def workflow_buttons(user: Any, status: str, *, publish_perm: str, change_perm: str) -> list[dict[str, str]]:
    """The workflow buttons this user may press on a record in `status` (the services check again)."""
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


def may_edit(user: Any, status: str, *, publish_perm: str, change_perm: str) -> bool:
    """Whether the edit form opens: never when retracted; once published, reviewers only."""
    if not user.has_perm(change_perm) or status == EditorialStatus.RETRACTED:
        return False
    return status != EditorialStatus.PUBLISHED or user.has_perm(publish_perm)


def claim_may_edit(user: Any, claim: Claim) -> bool:
    return may_edit(user, claim.status, publish_perm="tracker.publish_claim", change_perm="tracker.change_claim")
