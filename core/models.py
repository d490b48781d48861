"""The kernel's own rows: the columns every tracked record has, API keys, the change index and the feed."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q

from core.choices import APIKeyScope, HistoryAction


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
        # A foreign key given as a saved instance was read from the database by the caller (and the
        # database's own foreign key refuses a vanished row on write); Django would read it again.
        exclude = set(exclude or ()) | {
            field.name
            for field in self._meta.concrete_fields
            if field.many_to_one and field.is_cached(self) and getattr(getattr(self, field.name), "pk", None)
        }
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)

    def get_constraints(self) -> list[tuple[type[models.Model], list[models.BaseConstraint]]]:
        """The constraints `full_clean` validates: unique ones (they need a query anyway), not checks.

        Django checks a CheckConstraint with a query of its own in a savepoint: three round trips per
        constraint per save, a third of a claim write's time. The database enforces them on the write
        itself, and `core.editing.save_validated` turns a violation into the constraint's own message
        (the same non-field error Django would raise here)."""
        return [
            (model, [c for c in constraints if not isinstance(c, models.CheckConstraint) and not _on_own_fields(c)])
            for model, constraints in super().get_constraints()
        ]

    def validate_constraints(self, exclude: set[str] | None = None) -> None:
        """Django's validation of the constraints above, and of unique constraints whose condition is on
        their own fields (a source's URL, unique unless empty) by one query of our own.

        Django checks such a constraint with a query in a savepoint (three round trips). When the
        condition reads only the constrained fields, another row with the same values meets it exactly
        when this one would, so one EXISTS over the rows that meet it gives the same answer."""
        errors: dict[str, list[str]] = {}
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for constraint in self._meta.constraints:
            if not _on_own_fields(constraint) or set(constraint.fields) & set(exclude or ()):
                continue
            values = {name: getattr(self, self._meta.get_field(name).attname) for name in constraint.fields}
            if any(value is None for value in values.values()):
                continue  # NULLs are distinct
            others = type(self)._default_manager.filter(constraint.condition, **values)
            if not self._state.adding:
                others = others.exclude(pk=self.pk)
            if others.exists():
                errors.setdefault(NON_FIELD_ERRORS, []).append(str(constraint.get_violation_error_message()))
        if errors:
            raise ValidationError(errors)

    @classmethod
    def check_constraint_message(cls, error: Exception) -> str | None:
        """The violation message of the check constraint a database error names, if it names one."""
        text = str(getattr(error, "__cause__", None) or error)
        for constraint in cls._meta.constraints:
            if isinstance(constraint, models.CheckConstraint) and constraint.name in text:
                return str(constraint.get_violation_error_message())
        return None


def _on_own_fields(constraint: models.BaseConstraint) -> bool:
    """A unique constraint on fields whose condition reads only those fields."""
    return (
        isinstance(constraint, models.UniqueConstraint)
        and constraint.condition is not None
        and bool(constraint.fields)
        and not constraint.expressions
        and set(constraint.condition.referenced_base_fields) <= set(constraint.fields)
    )


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
    being visible (`delete`: deleted, unpublished or retracted). `seq` is the commit order (core/feed.py).
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


class FeedPending(models.Model):
    """A change the feed has not numbered yet: one history row of a tracked record, or a record whose
    partner view changed without one (a source check's results). Written in the same transaction as
    the change, by an insert that waits for no other writer; `core.feed.sequence_feed` turns it into
    events and deletes it."""

    model = models.CharField(max_length=40, help_text="The tracked model's label, e.g. tracker.claim.")
    object_id = models.BigIntegerField()
    history_id = models.BigIntegerField(null=True, blank=True, help_text="Empty for a touched record.")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "feed pending changes"

    def __str__(self) -> str:
        return f"pending {self.model} {self.object_id}"


class FeedSequence(models.Model):
    """The single row whose lock makes sequencers take turns; `last_seq` is the last number handed out."""

    last_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"feed at {self.last_seq}"


class ChangeEntry(models.Model):
    """One history row of any tracked model, copied into one narrow table for the recent-changes list.

    Written in the same transaction as the history row (core.audit), so the list, its filters and
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
            ("change_published", "Can change actors, topics, roles and sources that partners see"),
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


class Job(models.Model):
    """One piece of long work a user started (a CSV import), run by a Celery worker, not the request:
    its progress while it runs and its result when done (core/jobs.py)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=50, help_text="The registered runner, e.g. claim-import.")
    title = models.CharField(max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    payload = models.JSONField(default=dict, help_text="What the runner needs, e.g. the uploaded file's text.")
    result = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="job_user_created")]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display().lower()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)
