"""Watchlists and notifications for the team, webhook endpoints and their deliveries for partners.

None of these rows is a tracked record: they are people's preferences and the product's own
delivery bookkeeping, not facts the tracker publishes, so they keep no history and never enter the
changes feed. The log of what happened is the rows themselves (a notification, a delivery and its
attempts are written once and only move forward).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from push.choices import AttemptOutcome, DeliveryStatus, EmailMode, EventKind, FollowKind, FollowReason


class Follow(models.Model):
    """One team member following one record: they hear of what happens to it (and, for an actor or a
    topic, to the claims and positions on it)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    kind = models.CharField(max_length=20, choices=FollowKind.choices)
    object_id = models.BigIntegerField()
    reason = models.CharField(max_length=10, choices=FollowReason.choices, default=FollowReason.CHOSEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "object_id"],
                name="follow_once_per_user_and_record",
                violation_error_message="You already follow this.",
            ),
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="follow_record")]

    def __str__(self) -> str:
        return f"{self.user} follows {self.kind} {self.object_id}"


class Notification(models.Model):
    """One thing one team member should hear about (a followed claim published, their draft returned),
    shown in the app and mailed as their preference says. `event_key` names the event (a history row,
    a check), so an event never notifies the same person twice, however often it is processed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    event_key = models.CharField(
        max_length=120, help_text="The event, e.g. tracker.claim:h123 or sources.sourcecheck:9."
    )
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True, help_text="More detail, e.g. the reviewer's comment.")
    url = models.CharField(max_length=500, blank=True, help_text="The page of the record, relative to the site.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who did it (empty for a background check).",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True, help_text="When it was mailed, alone or in a digest.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event_key"],
                name="notification_once_per_user_and_event",
                violation_error_message="This person was already notified of this event.",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user_latest"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_user_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.title}"


class NotificationPreference(models.Model):
    """How one team member wants notifications mailed. No row means the default (a daily digest)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_mode = models.CharField(max_length=10, choices=EmailMode.choices, default=EmailMode.DIGEST)
    last_digest_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.get_email_mode_display()}"


class WebhookEndpoint(models.Model):
    """One URL a partner asked us to POST the changes feed's events to, signed with its secret."""

    partner = models.ForeignKey("core.Partner", on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField("URL", max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(
        default=list,
        blank=True,
        help_text='Event types to send, e.g. ["claims.upsert", "claims.delete"]; empty for all.',
    )
    secret = models.CharField(max_length=100, help_text="The Standard Webhooks signing secret (whsec_…).")
    is_active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True)
    cursor = models.BigIntegerField(default=0, help_text="The last feed sequence number turned into deliveries.")
    replay_round = models.PositiveIntegerField(default=0, help_text="Incremented by each replay.")
    # Only one delivery chain runs per endpoint (in order); a killed worker's lease runs out.
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    lease_token = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["partner__name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") & ~Q(secret=""),
                name="webhookendpoint_url_and_secret_set",
                violation_error_message="A webhook endpoint needs a URL and a secret.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner}: {self.url}"

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class WebhookDelivery(models.Model):
    """One feed event to send to one endpoint (once per replay round), and where its sending stands."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    seq = models.BigIntegerField(help_text="The feed event's sequence number.")
    round = models.PositiveIntegerField(default=0, help_text="The endpoint's replay round it belongs to.")
    event_type = models.CharField(max_length=50)
    payload = models.JSONField(help_text="The body sent, the same on every attempt.")
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    first_attempted_at = models.DateTimeField(null=True, blank=True)
    last_attempted_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["endpoint", "seq", "round"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "seq", "round"],
                name="webhookdelivery_once_per_event",
                violation_error_message="This event is already queued for this endpoint.",
            ),
        ]
        indexes = [
            models.Index(
                fields=["endpoint", "seq"], condition=Q(status="pending"), name="webhookdelivery_pending_head"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.get_status_display().lower()})"

    @property
    def message_id(self) -> str:
        """The `webhook-id`: the same on every attempt, so a receiver can drop a duplicate."""
        suffix = f"_r{self.round}" if self.round else ""
        return f"msg_{self.endpoint_id}_{self.seq}{suffix}"


class WebhookAttempt(models.Model):
    """One POST of a delivery: what the endpoint answered, or why it could not."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField()
    outcome = models.CharField(max_length=20, choices=AttemptOutcome.choices)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    elapsed_ms = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    response_excerpt = models.TextField(blank=True, help_text="The first bytes of the answer.")

    class Meta:
        ordering = ["delivery", "attempted_at", "id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.attempted_at:%Y-%m-%d %H:%M:%S}: {self.outcome}"
