"""Choices the kernel owns: partial-date precision, history actions, API key scopes."""

from django.db import models


class DatePrecision(models.TextChoices):
    """How much of a stored date is known; the unknown parts are stored as 1."""

    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class HistoryAction(models.TextChoices):
    """What a history row records, beyond simple-history's +/~/- type."""

    CREATED = "created", "Created"
    CHANGED = "changed", "Changed"
    DELETED = "deleted", "Deleted"
    SUBMITTED = "submitted", "Submitted for review"
    RETURNED = "returned", "Returned to draft"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"
    REVERTED = "reverted", "Reverted"
    RESTORED = "restored", "Restored"


class APIKeyScope(models.TextChoices):
    """What an API key may do. Partner `submit` keys may also propose draft claims for review."""

    READ = "read", "Read"
    SUBMIT = "submit", "Read and submit"
