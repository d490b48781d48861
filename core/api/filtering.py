"""List filters and ordering as strict as the schema says they are.

The FilterSets are shared with the web list pages, where a form submits every field, blank or not, and
an unknown ordering is best ignored. A program reading the API is better served by a 400 naming the
parameter: a blank date, an id of 0 or an ordering we do not offer is a mistake in the client, and
ignoring it would answer a different question than the one asked. The schema states the same rules
(bounds, enums), so a generated client and schemathesis agree with the server.
"""

from __future__ import annotations

from django import forms
from django_filters import filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from rest_framework import exceptions
from rest_framework.filters import OrderingFilter


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, with a blank value refused for every filter that is not free text."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            blank = [
                parameter
                for name, field in filterset_class.base_filters.items()
                if not is_free_text(field)
                for parameter in parameter_names(name, field)
                if parameter in request.query_params and not request.query_params.get(parameter)
            ]
            if blank:
                raise exceptions.ValidationError({name: "Give a value or leave the parameter out." for name in blank})
        return super().filter_queryset(request, queryset, view)


def is_free_text(field: filters.Filter) -> bool:
    return isinstance(field, filters.CharFilter)


def parameter_names(name: str, field: filters.Filter) -> list[str]:
    """The query parameters of a filter: a range filter reads two (`stated_on_after`, `stated_on_before`)."""
    suffixes = getattr(getattr(field.field_class, "widget", None), "suffixes", None)
    if not isinstance(field, filters.RangeFilter | filters.DateFromToRangeFilter) or not suffixes:
        return [name]
    return [f"{name}_{suffix}" if suffix else name for suffix in suffixes]


class StrictFilterExtension(DjangoFilterExtension):
    """The schema of StrictFilterBackend's parameters: django-filter's, with the bounds of number filters."""

    target_class = "core.api.filtering.StrictFilterBackend"
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        bounds = {"minimum": filter_field.extra.get("min_value"), "maximum": filter_field.extra.get("max_value")}
        for parameter in parameters:
            if filter_field.field_class is forms.IntegerField:  # IdFilter: django-filter says only "number"
                parameter["schema"]["type"] = "integer"
            parameter["schema"].update({key: value for key, value in bounds.items() if value is not None})
        return parameters


class StrictOrderingFilter(OrderingFilter):
    """`ordering` is one of the view's `ordering_fields`, ascending or with `-`; anything else is a 400
    listing them (DRF would ignore it and answer in the default order)."""

    def allowed(self, view) -> list[str]:
        fields = getattr(view, "ordering_fields", None) or []
        return [value for field in fields for value in (field, f"-{field}")]

    def get_ordering(self, request, queryset, view):
        if self.ordering_param not in request.query_params:
            return self.get_default_ordering(view)
        value = request.query_params[self.ordering_param]
        allowed = self.allowed(view)
        if value not in allowed:
            choices = ", ".join(allowed) or "none"
            raise exceptions.ValidationError({self.ordering_param: f"Order by one of: {choices}."})
        return [value]

    def get_schema_operation_parameters(self, view):
        allowed = self.allowed(view)
        if not allowed:
            return []
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Which field to order the results by (`-` for descending).",
                "schema": {"type": "string", "enum": allowed},
            }
        ]
