"""The position form: stance, date, conditions and evidence chosen from the actor's claims."""

from __future__ import annotations

from typing import Any

from django import forms

from core.web import PartialDateField, ReasonField, partial_date_text
from positions.choices import Stance
from positions.models import Position
from tracker.models import Actor, Claim, Topic


class ClaimChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Claim) -> str:
        text = obj.text if len(obj.text) <= 120 else obj.text[:117] + "…"
        return f"{text} [{obj.get_status_display()}, {obj.stated_on_display}]"


class PositionForm(forms.Form):
    required_css_class = "required"  # base.html marks their labels with an asterisk
    topic = forms.ModelChoiceField(queryset=Topic.objects.order_by("title"))
    stance = forms.ChoiceField(choices=Stance.choices)
    as_of = PartialDateField(label="As of")
    as_of_inferred = forms.BooleanField(label="Date inferred, not stated by the source", required=False)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    conditions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Conditions attached to the stance, e.g. 'only with a US security backstop'.",
    )
    evidence = ClaimChoiceField(queryset=Claim.objects.none(), required=False, widget=forms.CheckboxSelectMultiple)
    reason = ReasonField()
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, actor: Actor, position: Position | None = None, **kwargs: Any) -> None:
        if position is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "topic": position.topic_id,
                "stance": position.stance,
                "as_of": partial_date_text(position.as_of, position.as_of_precision),
                "as_of_inferred": position.as_of_inferred,
                "summary": position.summary,
                "conditions": position.conditions,
                "evidence": list(position.evidence.all()),
                "version": position.version,
            }
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["evidence"].queryset = actor.claims.order_by("-stated_on", "-id")
        if position is not None:
            self.fields["version"].required = True

    def clean_as_of(self) -> Any:
        value = self.cleaned_data["as_of"]
        if value[0] is None:
            raise forms.ValidationError("A position needs the date it holds as of.")
        return value

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        as_of, precision = data["as_of"]
        return {
            "actor": self.actor,
            "topic": data["topic"],
            "stance": data["stance"],
            "as_of": as_of,
            "as_of_precision": precision,
            "as_of_inferred": data["as_of_inferred"],
            "summary": data["summary"],
            "conditions": data["conditions"],
        }
