from django.apps import AppConfig


class PushConfig(AppConfig):
    name = "push"
    verbose_name = "Notifications and webhooks"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from core import registry
        from core.web import register_panel
        from positions.models import Position
        from push import conf, tasks, views, watching  # noqa: F401  (tasks: the feed sequencer's hook)
        from sources.models import Citation, Source, SourceCheck
        from sources.signals import citation_checks_recorded
        from tracker.models import Actor, Claim, Topic

        conf.check_settings()

        # Events come from the kernel (push/watching.py): every history row of these models, through
        # the registry's after-change effects, so an edit, a revert and a restore all count.
        for model in (Claim, Position):
            registry.on_change(model, _all_fields(model), watching.on_workflow_change)
        for model in (Actor, Topic, Source):
            registry.on_change(model, _all_fields(model), watching.on_record_change)
        registry.on_change(Citation, _all_fields(Citation), watching.on_citation_change)
        # Check results are bookkeeping without history rows: the check's signal and its row's insert tell.
        citation_checks_recorded.connect(watching.on_citation_checks, dispatch_uid="push-citation-checks")
        post_save.connect(watching.on_source_check, sender=SourceCheck, dispatch_uid="push-source-check")

        # The Follow button on the claim, actor, topic and source pages (core/web.py panels).
        for page, kind in views.FOLLOW_PAGES.items():
            register_panel(page, template="push/_follow_panel.html", context=views.follow_panel(kind), order=1)
        register_panel(
            "tracker:dashboard", template="push/_dashboard_panel.html", context=views.dashboard_panel, order=5
        )


def _all_fields(model) -> tuple[str, ...]:
    return tuple(f.name for f in model._meta.get_fields() if f.concrete or f.many_to_many)
