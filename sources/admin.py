from django.contrib import admin

from sources import services
from sources.models import Citation, Source
from tracker.admin_base import TrackedAdmin


@admin.register(Source)
class SourceAdmin(TrackedAdmin):
    list_display = ["__str__", "publisher", "kind", "published_on", "url"]
    list_filter = ["kind", "language"]
    search_fields = ["title", "url", "publisher", "author"]
    create_service = staticmethod(services.source_create)
    update_service = staticmethod(services.source_update)
    delete_service = staticmethod(services.source_delete)
    service_object_name = "source"


def _citation_create(*, user, reason, data):
    data = dict(data)
    claim = data.pop("claim")
    return services.citation_create(user=user, reason=reason, claim=claim, data=data)


@admin.register(Citation)
class CitationAdmin(TrackedAdmin):
    list_display = ["__str__", "claim", "relation", "accessed_on"]
    list_filter = ["relation"]
    search_fields = ["excerpt", "source__title", "source__url", "claim__text"]
    autocomplete_fields = ["claim", "source"]
    list_select_related = ["source", "claim__speaker"]
    create_service = staticmethod(_citation_create)
    update_service = staticmethod(services.citation_update)
    delete_service = staticmethod(services.citation_delete)
    service_object_name = "citation"

    def get_readonly_fields(self, request, obj=None):
        # A citation never moves to another claim: delete it and cite again.
        return ["claim"] if obj is not None else []
