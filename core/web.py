"""What the web pages share: who may see them, partial dates in forms, service errors, the conflict page,
and the panels and list columns a higher app adds to a lower app's page.

Panels and columns keep the layers in one direction (NetBox's template extensions and
`register_table_column` do the same for plugins). A page that shows one app's records and, beside
them, another app's (a claim and its citations, the actors list and their positions) belongs to the
lower app; the higher app registers what it adds from its `AppConfig.ready()`, and the lower app's view
renders whatever is registered, never importing the app above it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString

from core.choices import DatePrecision
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
        "conflict.html",
        {
            "error": error,
            "object": current,
            "latest": latest,
            "rows": table,
            "back_url": back_url,
        },
        status=409,
    )


# --- Panels and columns other apps add to a page -----------------------------------------------


@dataclass(frozen=True)
class Panel:
    """A block of a page, rendered from `template` with what `context(request, obj)` returns.

    `context` returns None to leave the panel out (nothing to show, or the user may not see it).
    """

    template: str
    context: Callable[[HttpRequest, Any], dict[str, Any] | None]
    order: int


@dataclass(frozen=True)
class Column:
    """A column of a list page: `annotate` adds what the cell needs to the page's queryset (in the same
    query), `template` renders one cell from `row`."""

    header: str
    template: str
    annotate: Callable[[QuerySet], QuerySet]
    order: int


_panels: dict[str, list[Panel]] = {}
_columns: dict[str, list[Column]] = {}


def register_panel(
    page: str,
    *,
    template: str,
    context: Callable[[HttpRequest, Any], dict[str, Any] | None],
    order: int = 100,
) -> None:
    """Add a panel to `page` (the page's URL name, e.g. "tracker:claim-detail"), lowest `order` first.

    Registering the same template twice on a page replaces the first (ready() may run again in tests).
    """
    panels = [panel for panel in _panels.get(page, []) if panel.template != template]
    panels.append(Panel(template=template, context=context, order=order))
    _panels[page] = sorted(panels, key=lambda panel: panel.order)


def panels_for(page: str, request: HttpRequest, obj: Any) -> list[SafeString]:
    """The registered panels of `page`, rendered for `obj` (what the page documents it passes)."""
    rendered = []
    for panel in _panels.get(page, []):
        context = panel.context(request, obj)
        if context is not None:
            rendered.append(render_to_string(panel.template, context, request=request))
    return rendered


def register_column(
    page: str,
    *,
    header: str,
    template: str,
    annotate: Callable[[QuerySet], QuerySet],
    order: int = 100,
) -> None:
    """Add a column to the list page `page` (its URL name), lowest `order` first; same template replaces."""
    columns = [column for column in _columns.get(page, []) if column.template != template]
    columns.append(Column(header=header, template=template, annotate=annotate, order=order))
    _columns[page] = sorted(columns, key=lambda column: column.order)


def columns_for(page: str) -> list[Column]:
    return list(_columns.get(page, []))


def with_columns(page: str, queryset: QuerySet) -> QuerySet:
    """`queryset` with what the registered columns of `page` show, annotated in the same query."""
    for column in _columns.get(page, []):
        queryset = column.annotate(queryset)
    return queryset


# --- Bad query strings ------------------------------------------------------------------------------


class RejectNulQueryMiddleware:
    """A NUL character in a page's query string is answered 400, naming the parameter.

    PostgreSQL cannot hold NUL in text, so a search for `a%00b` would otherwise reach the driver and fail
    as a server error. The API refuses the same input in its views with a problem+json body naming the
    parameter (core.api.base.RejectNulMixin); this covers every other page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "%00" in request.META.get("QUERY_STRING", "") and not request.path.startswith("/api/"):
            names = sorted({name for name, values in request.GET.lists() if "\x00" in name + "".join(values)})
            if names:
                message = f"{', '.join(names)}: NUL characters are not allowed."
                return render(request, "400.html", {"message": message}, status=400)
        return self.get_response(request)


# --- Pages that create or edit one record ----------------------------------------------------------


def safe_next(request: HttpRequest, fallback: str) -> str:
    """Where to go after a form: `next` (posted, or in the query) when it is a page of this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def conflict_rows(form: forms.BaseForm, current: Any) -> list[tuple[str, Any, Any]]:
    """Their current values beside the submitted ones, for each of the form's `FIELDS`, as the service
    received them (`service_data()` when the form has one)."""
    mine = form.service_data() if hasattr(form, "service_data") else form.cleaned_data  # type: ignore[attr-defined]
    return [
        (str(form.fields[name].label or name) if name in form.fields else name, getattr(current, name), mine[name])
        for name in form.FIELDS  # type: ignore[attr-defined]
    ]


def record_form_page(
    request: HttpRequest,
    *,
    form: forms.BaseForm,
    save: Callable[[], Any],
    noun: str,
    cancel_url: str,
    done_url: Callable[[Any], str],
    message: Callable[[Any], str],
    record: Any = None,
    heading: str = "",
) -> HttpResponse:
    """The page that creates or edits one record (an actor, topic, source or role), as the claim pages do:
    on a valid POST `save()` calls the service; a stale version shows the conflict page, a refusal lands
    on the form naming the field; the form again answers 400 when it has errors."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save()
        except ConflictError as error:
            rows = conflict_rows(form, error.instance)
            return render_conflict(request, error=error, rows=rows, back_url=request.path)
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            messages.success(request, message(saved))
            return redirect(done_url(saved))
    context = {
        "form": form,
        "noun": noun,
        "record": record,
        "heading": heading,
        "cancel_url": cancel_url,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "record_form.html", context, status=400 if form.errors else 200)
