"""The tracker's nouns: actors, their roles, topics and sourced claims."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from tracker.choices import (
    ActorKind,
    APIKeyScope,
    AttributionStatus,
    ClaimKind,
    DatePrecision,
    EditorialStatus,
    HistoryAction,
    Veracity,
)
from tracker.history import tracked_history
from tracker.validators import (
    country_code_validator,
    format_partial_date,
    not_in_future,
    truncate_to_precision,
    wikidata_id_validator,
)


class TrackedModel(models.Model):
    """Columns every tracked record has: a version for optimistic locking and timestamps."""

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Incremented on every change; a stale version means someone else saved first.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True

    def clean_fields(self, exclude: set[str] | None = None) -> None:
        # PostgreSQL refuses NUL in text with a server error; refuse it here with the field's name.
        errors: dict[str, list[str]] = {}
        for field in self._meta.concrete_fields:
            value = getattr(self, field.attname, None)
            if isinstance(value, str) and "\x00" in value:
                errors.setdefault(field.name, []).append("NUL characters are not allowed.")
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)


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


class Partner(models.Model):
    """An outside organisation (newsroom, research team) that reads our published data through the API.

    Its `user` is the account its keys act as, so history names the partner on what it submits.
    """

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    contact_email = models.EmailField(blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="partner")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class APIKey(models.Model):
    """One API key: a visible prefix and the SHA-256 of the whole key; the secret itself is never stored.

    A key belongs either to a partner (acting as the partner's user, seeing published data only) or
    to a team member (acting as that user, with their role's permissions).
    """

    name = models.CharField(max_length=200, help_text="What the key is for, e.g. 'nightly mirror'.")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="api_keys", null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    hashed_key = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(max_length=10, choices=APIKeyScope.choices, default=APIKeyScope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"
        constraints = [
            models.CheckConstraint(
                condition=~Q(prefix="") & ~Q(hashed_key=""),
                name="apikey_prefix_and_hash_set",
                violation_error_message="An API key needs its prefix and hash.",
            ),
        ]

    def __str__(self) -> str:
        owner = self.partner.name if self.partner_id else self.user.get_username()
        return f"{self.prefix}… ({owner}, {self.scope})"


class FeedEvent(models.Model):
    """One entry of the partner changes feed: a partner-visible record changed (`upsert`) or stopped
    being visible (`delete`: deleted, unpublished or retracted). `seq` is the commit order (tracker/feed.py).
    """

    seq = models.BigIntegerField(primary_key=True)
    resource = models.CharField(max_length=20, help_text="The API resource, e.g. claims.")
    object_id = models.BigIntegerField()
    op = models.CharField(max_length=10, choices=[("upsert", "upsert"), ("delete", "delete")])
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["resource", "object_id", "seq"], name="feedevent_record_seq")]

    def __str__(self) -> str:
        return f"{self.seq}: {self.op} {self.resource}/{self.object_id}"


class FeedSequence(models.Model):
    """The single row whose lock orders the feed; `last_seq` is the last number handed out."""

    last_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"feed at {self.last_seq}"


class ChangeEntry(models.Model):
    """One history row of any tracked model, copied into one narrow table for the recent-changes list.

    Written in the same transaction as the history row (tracker.audit), so the list, its filters and
    its keyset pagination read one indexed table instead of a UNION over seven historical tables.
    The review (patrol) state lives here: it belongs to a change, so later edits do not touch it.
    """

    model = models.CharField(max_length=40, help_text="The tracked model's label, e.g. tracker.claim.")
    history_id = models.BigIntegerField(help_text="The row in the model's historical table.")
    object_id = models.BigIntegerField()
    object_repr = models.CharField(max_length=200)
    history_date = models.DateTimeField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    action = models.CharField(max_length=20, choices=HistoryAction.choices)
    history_type = models.CharField(max_length=1)
    reason = models.TextField(blank=True)
    summary = models.CharField(max_length=300, blank=True, help_text="The fields this change touched.")
    change_id = models.UUIDField(null=True, blank=True, db_index=True)
    patrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    patrolled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-history_date", "-id"]
        verbose_name_plural = "change entries"
        constraints = [
            models.UniqueConstraint(fields=["model", "history_id"], name="change_entry_one_per_history_row"),
        ]
        # Keyset pagination walks (history_date, id) backwards; each filter gets an index led by it.
        indexes = [
            models.Index(fields=["history_date", "id"], name="change_date_id"),
            models.Index(fields=["user", "history_date", "id"], name="change_user_date_id"),
            models.Index(fields=["model", "history_date", "id"], name="change_model_date_id"),
            models.Index(fields=["action", "history_date", "id"], name="change_action_date_id"),
            models.Index(fields=["model", "object_id", "history_date", "id"], name="change_object_date_id"),
            models.Index(
                fields=["history_date", "id"],
                condition=Q(patrolled_at__isnull=True),
                name="change_unpatrolled_date_id",
            ),
        ]
        permissions = [
            ("revert_history", "Can revert records to an earlier version and restore deleted ones"),
            ("patrol_history", "Can mark changes as reviewed"),
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.object_id} {self.action} at {self.history_date:%Y-%m-%d %H:%M}"

    @property
    def model_name(self) -> str:
        return self.model.split(".", 1)[1]

    @property
    def is_patrolled(self) -> bool:
        return self.patrolled_at is not None


class HistoryPrune(models.Model):
    """One run of `manage.py prunehistory`: what it removed, kept after the rows themselves are gone."""

    run_at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    before = models.DateTimeField(help_text="History rows older than this were pruned.")
    counts = models.JSONField(default=dict, help_text="Rows removed per historical table.")
    total = models.PositiveBigIntegerField(default=0)
    reason = models.TextField()

    class Meta:
        ordering = ["-run_at"]

    def __str__(self) -> str:
        return f"Pruned {self.total} history rows older than {self.before:%Y-%m-%d} on {self.run_at:%Y-%m-%d}"
