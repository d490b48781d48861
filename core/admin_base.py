"""What every tracked model's admin shares: an edit summary on save, optimistic locking, services.

The admin never saves a model itself. `save_model` hands the form's values to the model's create
or update service, `save_related` sends inline rows to their services, and the whole request is one
change set, so a claim and its citations edited together share one history change id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from core.exceptions import ConflictError
from core.history import REASON_MAX_LENGTH, change_set

REASON_HELP = "Why you are making this change. Stored in the history with your name."


class ReasonActionForm(ActionForm):
    reason = forms.CharField(
        required=False,
        max_length=REASON_MAX_LENGTH,
        label="Reason",
        widget=forms.TextInput(attrs={"size": 60, "placeholder": "Why (required for workflow actions)"}),
    )


class TrackedModelForm(forms.ModelForm):
    """A model form that asks for the edit summary and carries the version the user started from."""

    change_reason = forms.CharField(
        label="Edit summary",
        max_length=REASON_MAX_LENGTH,
        help_text=REASON_HELP,
        widget=forms.TextInput(attrs={"size": 80}),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        expected = cleaned.get("expected_version")
        if self.instance.pk and expected is not None:
            current = (
                type(self.instance)
                ._default_manager.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if current is not None and current != expected:
                raise ValidationError(
                    f"Someone else saved this record while you were editing (you started from version "
                    f"{expected}, it is now version {current}). Nothing was saved. Open it again in a new tab "
                    "to see their change, then re-apply yours."
                )
        return cleaned


class TrackedInlineForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version


class _ServiceError(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


def error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
        return " ".join(error.messages)
    return str(error)


class TrackedAdmin(SimpleHistoryAdmin):
    """Base admin for tracked models. Subclasses name their services and editable fields."""

    form = TrackedModelForm
    action_form = ReasonActionForm
    history_list_display = ["history_action"]
    list_per_page = 50
    # Set by subclasses: callables taking keyword arguments like the services do.
    create_service: Callable[..., models.Model]
    update_service: Callable[..., models.Model]
    delete_service: Callable[..., None]
    service_object_name: str
    m2m_service_fields: tuple[str, ...] = ()

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        summary = ("change_reason", "expected_version")
        cleaned = []
        for name, options in fieldsets:
            fields = [f for f in options.get("fields", ()) if f not in summary]
            cleaned.append((name, {**options, "fields": fields}))
        if self.has_change_permission(request, obj) or (obj is None and self.has_add_permission(request)):
            cleaned.append(("Edit summary", {"fields": summary}))
        return cleaned

    def form_data(self, form: forms.ModelForm) -> dict[str, Any]:
        ignore = {"change_reason", "expected_version", *self.m2m_service_fields}
        return {name: value for name, value in form.cleaned_data.items() if name not in ignore and name in form.fields}

    def service_kwargs(self, form: forms.ModelForm) -> dict[str, Any]:
        return {name: form.cleaned_data[name] for name in self.m2m_service_fields if name in form.cleaned_data}

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            with change_set():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except _ServiceError as error:
            self.message_user(request, f"Nothing was saved: {error.message}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data["change_reason"]
        try:
            if change:
                saved = self.update_service(
                    **{self.service_object_name: obj},
                    user=request.user,
                    reason=reason,
                    data=self.form_data(form),
                    expected_version=form.cleaned_data.get("expected_version"),
                    **self.service_kwargs(form),
                )
            else:
                saved = self.create_service(
                    user=request.user, reason=reason, data=self.form_data(form), **self.service_kwargs(form)
                )
        except (ValidationError, ConflictError, PermissionDenied) as error:
            raise _ServiceError(error_text(error)) from error
        # The admin goes on with `obj` (logging, redirect, inlines): make it the saved row.
        obj.pk = saved.pk
        obj.version = saved.version
        obj._state.adding = False
        obj._state.db = saved._state.db

    def save_related(self, request, form, formsets, change):
        # M2M fields went through the service in save_model; inlines go through their services.
        reason = form.cleaned_data["change_reason"]
        for formset in formsets:
            # The admin's change message reads these; save_inline_formset fills them.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            try:
                self.save_inline_formset(request, form.instance, formset, reason)
            except (ValidationError, ConflictError, PermissionDenied) as error:
                raise _ServiceError(error_text(error)) from error

    def save_inline_formset(self, request, parent, formset, reason: str) -> None:
        raise NotImplementedError(f"{type(self).__name__} has inlines but no save_inline_formset")

    def delete_model(self, request, obj):
        self.delete_service(
            **{self.service_object_name: obj}, user=request.user, reason=f"Deleted in the admin by {request.user}"
        )

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            with change_set():
                return super().delete_view(request, object_id, extra_context)
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, f"Nothing was deleted: {error_text(error)}", messages.ERROR)
            return HttpResponseRedirect(request.path.rsplit("delete/", 1)[0])

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # The version page is read-only: reverting goes through core.reverting (/history/), which checks
        # the reviewer's permission and the published invariants and records the revert as its own change.
        if request.method != "GET":
            raise PermissionDenied("History is read-only here; revert from the record's history page.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def run_workflow_action(self, request, queryset, service: Callable[..., Any], done: str) -> None:
        """Apply a workflow service to each selected row; report each refusal by name."""
        reason = (request.POST.get("reason") or "").strip()
        if not reason:
            self.message_user(request, "Give a reason in the Reason box next to the action.", messages.ERROR)
            return
        succeeded = 0
        for obj in queryset:
            try:
                service(**{self.service_object_name: obj}, user=request.user, reason=reason)
                succeeded += 1
            except (ValidationError, PermissionDenied, ConflictError) as error:
                self.message_user(request, f"“{obj}”: {error_text(error)}", messages.ERROR)
        if succeeded:
            self.message_user(request, f"{done}: {succeeded}.", messages.SUCCESS)
