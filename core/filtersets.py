"""Filter bases every list shares (web pages and API), and the recent-changes filters."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from core.audit import model_choices
from core.choices import HistoryAction
from core.models import ChangeEntry
from core.search import text_search


def to_utc(value: datetime.datetime, name: str) -> datetime.datetime:
    """ISO 8601 allows offsets PostgreSQL refuses (beyond ±15:59) and dates that leave its range in UTC."""
    try:
        return value.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        raise ValidationError({name: "Give a moment between the years 1 and 9999."}) from None


class IdFilter(django_filters.NumberFilter):
    """A record id: a whole number within the database's 64-bit range (else 400, not a driver error)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class TrackedFilterSet(django_filters.FilterSet):
    """`q` searches `search_fields`; `updated_since` keeps rows changed at or after a moment."""

    search_fields: list[str] = []
    q = django_filters.CharFilter(method="filter_q", label="Text search")
    updated_since = django_filters.IsoDateTimeFilter(method="filter_updated_since", label="Changed at or after")

    def filter_q(self, queryset, name, value):
        return text_search(queryset, self.search_fields, value)

    def filter_updated_since(self, queryset, name, value):
        return queryset.filter(updated_at__gte=to_utc(value, name))


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class ChangeEntryFilterSet(django_filters.FilterSet):
    """Recent changes and the audit export: who, which model, which action, when, which record, reviewed or not.

    Dates filter on whole days in the site's time zone, written as ranges on `history_date` (not
    `__date`) so the (…, history_date, id) indexes still serve the keyset.
    """

    user = django_filters.CharFilter(method="filter_user", label="User (username)")
    model = django_filters.ChoiceFilter(choices=model_choices, label="Record type")
    object_id = django_filters.NumberFilter(label="Record id")
    action = django_filters.ChoiceFilter(choices=HistoryAction.choices)
    since = django_filters.DateFilter(
        method="filter_since", label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = django_filters.DateFilter(
        method="filter_until", label="Until", widget=forms.DateInput(attrs={"type": "date"})
    )
    reviewed = django_filters.ChoiceFilter(
        choices=[("no", "Not reviewed"), ("yes", "Reviewed")], method="filter_reviewed", label="Reviewed"
    )

    class Meta:
        model = ChangeEntry
        fields = ["user", "model", "object_id", "action", "since", "until", "reviewed"]

    def filter_user(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Resolve the name first so the database walks the (user, history_date, id) index.
        ids = list(get_user_model()._default_manager.filter(username=value.strip()).values_list("pk", flat=True))
        return queryset.filter(user_id__in=ids)

    def filter_since(self, queryset: QuerySet, name: str, value: datetime.date) -> QuerySet:
        return queryset.filter(history_date__gte=_start_of(value))

    def filter_until(self, queryset: QuerySet, name: str, value: datetime.date) -> QuerySet:
        return queryset.filter(history_date__lt=_start_of(value + datetime.timedelta(days=1)))

    def filter_reviewed(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(patrolled_at__isnull=(value == "no"))
