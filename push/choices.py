"""Choices of the push app: what can be followed, what a notification says, how mail is sent, and
where a webhook delivery stands."""

from django.db import models


class FollowKind(models.TextChoices):
    """What a team member can follow: the pages with a Follow button, and their own positions."""

    ACTOR = "actor", "Actor"
    TOPIC = "topic", "Topic"
    CLAIM = "claim", "Claim"
    SOURCE = "source", "Source"
    POSITION = "position", "Position"


class FollowReason(models.TextChoices):
    CHOSEN = "chosen", "Followed"
    OWN = "own", "Created by you"


class EventKind(models.TextChoices):
    CLAIM_PUBLISHED = "claim_published", "Claim published"
    CLAIM_RETRACTED = "claim_retracted", "Claim retracted"
    POSITION_CHANGED = "position_changed", "Position changed"
    EXCERPT_FLAGGED = "excerpt_flagged", "Excerpt altered or missing"
    SOURCE_DEAD = "source_dead", "Source dead"
    MINE_PUBLISHED = "mine_published", "Your item was published"
    MINE_RETURNED = "mine_returned", "Your item was returned"
    MINE_EDITED = "mine_edited", "Your item was edited"
    WEBHOOK_DISABLED = "webhook_disabled", "Webhook endpoint disabled"


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", "One email per notification"
    DIGEST = "digest", "A daily digest"
    OFF = "off", "No email"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (gave up)"
    SUPERSEDED = "superseded", "Superseded by a replay"


class AttemptOutcome(models.TextChoices):
    SUCCESS = "success", "Success"
    HTTP_ERROR = "http_error", "Answered with an error status"
    TIMEOUT = "timeout", "Timed out"
    CONNECTION_ERROR = "connection_error", "Could not connect"
    BLOCKED_UNSAFE = "blocked_unsafe", "Blocked: unsafe address"
