"""Audit-history pages: recent changes, an object's history, compare, a version, revert, patrol, export.

Views are thin: they check the role, parse the request, call a selector or service and render.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from core import registry, selectors, spreadsheet
from core.admin_base import error_text
from core.audit import for_display, history_model, tracked_model
from core.exceptions import ConflictError
from core.filtersets import ChangeEntryFilterSet
from core.models import ChangeEntry
from core.reverting import record_revert
from core.services import change_patrol
from core.web import safe_next

EXPORT_COLUMNS = [
    "history_date",
    "user",
    "model",
    "object_id",
    "object",
    "action",
    "summary",
    "reason",
    "change_id",
    "reviewed_by",
    "reviewed_at",
]


def require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _model_or_404(request: HttpRequest, name: str) -> type[models.Model]:
    try:
        model = tracked_model(name)
    except LookupError:
        raise Http404("No such record type.") from None
    require(request, f"{model._meta.app_label}.view_{model._meta.model_name}")
    return model


def _filters(request: HttpRequest) -> ChangeEntryFilterSet:
    return ChangeEntryFilterSet(request.GET or None, queryset=ChangeEntry.objects.all())


def _page_size(request: HttpRequest) -> int:
    try:
        size = int(request.GET.get("size", selectors.DEFAULT_PAGE_SIZE))
    except ValueError:
        return selectors.DEFAULT_PAGE_SIZE
    return size if size in selectors.PAGE_SIZES else selectors.DEFAULT_PAGE_SIZE


@login_required
@require_GET
def recent_changes(request: HttpRequest) -> HttpResponse:
    require(request, "core.view_changeentry")
    filterset = _filters(request)
    page = selectors.recent_changes(
        filterset.qs, after=request.GET.get("after"), before=request.GET.get("before"), size=_page_size(request)
    )
    unpatrolled, capped = selectors.unpatrolled_count()
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    return render(
        request,
        "history/recent_changes.html",
        {
            "filterset": filterset,
            "page": page,
            "unpatrolled": unpatrolled,
            "unpatrolled_capped": capped,
            "can_patrol": request.user.has_perm("core.patrol_history"),
            "query": query.urlencode(),
            "page_sizes": selectors.PAGE_SIZES,
        },
    )


@login_required
@require_POST
def patrol(request: HttpRequest) -> HttpResponse:
    require(request, "core.patrol_history")
    try:
        result = change_patrol(user=request.user, entry_ids=request.POST.getlist("entry"))
    except (ValidationError, ValueError) as error:
        messages.error(request, error_text(error) if isinstance(error, ValidationError) else "Unknown change.")
    else:
        if result.marked:
            messages.success(request, f"Marked as reviewed: {result.marked}.")
        for refusal in result.refused:
            messages.error(request, refusal)
    return HttpResponseRedirect(safe_next(request, reverse("history:recent")))


class _Echo:
    def write(self, value: str) -> str:
        return value


def _export_rows(queryset) -> Iterator[list[Any]]:
    for entry in (
        queryset.select_related("user", "patrolled_by").order_by("-history_date", "-id").iterator(chunk_size=2000)
    ):
        yield [
            entry.history_date.isoformat(),
            entry.user.get_username() if entry.user else "",
            entry.model,
            entry.object_id,
            entry.object_repr,
            entry.action,
            entry.summary,
            entry.reason,
            str(entry.change_id or ""),
            entry.patrolled_by.get_username() if entry.patrolled_by else "",
            entry.patrolled_at.isoformat() if entry.patrolled_at else "",
        ]


def _csv_stream(queryset) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield spreadsheet.BOM + writer.writerow(EXPORT_COLUMNS)
    for row in _export_rows(queryset):
        yield writer.writerow(spreadsheet.safe_row(row))


def _json_stream(queryset) -> Iterator[str]:
    yield "["
    for index, row in enumerate(_export_rows(queryset)):
        yield ("," if index else "") + "\n" + json.dumps(dict(zip(EXPORT_COLUMNS, row, strict=True)))
    yield "\n]\n"


@login_required
@require_GET
def export(request: HttpRequest, fmt: str) -> StreamingHttpResponse:
    """The history with the recent-changes filters, streamed so any size fits in constant memory."""
    require(request, "core.view_changeentry")
    queryset = _filters(request).qs
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_stream(queryset), content_type=spreadsheet.CONTENT_TYPE)
    else:
        response = StreamingHttpResponse(_json_stream(queryset), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="history-{stamp}.{fmt}"'
    return response


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def object_history(request: HttpRequest, model: str, pk: int) -> HttpResponse:
    model_class = _model_or_404(request, model)
    history = selectors.object_history(model_class, pk, before=_int(request.GET.get("before")))
    if not history.versions:
        raise Http404("This record has no history.")
    current = for_display(model_class).filter(pk=pk).first()
    own = [v for v in history.versions if v.model is model_class]
    return render(
        request,
        "history/object_history.html",
        {
            "model_name": model,
            "model_label": model_class._meta.label_lower,
            "verbose_name": model_class._meta.verbose_name,
            "pk": pk,
            "history": history,
            "current": current,
            "title": str(current) if current else (own[0].record.instance if own else f"#{pk}"),
            "can_revert": request.user.has_perm("core.revert_history"),
        },
    )


def _version_or_404(model: type[models.Model], pk: int, history_id: int | None) -> Any:
    if history_id is None:
        raise Http404("Choose a version.")
    try:
        return selectors.get_version(model, pk, history_id)
    except history_model(model).DoesNotExist:
        raise Http404("No such version of this record.") from None


@login_required
@require_GET
def compare(request: HttpRequest, model: str, pk: int) -> HttpResponse:
    model_class = _model_or_404(request, model)
    old = _version_or_404(model_class, pk, _int(request.GET.get("old")))
    new = _version_or_404(model_class, pk, _int(request.GET.get("new")))
    if (old.history_date, old.history_id) > (new.history_date, new.history_id):
        old, new = new, old
    return render(
        request,
        "history/compare.html",
        {
            "model_name": model,
            "pk": pk,
            "old": old,
            "new": new,
            "changes": selectors.compare_versions(model_class, old, new),
        },
    )


@login_required
@require_GET
def version(request: HttpRequest, model: str, pk: int, history_id: int) -> HttpResponse:
    model_class = _model_or_404(request, model)
    record = _version_or_404(model_class, pk, history_id)
    moment = selectors.version_moment(model_class, record)
    spec = registry.get(model_class)
    children = [(spec.children_relation(child), selectors.children_at(child, pk, moment)) for child in spec.children()]
    current = for_display(model_class).filter(pk=pk).first()
    return render(
        request,
        "history/version.html",
        {
            "model_name": model,
            "pk": pk,
            "record": record,
            "fields": selectors.snapshot(model_class, record),
            "children": children,
            "current": current,
            "can_revert": request.user.has_perm("core.revert_history") and record.history_type != "-",
            "undoing": _undoing(model_class, pk, request.GET.get("undo")),
        },
    )


def _undoing(model: type[models.Model], pk: int, history_id: str | None) -> Any:
    """The change an "Undo this change" link came from, shown above the revert form."""
    number = _int(history_id)
    if number is None:
        return None
    return history_model(model)._default_manager.filter(id=pk, history_id=number).select_related("history_user").first()


@login_required
@require_GET
def undo(request: HttpRequest, model: str, pk: int, history_id: int) -> HttpResponse:
    """ "Undo this change": the version just before it, with the revert form (a confirmation and a reason)."""
    model_class = _model_or_404(request, model)
    change = _version_or_404(model_class, pk, history_id)
    before = (
        history_model(model_class)
        ._default_manager.filter(id=pk, history_date__lte=change.history_date, history_id__lt=change.history_id)
        .order_by("-history_date", "-history_id")
        .first()
    )
    if before is None:
        messages.error(request, "This change created the record: there is no earlier version to go back to.")
        return HttpResponseRedirect(reverse("history:object", args=[model, pk]))
    url = reverse("history:version", args=[model, pk, before.history_id])
    return HttpResponseRedirect(f"{url}?undo={change.history_id}")


@login_required
@require_POST
def revert(request: HttpRequest, model: str, pk: int) -> HttpResponse:
    model_class = _model_or_404(request, model)
    require(request, "core.revert_history")
    record = _version_or_404(model_class, pk, _int(request.POST.get("version")))
    back = reverse("history:object", args=[model, pk])
    try:
        record_revert(
            model=model_class,
            version=record,
            user=request.user,
            reason=request.POST.get("reason", ""),
            expected_version=_int(request.POST.get("expected_version")),
        )
    except (ValidationError, ConflictError, PermissionDenied) as error:
        messages.error(request, f"Nothing was reverted: {error_text(error)}")
        return HttpResponseRedirect(reverse("history:version", args=[model, pk, record.history_id]))
    messages.success(request, f"Reverted to the version of {record.history_date:%Y-%m-%d %H:%M:%S}.")
    return HttpResponseRedirect(back)
