"""The tracker's nouns: actors, their roles, topics and sourced claims."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from core.choices import DatePrecision
from core.dates import format_partial_date, truncate_to_precision
from core.history import tracked_history
from core.models import TrackedModel
from tracker.choices import ActorKind, AttributionStatus, ClaimKind, EditorialStatus, Veracity
from tracker.validators import country_code_validator, not_in_future, wikidata_id_validator


class Actor(TrackedModel):
    """A person, state, organisation, international body or group whose words and stances we track."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=ActorKind.choices)
    summary = models.TextField(blank=True)
    aliases = models.JSONField(
        default=list,
        blank=True,
        help_text="Other names the actor is known by, e.g. 'POTUS'.",
    )
    wikidata_id = models.CharField(
        "Wikidata id",
        max_length=20,
        blank=True,
        validators=[wikidata_id_validator],
    )
    country_code = models.CharField(
        max_length=2,
        blank=True,
        validators=[country_code_validator],
        help_text="ISO 3166-1 alpha-2, e.g. GB.",
    )

    history = tracked_history()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["wikidata_id"],
                condition=~Q(wikidata_id=""),
                name="actor_unique_wikidata_id",
                violation_error_message="Another actor already has this Wikidata id.",
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="actor_name_not_empty",
                violation_error_message="An actor needs a name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("admin:tracker_actor_change", args=[self.pk])

    def clean(self) -> None:
        if not isinstance(self.aliases, list) or not all(isinstance(alias, str) for alias in self.aliases):
            raise ValidationError({"aliases": "Aliases must be a list of names."})
        self.aliases = [alias.strip() for alias in self.aliases if alias.strip()]


class Role(TrackedModel):
    """An actor's title in an organisation (itself an actor) between optional dates."""

    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="roles")
    organisation = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="members")
    title = models.CharField(max_length=200)
    start_on = models.DateField(null=True, blank=True, validators=[not_in_future])
    end_on = models.DateField(null=True, blank=True, validators=[not_in_future])
    source = models.ForeignKey(
        "sources.Source",
        on_delete=models.PROTECT,
        related_name="roles",
        null=True,
        blank=True,
    )
    excerpt = models.TextField(blank=True, help_text="The words of the source that state this role.")

    history = tracked_history()

    class Meta:
        ordering = ["actor__name", "-start_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_on__isnull=True) | Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                name="role_end_not_before_start",
                violation_error_message="A role cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(excerpt="") | Q(source__isnull=False),
                name="role_excerpt_needs_source",
                violation_error_message="An excerpt needs the source it comes from.",
            ),
            models.CheckConstraint(
                condition=~Q(title=""),
                name="role_title_not_empty",
                violation_error_message="A role needs a title.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor} — {self.title}, {self.organisation}"

    def clean(self) -> None:
        if self.actor_id and self.actor_id == self.organisation_id:
            raise ValidationError({"organisation": "An actor cannot hold a role in itself."})


class Topic(TrackedModel):
    """A question actors take stances on, e.g. European peacekeeping troops in Ukraine."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    question = models.CharField(
        max_length=500,
        help_text="The question a stance answers, e.g. 'Should European troops be deployed to Ukraine?'",
    )
    summary = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
    )

    history = tracked_history()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title="") & ~Q(question=""),
                name="topic_title_and_question_not_empty",
                violation_error_message="A topic needs a title and a question.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        ancestor, seen = self.parent, set()
        while ancestor is not None:
            if ancestor.pk == self.pk or ancestor.pk in seen:
                raise ValidationError({"parent": "A topic cannot be its own ancestor."})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class Claim(TrackedModel):
    """A statement attributed to one actor, backed by citations of sources."""

    speaker = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="claims")
    topics = models.ManyToManyField(Topic, related_name="claims", blank=True)
    text = models.TextField(help_text="What the actor said, quoted or paraphrased as `kind` says.")
    kind = models.CharField(max_length=20, choices=ClaimKind.choices, default=ClaimKind.REPORTED)
    stated_on = models.DateField(null=True, blank=True, validators=[not_in_future])
    stated_on_precision = models.CharField(
        max_length=10,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    stated_on_inferred = models.BooleanField(
        default=False,
        help_text="The date is inferred (e.g. from the source's publication), not stated by the source.",
    )
    context = models.TextField(blank=True)
    attribution_status = models.CharField(
        max_length=20,
        choices=AttributionStatus.choices,
        default=AttributionStatus.UNVERIFIED,
    )
    veracity = models.CharField(max_length=20, choices=Veracity.choices, default=Veracity.UNRATED)
    veracity_rationale = models.TextField(blank=True)
    status = models.CharField(
        max_length=20,
        choices=EditorialStatus.choices,
        default=EditorialStatus.DRAFT,
        db_index=True,
    )

    history = tracked_history(m2m_fields=["topics"])

    class Meta:
        ordering = ["-stated_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(text=""),
                name="claim_text_not_empty",
                violation_error_message="A claim needs its text.",
            ),
            models.CheckConstraint(
                condition=Q(veracity=Veracity.UNRATED) | ~Q(veracity_rationale=""),
                name="claim_rating_needs_rationale",
                violation_error_message="A veracity rating needs a rationale.",
            ),
        ]
        permissions = [
            ("publish_claim", "Can publish, return and retract claims"),
        ]

    def __str__(self) -> str:
        text = self.text if len(self.text) <= 80 else self.text[:77] + "…"
        return f"{self.speaker}: {text}"

    @property
    def stated_on_display(self) -> str:
        return format_partial_date(self.stated_on, self.stated_on_precision)

    def clean(self) -> None:
        self.stated_on = truncate_to_precision(self.stated_on, self.stated_on_precision)
        if self.veracity != Veracity.UNRATED and not self.veracity_rationale.strip():
            raise ValidationError({"veracity_rationale": "Explain the veracity rating."})
