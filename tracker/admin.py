"""Admin of actors, roles, topics and claims. Apps above extend the claim admin with their own parts
(sources: the citations inline and the excerpt-check filter, in sources/admin.py)."""

from django.contrib import admin

from core.admin_base import TrackedAdmin, TrackedModelForm
from tracker import services
from tracker.forms import AliasesField
from tracker.models import Actor, Claim, Role, Topic
from tracker.search import claim_search


class ActorAdminForm(TrackedModelForm):
    aliases = AliasesField(label="Other names")  # one per line, not raw JSON


@admin.register(Actor)
class ActorAdmin(TrackedAdmin):
    form = ActorAdminForm
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


@admin.register(Claim)
class ClaimAdmin(TrackedAdmin):
    list_display = ["__str__", "speaker", "kind", "stated_on", "status", "attribution_status", "veracity"]
    list_filter = ["status", "kind", "attribution_status", "veracity", "topics"]
    # The autocomplete's fields (picking a claim elsewhere); the changelist searches with claim_search.
    search_fields = ["text", "context", "speaker__name"]
    autocomplete_fields = ["speaker", "topics"]
    list_select_related = ["speaker"]
    readonly_fields = ["status", "version"]
    actions = ["submit_for_review", "publish", "return_to_draft", "retract"]
    create_service = staticmethod(services.claim_create)
    update_service = staticmethod(services.claim_update)
    delete_service = staticmethod(services.claim_delete)
    service_object_name = "claim"
    m2m_service_fields = ("topics",)

    def get_search_results(self, request, queryset, search_term):
        # Picking a claim in another record's autocomplete (a position's evidence) matches as you type;
        # the changelist's search box is the one claim search the web pages and the API use.
        if request.resolver_match and request.resolver_match.url_name == "autocomplete":
            return super().get_search_results(request, queryset, search_term)
        return claim_search(queryset, search_term), False

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
