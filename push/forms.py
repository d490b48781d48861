from django import forms

from push.choices import EmailMode, FollowKind


class FollowForm(forms.Form):
    kind = forms.ChoiceField(choices=FollowKind.choices)
    object_id = forms.IntegerField(min_value=1)


class PreferenceForm(forms.Form):
    email_mode = forms.ChoiceField(
        choices=EmailMode.choices,
        widget=forms.RadioSelect,
        label="Email me",
        help_text="Notifications always appear under Notifications; this is only about email.",
    )
