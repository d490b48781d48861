"""Admin of sources, citations and check results, and the claim admin's citation parts: the claim admin
is tracker's, extended here with the citations inline and the excerpt-check filter."""

from django.contrib import admin, messages
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from core.admin_base import TrackedAdmin, TrackedInlineForm
from sources import services
from sources.choices import FLAGGED_QUOTE_STATUSES, QuoteStatus
from sources.models import Citation, CitationCheck, FlaggedCitation, Source, SourceCheck, SourceSnapshot
from sources.tasks import enqueue_check
from tracker import admin as tracker_admin
from tracker.models import Claim


class ReadOnlyAdmin(admin.ModelAdmin):
    """Check results are written by checks only; people read them with the view permission on sources."""

    view_permission = "sources.view_source"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(self.view_permission)

    def has_module_permission(self, request):
        return request.user.has_perm(self.view_permission)


@admin.register(Source)
class SourceAdmin(TrackedAdmin):
    list_display = ["__str__", "publisher", "kind", "published_on", "health", "last_checked_at", "next_check_at", "url"]
    list_filter = ["health", "kind", "language"]
    search_fields = ["title", "url", "publisher", "author"]
    readonly_fields = ["health", "last_checked_at", "next_check_at", "consecutive_failures", "first_failure_at"]
    actions = ["check_now"]
    create_service = staticmethod(services.source_create)
    update_service = staticmethod(services.source_update)
    delete_service = staticmethod(services.source_delete)
    service_object_name = "source"

    @admin.action(description="Check now (link, text and excerpts)", permissions=["change"])
    def check_now(self, request, queryset):
        requests = [enqueue_check(source_id) for source_id in queryset.values_list("pk", flat=True)]
        # `sent` is known once the asking transaction commits (None inside an outer one: say queued).
        waiting = sum(1 for asked in requests if asked.sent is False)
        if len(requests) - waiting:
            self.message_user(
                request,
                f"Queued a check of {len(requests) - waiting} source(s); results appear under Source checks.",
                messages.SUCCESS,
            )
        if waiting:
            self.message_user(
                request,
                f"{waiting} check(s) are scheduled but not queued yet: the task queue cannot be reached just now. "
                "They run when the worker is back.",
                messages.WARNING,
            )


def _checked_against(citation: Citation) -> str:
    """Which text the citation's latest verification read: the live page or the pasted text."""
    return citation.quote_check.source_check.get_excerpts_checked_against_display() if citation.quote_check else "—"


def _citation_create(*, user, reason, data):
    data = dict(data)
    claim = data.pop("claim")
    return services.citation_create(user=user, reason=reason, claim=claim, data=data)


@admin.register(Citation)
class CitationAdmin(TrackedAdmin):
    list_display = ["__str__", "claim", "relation", "accessed_on", "quote_status", "checked_against"]
    list_filter = ["relation", "quote_status"]
    search_fields = ["excerpt", "source__title", "source__url", "claim__text"]
    autocomplete_fields = ["claim", "source"]
    list_select_related = ["source", "claim__speaker", "quote_check__source_check"]
    create_service = staticmethod(_citation_create)
    update_service = staticmethod(services.citation_update)
    delete_service = staticmethod(services.citation_delete)
    service_object_name = "citation"

    @admin.display(description="Excerpt checked against")
    def checked_against(self, obj):
        return _checked_against(obj)

    def get_readonly_fields(self, request, obj=None):
        # A citation never moves to another claim: delete it and cite again.
        return ["claim"] if obj is not None else []


class CitationCheckInline(admin.TabularInline):
    model = CitationCheck
    fields = ["citation", "status", "score", "excerpt", "matched_passage"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SourceCheck)
class SourceCheckAdmin(ReadOnlyAdmin):
    list_display = [
        "source",
        "finished_at",
        "outcome",
        "http_status",
        "health",
        "text_changed",
        "excerpts_checked_against",
        "elapsed_ms",
    ]
    list_filter = ["outcome", "health", "text_changed", "excerpts_checked_against"]
    search_fields = ["source__title", "source__url", "final_url"]
    list_select_related = ["source"]
    date_hierarchy = "finished_at"
    inlines = [CitationCheckInline]


