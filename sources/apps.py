from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "sources"
    verbose_name = "Sources"

    def ready(self) -> None:
        from core import jobs, registry
        from core.web import register_column, register_panel
        from sources import (
            checks,  # noqa: F401  (registers the system checks)
            imports,
            services,  # noqa: F401  (registers sources and citations with the kernel)
            tasks,
            views,
        )
        from sources.models import Citation, Source

        # Checking sits above the services (tasks -> checking -> services), so the services cannot
        # ask for a check themselves; every write that records one of these changes (an edit, a revert,
        # a restore) asks here: the source is marked due in the write's own transaction, and a worker
        # is nudged once it commits (docs/design.md, "Checks: the database decides what is due").
        registry.on_change(
            Source, ("url", "stored_text"), lambda source: tasks.enqueue_check(source.pk), on_create=False
        )
        registry.on_change(Citation, ("excerpt", "source"), lambda citation: tasks.enqueue_check(citation.source_id))

        # The CSV import runs as a background job (core/jobs.py), not in the request.
        jobs.register(views.IMPORT_JOB, imports.run_import_job)

        # What sources add to pages of the apps below, which cannot import this one (core/web.py).
        register_panel(
            "tracker:dashboard", template="sources/_dashboard_panel.html", context=views.dashboard_panel, order=20
        )
        register_panel("tracker:search", template="sources/_search_panel.html", context=views.search_panel, order=10)
        register_panel(
            "tracker:claim-detail",
            template="sources/_claim_citations_panel.html",
            context=views.claim_citations_panel,
            order=10,
        )
        register_panel(
            "positions:position-detail",
            template="sources/_evidence_excerpts_panel.html",
            context=views.evidence_excerpts_panel,
            order=10,
        )
        register_column(
            "tracker:claim-list",
            header="Citations",
            template="sources/_citation_count_cell.html",
            annotate=views.with_citation_count,
        )
