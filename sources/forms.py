"""Citation rows of the claim form (an existing source or a pasted URL, and the exact excerpt), and the
upload form of the CSV import of claims with their sources."""

from __future__ import annotations

from typing import Any

from django import forms

from core.web import PartialDateField, ReasonField, partial_date_text
from sources.choices import CitationRelation, SourceKind
from sources.models import Source
from sources.normalise import normalise_url
from tracker.forms import ActorField, typed_name

# An import runs as a background job (core/jobs.py), so a file may be as long as a newsroom's backlog.
IMPORT_MAX_BYTES = 8 * 1024 * 1024
IMPORT_MAX_ROWS = 10_000


class SourceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Source) -> str:
        label = obj.title or obj.url
        return label if len(label) <= 90 else label[:87] + "…"


class CitationForm(forms.Form):
    """One new citation. A row left untouched is skipped; a touched row needs a source and an excerpt."""

    source = SourceChoiceField(
        queryset=Source.objects.order_by("title"),
        required=False,
        empty_label="— pick a source, or paste a URL below —",
    )
    url = forms.CharField(
        label="or a new source's URL",
        max_length=2000,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://…", "size": 60}),
    )
    title = forms.CharField(label="New source's title", max_length=500, required=False)
    excerpt = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Copy the exact words of the source that support the claim.",
    )
    locator = forms.CharField(
        max_length=200, required=False, help_text="Paragraph, page or timestamp.", label="Where in the source"
    )
    relation = forms.ChoiceField(choices=CitationRelation.choices, initial=CitationRelation.SUPPORTS)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        url = (cleaned.get("url") or "").strip()
        if url:
            try:
                cleaned["url"] = normalise_url(url)
            except ValueError as error:
                self.add_error("url", str(error))
        elif not cleaned.get("source"):
            self.add_error("source", "Pick a source or paste the URL of a new one.")
        if not (cleaned.get("excerpt") or "").strip():
            self.add_error("excerpt", "Copy the exact words of the source that support the claim.")
        return cleaned


class ExistingCitationForm(forms.Form):
    """A citation the claim already has: its excerpt, locator and relation can change, or it can go."""

    id = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    excerpt = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    locator = forms.CharField(max_length=200, required=False, label="Where in the source")
    relation = forms.ChoiceField(choices=CitationRelation.choices)
    remove = forms.BooleanField(required=False, label="Remove this citation")


CitationFormSet = forms.formset_factory(CitationForm, extra=2, max_num=20, validate_max=True)
ExistingCitationFormSet = forms.formset_factory(ExistingCitationForm, extra=0, max_num=100)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=f"UTF-8, at most {IMPORT_MAX_BYTES // 1024} KB and {IMPORT_MAX_ROWS} rows.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(f"The file is larger than {IMPORT_MAX_BYTES // 1024} KB.")
        return upload


class SourceForm(forms.Form):
    """A source's description, and its text pasted by hand for documents that are not web pages."""

    required_css_class = "required"

    url = forms.URLField(label="URL", max_length=2000, required=False, assume_scheme="https")
    title = forms.CharField(max_length=500, required=False, help_text="A source needs a URL or a title.")
    publisher = forms.CharField(max_length=200, required=False)
    author = forms.CharField(max_length=300, required=False)
    published_on = PartialDateField(label="Published on", required=False)
    kind = forms.ChoiceField(choices=SourceKind.choices, initial=SourceKind.NEWS_ARTICLE)
    language = forms.CharField(max_length=20, required=False, help_text="BCP 47 tag, e.g. en or fr-CA.")
    stored_text = forms.CharField(
        label="Paste the text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=(
            "For print, transcripts or a page behind a paywall. With a URL, the page stays monitored and excerpts are "
            "checked against this text whenever the live page cannot be read; without one, always against it."
        ),
    )
    reason = ReasonField()
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    FIELDS = ("url", "title", "publisher", "author", "published_on", "kind", "language", "stored_text")

    def __init__(self, *args: Any, source: Source | None = None, **kwargs: Any) -> None:
        if source is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(source, name) for name in self.FIELDS} | {
                "published_on": partial_date_text(source.published_on, source.published_on_precision),
                "version": source.version,
            }
        super().__init__(*args, **kwargs)
        if source is not None:
            self.fields["version"].required = True

    def service_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.FIELDS}
        data["published_on"], data["published_on_precision"] = self.cleaned_data["published_on"]
        return data


class RoleForm(forms.Form):
    """An actor's role in an organisation, with the source that states it (a URL, found or added)."""

    required_css_class = "required"

    title = forms.CharField(max_length=200, help_text="e.g. Prime Minister, Foreign Minister, Secretary-General.")
    organisation = ActorField(label="Organisation", help_text="A government, party or body (itself an actor).")
    start_on = forms.DateField(label="From", required=False, help_text="YYYY-MM-DD")
    end_on = forms.DateField(label="To", required=False, help_text="YYYY-MM-DD; empty while the role lasts.")
    source_url = forms.URLField(
        label="Source URL",
        max_length=2000,
        required=False,
        assume_scheme="https",
        help_text="Where the role is stated.",
    )
    excerpt = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="The words of the source that state it."
    )
    reason = ReasonField()
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    FIELDS = ("title", "organisation", "start_on", "end_on", "excerpt")

    def __init__(self, *args: Any, role: Any = None, **kwargs: Any) -> None:
        if role is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": role.title,
                "organisation": typed_name(role.organisation),
                "start_on": role.start_on,
                "end_on": role.end_on,
                "source_url": role.source.url if role.source else "",
                "excerpt": role.excerpt,
                "version": role.version,
            }
        super().__init__(*args, **kwargs)
        if role is not None:
            self.fields["version"].required = True
