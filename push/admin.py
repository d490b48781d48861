"""Admin: partners' webhook endpoints (created and changed through the services, so a URL is vetted
and re-enabling resumes the failed event), their read-only delivery log, and the team's follows and
notifications (read-only: people manage their own on their pages)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from push import services
from push.models import Follow, Notification, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from push.webhooks.signing import new_secret


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WebhookEndpointForm(forms.ModelForm):
    class Meta:
        model = WebhookEndpoint
        fields = ["partner", "url", "description", "event_types", "secret", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["secret"].required = False
        self.fields["secret"].help_text = "Leave empty to generate one (whsec_…)."

    def _post_clean(self):
        # The services' validation (URL vetting, event types, secret), on what the service will save.
        data = self.cleaned_data
        candidate = WebhookEndpoint(
            partner=data.get("partner") or getattr(self.instance, "partner", None),
            url=data.get("url", ""),
            description=data.get("description", ""),
            event_types=data.get("event_types") or [],
            secret=data.get("secret") or new_secret(),
        )
        try:
            services.endpoint_validate(candidate)
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                self.add_error(name if name in self.fields else None, errors)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "partner", "is_active", "disabled_at", "cursor", "created_at"]
    list_filter = ["is_active", "partner"]
    search_fields = ["url", "partner__name", "description"]
    readonly_fields = ["disabled_at", "disabled_reason", "cursor", "replay_round", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            fields = ["url", "description", "event_types", "secret", "is_active"]
            changed = {name: data[name] for name in fields if name in form.changed_data and data.get(name) != ""}
            saved = services.webhook_endpoint_update(endpoint=obj, data=changed)
        else:
            saved = services.webhook_endpoint_create(
                partner=data["partner"],
                url=data["url"],
                description=data.get("description", ""),
                event_types=data.get("event_types") or [],
                secret=data.get("secret") or "",
            )
        # The form skipped ModelForm's own _post_clean, so `obj` holds none of what was saved: the
        # admin's log entry and messages read it next.
        for field in WebhookEndpoint._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ["attempted_at", "outcome", "status_code", "elapsed_ms", "error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["message_id", "endpoint", "event_type", "status", "attempts", "next_attempt_at", "delivered_at"]
    list_filter = ["status", "endpoint__partner"]
    list_select_related = ["endpoint__partner"]
    inlines = [WebhookAttemptInline]


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "object_id", "reason", "created_at"]
    list_filter = ["kind", "reason"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "title", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["title", "user__username"]
