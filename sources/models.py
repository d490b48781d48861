"""Sources and the citations that tie a claim to the exact words of a source."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from sources.choices import CitationRelation, SourceKind
from sources.normalise import normalise_url
from tracker.choices import DatePrecision
from tracker.history import tracked_history
from tracker.models import TrackedModel
from tracker.validators import format_partial_date, not_in_future, truncate_to_precision


class Source(TrackedModel):
    """A document a claim can cite: a web page, a transcript, an official statement, a stored text."""

    url = models.URLField(
        "URL",
        max_length=2000,
        blank=True,
        help_text="Normalised on save: lower-case host, no fragment, no tracking parameters.",
    )
    title = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    author = models.CharField(max_length=300, blank=True)
    published_on = models.DateField(null=True, blank=True, validators=[not_in_future])
    published_on_precision = models.CharField(
        max_length=10,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    kind = models.CharField(max_length=30, choices=SourceKind.choices, default=SourceKind.NEWS_ARTICLE)
    language = models.CharField(max_length=20, blank=True, help_text="BCP 47 tag, e.g. en or fr-CA.")
    stored_text = models.TextField(
        blank=True,
        help_text="The full text, for sources that are not web pages (print, PDFs received, transcripts).",
    )

    history = tracked_history()

    class Meta:
        ordering = ["-published_on", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["url"],
                condition=~Q(url=""),
                name="source_unique_url",
                violation_error_message="A source with this URL already exists.",
            ),
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(title=""),
                name="source_needs_url_or_title",
                violation_error_message="A source needs a URL or a title.",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url

    @property
    def published_on_display(self) -> str:
        return format_partial_date(self.published_on, self.published_on_precision)

    def clean(self) -> None:
        if self.url:
            try:
                self.url = normalise_url(self.url)
            except ValueError as error:
                raise ValidationError({"url": str(error)}) from None
        self.published_on = truncate_to_precision(self.published_on, self.published_on_precision)
        if not self.url and not self.title.strip():
            raise ValidationError({"title": "A source without a URL needs a title."})


class Citation(TrackedModel):
    """One claim backed by the exact words of one source."""

    claim = models.ForeignKey("tracker.Claim", on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    excerpt = models.TextField(help_text="The exact words in the source that support the claim.")
    locator = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where in the source: a paragraph number, a page, a timestamp.",
    )
    relation = models.CharField(
        max_length=20,
        choices=CitationRelation.choices,
        default=CitationRelation.SUPPORTS,
    )
    accessed_on = models.DateField(null=True, blank=True, validators=[not_in_future])

    history = tracked_history()

    class Meta:
        ordering = ["claim", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(excerpt__regex=r"\S"),
                name="citation_excerpt_not_blank",
                violation_error_message="A citation needs the excerpt it rests on.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} — “{self.excerpt[:60]}”"

    def clean(self) -> None:
        self.excerpt = self.excerpt.strip()
        if not self.excerpt:
            raise ValidationError({"excerpt": "Copy the exact words of the source that support the claim."})
