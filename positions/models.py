"""Dated positions: where an actor stands on a topic, as of a date, backed by claims."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from core.choices import DatePrecision
from core.dates import format_partial_date, truncate_to_precision
from core.history import tracked_history
from core.models import TrackedModel
from positions.choices import Stance
from tracker.choices import EditorialStatus
from tracker.validators import not_in_future


class Position(TrackedModel):
    """One dated observation of an actor's stance on a topic, backed by claims as evidence."""

    actor = models.ForeignKey("tracker.Actor", on_delete=models.PROTECT, related_name="positions")
    topic = models.ForeignKey("tracker.Topic", on_delete=models.PROTECT, related_name="positions")
    stance = models.CharField(max_length=20, choices=Stance.choices)
    as_of = models.DateField(validators=[not_in_future])
    as_of_precision = models.CharField(
        max_length=10,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    as_of_inferred = models.BooleanField(
        default=False,
        help_text="The date is inferred (e.g. from the source's publication), not stated by the source.",
    )
    summary = models.TextField(blank=True)
    conditions = models.TextField(
        blank=True,
        help_text="Conditions attached to the stance, e.g. 'only with a US security backstop'.",
    )
    evidence = models.ManyToManyField("tracker.Claim", related_name="positions", blank=True)
    status = models.CharField(
        max_length=20,
        choices=EditorialStatus.choices,
        default=EditorialStatus.DRAFT,
        db_index=True,
    )

    history = tracked_history(m2m_fields=["evidence"])

    class Meta:
        ordering = ["actor__name", "topic__title", "as_of", "id"]
        indexes = [models.Index(fields=["topic", "actor", "as_of"], name="position_topic_actor_asof")]
        constraints = [
            models.UniqueConstraint(
                fields=["actor", "topic", "as_of"],
                condition=~Q(status=EditorialStatus.RETRACTED),
                name="position_one_per_actor_topic_date",
                violation_error_message="This actor already has a position on this topic as of this date.",
            ),
        ]
        permissions = [
            ("publish_position", "Can publish, return and retract positions"),
        ]

    def __str__(self) -> str:
        return f"{self.actor} on {self.topic}: {self.get_stance_display()} ({self.as_of_display})"

    @property
    def as_of_display(self) -> str:
        return format_partial_date(self.as_of, self.as_of_precision)

    def clean(self) -> None:
        self.as_of = truncate_to_precision(self.as_of, self.as_of_precision)
