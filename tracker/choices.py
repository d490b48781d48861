"""Choices shared across the tracker's apps."""

from django.db import models

from core.choices import HistoryAction


class ActorKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANISATION = "organisation", "Organisation"
    STATE = "state", "State"
    INTERNATIONAL_BODY = "international_body", "International body"
    GROUP = "group", "Group"


class ClaimKind(models.TextChoices):
    DIRECT_QUOTE = "direct_quote", "Direct quote"
    PARAPHRASE = "paraphrase", "Paraphrase"
    REPORTED = "reported", "Reported"


class AttributionStatus(models.TextChoices):
    UNVERIFIED = "unverified", "Unverified"
    CONFIRMED = "confirmed", "Confirmed"
    DISPUTED = "disputed", "Disputed"
    MISATTRIBUTED = "misattributed", "Misattributed"


class Veracity(models.TextChoices):
    UNRATED = "unrated", "Unrated"
    TRUE = "true", "True"
    MOSTLY_TRUE = "mostly_true", "Mostly true"
    HALF_TRUE = "half_true", "Half true"
    MOSTLY_FALSE = "mostly_false", "Mostly false"
    FALSE = "false", "False"
    UNVERIFIABLE = "unverifiable", "Unverifiable"


class EditorialStatus(models.TextChoices):
    """Where a claim or position is in the review workflow. Only `published` is visible to partners."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"


# Editorial transitions: (from, to) -> the action recorded and the permission required.
EDITORIAL_TRANSITIONS: dict[tuple[str, str], HistoryAction] = {
    (EditorialStatus.DRAFT, EditorialStatus.IN_REVIEW): HistoryAction.SUBMITTED,
    (EditorialStatus.IN_REVIEW, EditorialStatus.DRAFT): HistoryAction.RETURNED,
    (EditorialStatus.DRAFT, EditorialStatus.PUBLISHED): HistoryAction.PUBLISHED,
    (EditorialStatus.IN_REVIEW, EditorialStatus.PUBLISHED): HistoryAction.PUBLISHED,
    (EditorialStatus.PUBLISHED, EditorialStatus.RETRACTED): HistoryAction.RETRACTED,
    (EditorialStatus.RETRACTED, EditorialStatus.DRAFT): HistoryAction.RETURNED,
}
