"""Sources and the citations that tie a claim to the exact words of a source."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from core.choices import DatePrecision
from core.dates import format_partial_date, truncate_to_precision
from core.history import tracked_history
from core.models import TrackedModel
from sources.choices import (
    FLAGGED_QUOTE_STATUSES,
    CheckOutcome,
    CitationRelation,
    ExcerptText,
    QuoteStatus,
    SourceHealth,
    SourceKind,
)
from sources.content import unified_diff
from sources.normalise import normalise_url
from tracker.validators import not_in_future

# Source fields a check writes; they change on every check and stay out of history.
CHECK_BOOKKEEPING_FIELDS = (
    "health",
    "next_check_at",
    "last_checked_at",
    "check_interval",
    "consecutive_failures",
    "first_failure_at",
    "content_fingerprint",
    "check_requested_at",
    "extraction_memo",
)
# The same for a citation: the result of the latest verification of its excerpt.
QUOTE_BOOKKEEPING_FIELDS = ("quote_status", "quote_check")


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
        "pasted text",
        blank=True,
        help_text=(
            "The full text, pasted: for documents that are not web pages (print, transcripts), or a copy of a page "
            "behind a paywall. A source with a URL stays monitored; its excerpts are checked against the pasted text "
            "whenever the live page cannot be read."
        ),
    )

    # Check bookkeeping, written by sources.checking on every check. Left out of history on purpose
    # (docs/design.md, "Source checks"): SourceCheck rows are the record of every check.
    health = models.CharField(
        max_length=20,
        choices=SourceHealth.choices,
        default=SourceHealth.UNCHECKED,
        db_index=True,
        editable=False,
    )
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)
    last_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    check_interval = models.DurationField(
        null=True,
        blank=True,
        editable=False,
        help_text="Gap between the last two scheduled checks; grows while the page is stable.",
    )
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    first_failure_at = models.DateTimeField(null=True, blank=True, editable=False)
    content_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    extraction_memo = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text=(
            "Where on the page the latest snapshot's text was read from, with a digest of that markup: a check "
            "that finds the same markup there reuses the text instead of extracting it again (sources.checking)."
        ),
    )
    check_requested_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=(
            "When a check was last asked for (Check now, a new URL or text, a new or edited citation) and not "
            "yet done. Set with next_check_at in the asking transaction: the dispatcher reads the database, "
            "so a lost broker message only delays the check."
        ),
    )

    history = tracked_history(excluded_fields=CHECK_BOOKKEEPING_FIELDS)

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
    quote_status = models.CharField(
        "excerpt check",
        max_length=20,
        choices=QuoteStatus.choices,
        default=QuoteStatus.UNVERIFIED,
        db_index=True,
        editable=False,
    )
    quote_check = models.ForeignKey(
        "sources.CitationCheck",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="The latest verification of the excerpt.",
    )

    history = tracked_history(excluded_fields=QUOTE_BOOKKEEPING_FIELDS)

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


class SourceSnapshot(models.Model):
    """The main text of a source as one check saw it; a new row only when the text changed materially."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="snapshots")
    text = models.TextField()
    fingerprint = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.source} @ {self.created_at:%Y-%m-%d %H:%M}"

    def diff_against(self, older: SourceSnapshot | None) -> str:
        """A unified diff, one sentence per line, from `older` (the previous snapshot) to this one."""
        return unified_diff(older.text if older else "", self.text)


class SourceCheck(models.Model):
    """One check of one source: what the fetch returned and what we concluded. Never changed afterwards."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="checks")
    task_id = models.CharField(
        max_length=255,
        null=True,
        blank=True,
        unique=True,
        help_text="The Celery task that ran the check; a redelivered task finds its row and stops.",
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(db_index=True)
    url = models.URLField("URL", max_length=2000, blank=True)
    outcome = models.CharField(max_length=20, choices=CheckOutcome.choices, db_index=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    redirect_chain = models.JSONField(default=list, blank=True)
    final_url = models.URLField(max_length=2000, blank=True)
    elapsed_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    text_changed = models.BooleanField(
        default=False,
        help_text="The text changed materially since the previous snapshot (a new snapshot was stored).",
    )
    snapshot = models.ForeignKey(
        SourceSnapshot,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checks",
        help_text="The snapshot matching the text this check saw.",
    )
    metadata_found = models.JSONField(default=dict, blank=True)
    archive_url = models.URLField(
        max_length=2000,
        blank=True,
        help_text="The closest Wayback Machine capture, looked up when the check failed (if enabled).",
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    metadata_filled = models.JSONField(default=list, blank=True, help_text="Empty source fields this check filled.")
    excerpts_checked_against = models.CharField(
        max_length=20,
        choices=ExcerptText.choices,
        blank=True,
        help_text="The text the excerpts were verified against (blank: none were verified by this check).",
    )
    health = models.CharField(max_length=20, choices=SourceHealth.choices, help_text="The source's health after it.")
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-finished_at", "-id"]
        get_latest_by = ["finished_at", "id"]
        indexes = [models.Index(fields=["source", "-finished_at"], name="sourcecheck_source_latest")]

    def __str__(self) -> str:
        return f"{self.source}: {self.get_outcome_display()} at {self.finished_at:%Y-%m-%d %H:%M}"


class CitationCheck(models.Model):
    """Whether one citation's excerpt was found in the text one check saw."""

    source_check = models.ForeignKey(SourceCheck, on_delete=models.CASCADE, related_name="citation_checks")
    citation = models.ForeignKey(Citation, on_delete=models.CASCADE, related_name="quote_checks")
    excerpt = models.TextField(help_text="The excerpt as it was when verified.")
    status = models.CharField(max_length=20, choices=QuoteStatus.choices, db_index=True)
    score = models.FloatField(help_text="Similarity of the closest passage, 0-100.")
    matched_passage = models.TextField(blank=True)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-source_check__finished_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source_check", "citation"], name="citationcheck_once_per_check"),
        ]

    def __str__(self) -> str:
        return f"{self.citation_id}: {self.get_status_display()} ({self.score:.0f})"

    @property
    def flagged(self) -> bool:
        return self.status in FLAGGED_QUOTE_STATUSES


class SourceCheckDelivery(models.Model):
    """How many times workers started one check task: the guard against redelivery loops.

    A check that kills its worker (out of memory on a hostile page) is redelivered because of
    acks_late; after SOURCE_CHECK_MAX_DELIVERIES starts the task gives up instead of looping.
    """

    delivery_key = models.CharField(max_length=300, unique=True, help_text="Task id and retry number.")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    deliveries = models.PositiveIntegerField(default=0)
    first_started_at = models.DateTimeField(auto_now_add=True)
    last_started_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "source check deliveries"

    def __str__(self) -> str:
        return f"{self.delivery_key}: {self.deliveries}"


class FlaggedCitation(Citation):
    """Citations whose excerpt the latest check found altered or missing: the editors' worklist."""

    class Meta:
        proxy = True
        verbose_name = "flagged citation"
