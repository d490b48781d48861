from django.contrib import admin

from core.admin_base import TrackedAdmin
from positions import services
from positions.models import Position


@admin.register(Position)
class PositionAdmin(TrackedAdmin):
    list_display = ["actor", "topic", "stance", "as_of", "as_of_precision", "status"]
    list_filter = ["status", "stance", "topic"]
    search_fields = ["actor__name", "topic__title", "summary", "conditions"]
    autocomplete_fields = ["actor", "topic", "evidence"]
    list_select_related = ["actor", "topic"]
    readonly_fields = ["status", "version"]
    date_hierarchy = "as_of"
    actions = ["submit_for_review", "publish", "return_to_draft", "retract"]
    create_service = staticmethod(services.position_create)
    update_service = staticmethod(services.position_update)
    delete_service = staticmethod(services.position_delete)
    service_object_name = "position"
    m2m_service_fields = ("evidence",)

    @admin.action(description="Submit selected positions for review", permissions=["change"])
    def submit_for_review(self, request, queryset):
        self.run_workflow_action(request, queryset, services.position_submit, "Submitted for review")

    @admin.action(description="Publish selected positions", permissions=["publish"])
    def publish(self, request, queryset):
        self.run_workflow_action(request, queryset, services.position_publish, "Published")

    @admin.action(description="Return selected positions to draft", permissions=["publish"])
    def return_to_draft(self, request, queryset):
        self.run_workflow_action(request, queryset, services.position_return, "Returned to draft")

    @admin.action(description="Retract selected positions", permissions=["publish"])
    def retract(self, request, queryset):
        self.run_workflow_action(request, queryset, services.position_retract, "Retracted")

    def has_publish_permission(self, request):
        return request.user.has_perm("positions.publish_position")
