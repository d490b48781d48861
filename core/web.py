"""What the web pages share: who may see them, partial dates in forms, service errors, the conflict page."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.choices import DatePrecision
from core.dates import format_partial_date
from core.exceptions import ConflictError
from core.history import REASON_MAX_LENGTH

PAGE_SIZE = 50
# Team members can read everything (drafts included); people in no group see nothing.
TEAM_PERMISSION = "tracker.view_claim"


def team_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous visitors are sent to log in; logged-in people outside the team get 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm(TEAM_PERMISSION):
            raise PermissionDenied("You are not a member of the team.")
        return view(request, *args, **kwargs)

    return wrapper


def paginate(request: HttpRequest, queryset: Any) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


class ReasonField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Edit summary")
        kwargs.setdefault("help_text", "Why you are making this change. Stored in the history with your name.")
        super().__init__(
            max_length=REASON_MAX_LENGTH,
            widget=forms.TextInput(attrs={"size": 70, "autocomplete": "off"}),
            **kwargs,
        )


_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


def parse_partial_date(value: str) -> tuple[datetime.date | None, str]:
    """'2025-02-17' -> day precision, '2025-02' -> month, '2025' -> year; '' -> no date."""
    value = (value or "").strip()
    if not value:
        return None, DatePrecision.DAY
    match = _PARTIAL_DATE.match(value)
    if not match:
        raise ValidationError("Enter a date as 2025-02-17, 2025-02 (month) or 2025 (year).")
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        date = datetime.date(year, month or 1, day or 1)
    except ValueError:
        raise ValidationError("This date does not exist.") from None
    precision = DatePrecision.DAY if day else DatePrecision.MONTH if month else DatePrecision.YEAR
    return date, precision


def partial_date_text(value: datetime.date | None, precision: str) -> str:
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{value:%Y}"
    if precision == DatePrecision.MONTH:
        return f"{value:%Y-%m}"
    return value.isoformat()


class PartialDateField(forms.CharField):
    """A date typed as far as it is known; `clean` returns (date, precision)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "2025-02-17, or 2025-02 if only the month is known, or 2025.")
        super().__init__(max_length=10, widget=forms.TextInput(attrs={"placeholder": "YYYY-MM-DD"}), **kwargs)

    def clean(self, value: Any) -> tuple[datetime.date | None, str]:  # type: ignore[override]
        value = super().clean(value)
        return parse_partial_date(value)


def add_service_error(form: forms.BaseForm, error: ValidationError | PermissionDenied) -> None:
    """Attach a service's error to the form: to the field it names when the form has it, else on top."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or "You do not have permission to do this.")
        return
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.message_dict.items():
        if name in form.fields:
            form.add_error(name, errors)
        else:
            label = name.replace("_", " ").capitalize()
            form.add_error(None, [f"{label}: {message}" for message in errors])


def display_value(value: Any) -> str:
    if isinstance(value, (list, tuple, set)) or hasattr(value, "__iter__") and not isinstance(value, str):
        return ", ".join(sorted(str(item) for item in value)) or "—"
    if value in (None, ""):
        return "—"
    return str(value)


def render_conflict(
    request: HttpRequest,
    *,
    error: ConflictError,
    rows: Iterable[tuple[str, Any, Any]],
    back_url: str,
) -> HttpResponse:
    """The other person's current values beside the ones this user submitted; nothing was saved.

    `rows` is (label, their current value, your submitted value or None when the form had no such field).
    """
    current = error.instance
    latest = current.history.select_related("history_user").first() if hasattr(current, "history") else None
    table = []
    for label, theirs, yours in rows:
        # None: a value the user's form did not carry (e.g. the status), so it cannot "differ".
        row = {"label": label, "theirs": display_value(theirs), "yours": display_value(yours)}
        row["differs"] = yours is not None and row["theirs"] != row["yours"]
        if yours is None:
            row["yours"] = "(not part of your edit)"
        table.append(row)
    return render(
        request,
        "tracker/conflict.html",
        {
            "error": error,
            "object": current,
            "latest": latest,
            "rows": table,
            "back_url": back_url,
        },
        status=409,
    )


def format_date(value: datetime.date | None, precision: str) -> str:
    return format_partial_date(value, precision)
