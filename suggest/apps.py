from django.apps import AppConfig


class SuggestConfig(AppConfig):
    name = "suggest"
    verbose_name = "Suggested claims"

    def ready(self) -> None:
        from core import jobs
        from core.web import register_panel
        from suggest import reading, views

        # "Start from an article" reads the page in a background job (core/jobs.py), not in the request.
        jobs.register(reading.READ_JOB, reading.run_read_job, onward=reading.suggestions_of)

        # What suggestions add to the pages of the apps below, which cannot import this one (core/web.py).
        register_panel(
            "sources:source-detail", template="suggest/_source_panel.html", context=views.source_panel, order=5
        )
        register_panel("sources:claim-new", template="suggest/_claim_new_panel.html", context=views.claim_new_panel)
