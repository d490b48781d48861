from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect

from sources.admin import ExcerptCheckFilter
from sources.models import Citation
from sources.services import citation_create, citation_delete, citation_update
from tracker import services
from tracker.admin_base import TrackedAdmin, TrackedInlineForm, error_text
from tracker.models import Actor, APIKey, Claim, HistoryPrune, Partner, Role, Topic
from tracker.services import apikey_create, apikey_revoke, partner_create


@admin.register(Actor)
class ActorAdmin(TrackedAdmin):
    list_display = ["name", "kind", "country_code", "wikidata_id", "updated_at"]
    list_filter = ["kind", "country_code"]
    search_fields = ["name", "slug", "aliases", "wikidata_id"]
    prepopulated_fields = {"slug": ["name"]}
    create_service = staticmethod(services.actor_create)
    update_service = staticmethod(services.actor_update)
    delete_service = staticmethod(services.actor_delete)
    service_object_name = "actor"


@admin.register(Role)
class RoleAdmin(TrackedAdmin):
    list_display = ["actor", "title", "organisation", "start_on", "end_on"]
    list_filter = ["organisation"]
    search_fields = ["title", "actor__name", "organisation__name"]
    autocomplete_fields = ["actor", "organisation", "source"]
    list_select_related = ["actor", "organisation"]
    create_service = staticmethod(services.role_create)
    update_service = staticmethod(services.role_update)
    delete_service = staticmethod(services.role_delete)
    service_object_name = "role"


@admin.register(Topic)
class TopicAdmin(TrackedAdmin):
    list_display = ["title", "question", "parent"]
    search_fields = ["title", "question", "slug"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["title"]}
    create_service = staticmethod(services.topic_create)
    update_service = staticmethod(services.topic_update)
    delete_service = staticmethod(services.topic_delete)
    service_object_name = "topic"


class CitationInline(admin.StackedInline):
    model = Citation
    form = TrackedInlineForm
    fields = ["source", "excerpt", "locator", "relation", "accessed_on", "expected_version"]
    autocomplete_fields = ["source"]
    extra = 1
    min_num = 0


@admin.register(Claim)
class ClaimAdmin(TrackedAdmin):
    list_display = ["__str__", "speaker", "kind", "stated_on", "status", "attribution_status", "veracity"]
    list_filter = ["status", "kind", "attribution_status", "veracity", "topics", ExcerptCheckFilter]
    search_fields = ["text", "context", "speaker__name"]
    autocomplete_fields = ["speaker", "topics"]
    list_select_related = ["speaker"]
    readonly_fields = ["status", "version"]
    inlines = [CitationInline]
    actions = ["submit_for_review", "publish", "return_to_draft", "retract"]
    create_service = staticmethod(services.claim_create)
    update_service = staticmethod(services.claim_update)
    delete_service = staticmethod(services.claim_delete)
    service_object_name = "claim"
    m2m_service_fields = ("topics",)

    def save_inline_formset(self, request, parent, formset, reason):
        for form in formset.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            citation = form.instance if form.instance.pk else None
            if citation is not None and form.cleaned_data.get("DELETE"):
                citation_delete(citation=citation, user=request.user, reason=reason)
                formset.deleted_objects.append(citation)
                continue
            data = {name: form.cleaned_data[name] for name in CitationInline.fields if name != "expected_version"}
            if citation is None:
                formset.new_objects.append(citation_create(user=request.user, reason=reason, claim=parent, data=data))
            elif form.has_changed():
                formset.changed_objects.append((citation, form.changed_data))
                citation_update(
                    citation=citation,
                    user=request.user,
                    reason=reason,
                    data=data,
                    expected_version=form.cleaned_data.get("expected_version"),
                )

    @admin.action(description="Submit selected claims for review", permissions=["change"])
    def submit_for_review(self, request, queryset):
        self.run_workflow_action(request, queryset, services.claim_submit, "Submitted for review")

    @admin.action(description="Publish selected claims", permissions=["publish"])
    def publish(self, request, queryset):
        self.run_workflow_action(request, queryset, services.claim_publish, "Published")

    @admin.action(description="Return selected claims to draft", permissions=["publish"])
    def return_to_draft(self, request, queryset):
        self.run_workflow_action(request, queryset, services.claim_return, "Returned to draft")

    @admin.action(description="Retract selected claims", permissions=["publish"])
    def retract(self, request, queryset):
        self.run_workflow_action(request, queryset, services.claim_retract, "Retracted")

    def has_publish_permission(self, request):
        return request.user.has_perm("tracker.publish_claim")


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