@admin.register(SourceSnapshot)
class SourceSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["source", "created_at", "fingerprint"]
    search_fields = ["source__title", "source__url"]
    list_select_related = ["source"]
    fields = ["source", "created_at", "fingerprint", "diff", "text"]
    readonly_fields = fields

    @admin.display(description="Changes since the previous snapshot")
    def diff(self, obj):
        previous = (
            SourceSnapshot.objects.filter(source_id=obj.source_id, created_at__lt=obj.created_at)
            .order_by("-created_at", "-id")
            .first()
        )
        if previous is None:
            return "First snapshot of this source."
        return format_html("<pre style='white-space: pre-wrap'>{}</pre>", obj.diff_against(previous))


@admin.register(FlaggedCitation)
class FlaggedCitationAdmin(ReadOnlyAdmin):
    """The editors' worklist: excerpts the latest check could not find as cited, beside the closest passage."""

    view_permission = "sources.view_citation"
    list_display = ["claim_link", "quote_status", "score", "excerpt_and_passage", "source", "checked_at", "against"]
    list_filter = ["quote_status", "claim__status"]
    search_fields = ["excerpt", "claim__text", "source__title", "source__url"]
    list_select_related = ["claim__speaker", "source", "quote_check__source_check"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(quote_status__in=FLAGGED_QUOTE_STATUSES)

    @admin.display(description="Claim", ordering="claim")
    def claim_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:tracker_claim_change", args=[obj.claim_id]), obj.claim)

    @admin.display(description="Similarity")
    def score(self, obj):
        return f"{obj.quote_check.score:.0f}" if obj.quote_check else "—"

    @admin.display(description="Excerpt / closest passage in the source")
    def excerpt_and_passage(self, obj):
        passage = obj.quote_check.matched_passage if obj.quote_check else ""
        return format_html_join(
            "",
            "<div><strong>{}</strong> {}</div>",
            [("Cited:", obj.excerpt), ("Now:", passage or "(nothing close)")],
        )

    @admin.display(description="Checked against")
    def against(self, obj):
        return _checked_against(obj)

    @admin.display(description="Checked", ordering="quote_check__source_check__finished_at")
    def checked_at(self, obj):
        return obj.quote_check.source_check.finished_at if obj.quote_check else None


class ExcerptCheckFilter(admin.SimpleListFilter):
    """Claims whose citations the latest source check found altered or missing."""

    title = "excerpt check"
    parameter_name = "excerpt_check"

    def lookups(self, request, model_admin):
        return [
            ("flagged", "Flagged (altered or missing)"),
            ("unverified", "Not verified yet"),
            ("present", "All present"),
        ]

    def queryset(self, request, queryset):
        citations = Citation.objects.filter(claim=OuterRef("pk"))
        flagged = Exists(citations.filter(quote_status__in=FLAGGED_QUOTE_STATUSES))
        unverified = Exists(citations.filter(quote_status=QuoteStatus.UNVERIFIED))
        if self.value() == "flagged":
            return queryset.filter(flagged)
        if self.value() == "unverified":
            return queryset.filter(unverified)
        if self.value() == "present":
            return queryset.filter(Exists(citations)).exclude(flagged).exclude(unverified)
        return queryset


class CitationInline(admin.StackedInline):
    model = Citation
    form = TrackedInlineForm
    fields = ["source", "excerpt", "locator", "relation", "accessed_on", "expected_version"]
    autocomplete_fields = ["source"]
    extra = 1
    min_num = 0


admin.site.unregister(Claim)


@admin.register(Claim)
class ClaimAdmin(tracker_admin.ClaimAdmin):
    """Tracker's claim admin with the claim's citations inline, saved through the citation services in the
    claim's change set, and the excerpt-check filter."""

    inlines = [*tracker_admin.ClaimAdmin.inlines, CitationInline]
    list_filter = [*tracker_admin.ClaimAdmin.list_filter, ExcerptCheckFilter]

    def save_inline_formset(self, request, parent, formset, reason):
        for form in formset.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            citation = form.instance if form.instance.pk else None
            if citation is not None and form.cleaned_data.get("DELETE"):
                services.citation_delete(citation=citation, user=request.user, reason=reason)
                formset.deleted_objects.append(citation)
                continue
            data = {name: form.cleaned_data[name] for name in CitationInline.fields if name != "expected_version"}
            if citation is None:
                formset.new_objects.append(
                    services.citation_create(user=request.user, reason=reason, claim=parent, data=data)
                )
            elif form.has_changed():
                formset.changed_objects.append((citation, form.changed_data))
                services.citation_update(
                    citation=citation,
                    user=request.user,
                    reason=reason,
                    data=data,
                    expected_version=form.cleaned_data.get("expected_version"),
                )
