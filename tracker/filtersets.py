"""Filters shared by the web pages (and, later, the API) of the tracker app."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from tracker.audit import model_choices
from tracker.choices import HistoryAction
from tracker.models import ChangeEntry


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
