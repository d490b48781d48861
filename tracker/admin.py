from django.contrib import admin

from core.admin_base import TrackedAdmin, TrackedInlineForm
from sources.admin import ExcerptCheckFilter
from sources.models import Citation
from sources.services import citation_create, citation_delete, citation_update
from tracker import services
from tracker.models import Actor, Claim, Role, Topic


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
