"""Admin for the kernel's own rows: partners, API keys and the history retention log."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect

from core.admin_base import error_text
from core.models import APIKey, HistoryPrune, Partner
from core.services import apikey_create, apikey_revoke, partner_create


class APIKeyAddForm(forms.ModelForm):
    class Meta:
        model = APIKey
        fields = ["name", "partner", "user", "scope", "expires_at"]
        help_texts = {"user": "For a team member's own key; leave empty for a partner key."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].required = False


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "contact_email", "is_active", "created_at"]
    search_fields = ["name", "slug", "contact_email"]
    fields = ["name", "slug", "contact_email", "is_active", "user"]
    readonly_fields = ["slug", "user"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        created = partner_create(name=obj.name, contact_email=obj.contact_email)
        obj.pk, obj.slug, obj.user = created.pk, created.slug, created.user
        obj._state.adding = False


@admin.register(APIKey)
class APIKeyAdmin(admin.ModelAdmin):
    """Keys are created here or with `manage.py createapikey`; the secret is shown once, then only revoked."""

    list_display = ["prefix", "name", "partner", "user", "scope", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["scope", "partner"]
    search_fields = ["prefix", "name", "partner__name", "user__username"]
    readonly_fields = ["prefix", "name", "partner", "user", "scope", "created_at", "last_used_at"]
    fields = ["prefix", "name", "partner", "user", "scope", "created_at", "expires_at", "revoked_at", "last_used_at"]
    actions = ["revoke"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = APIKeyAddForm
            kwargs["fields"] = APIKeyAddForm.Meta.fields
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return APIKeyAddForm.Meta.fields if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["expires_at", "revoked_at"])
            return
        try:
            key, secret = apikey_create(
                name=obj.name,
                scope=obj.scope,
                partner=obj.partner,
                user=None if obj.partner else obj.user,
                expires_at=obj.expires_at,
            )
        except ValidationError as error:
            raise _KeyError(error_text(error)) from error
        obj.pk = key.pk
        obj._state.adding = False
        self.message_user(
            request,
            f"The new key, shown only this once — copy it now: {secret}",
            messages.WARNING,
        )

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except _KeyError as error:
            self.message_user(request, f"No key was created: {error}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset):
        for key in queryset:
            apikey_revoke(key=key)
        self.message_user(request, f"Revoked {queryset.count()} keys.", messages.SUCCESS)


class _KeyError(Exception):
    pass


@admin.register(HistoryPrune)
class HistoryPruneAdmin(admin.ModelAdmin):
    """The retention log: readable, never editable (rows are written only by `manage.py prunehistory`)."""

    list_display = ["run_at", "before", "total", "user", "reason"]
    readonly_fields = ["run_at", "before", "total", "counts", "user", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
