from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Kernel"

    def ready(self) -> None:
        # The change index and the feed connect to history rows; the feed queues core.tasks by name.
        from core import audit, feed, job_views, tasks  # noqa: F401
        from core.web import register_panel

        register_panel(
            "tracker:dashboard", template="jobs/_dashboard_panel.html", context=job_views.dashboard_panel, order=0
        )
        post_migrate.connect(_sync_roles_after_migrate, sender=self)
        checks.register(_registry_complete, checks.Tags.models)


def _registry_complete(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every model that keeps history is registered with the kernel (runs with every manage.py command)."""
    from core.registry import check_registry

    return [checks.Error(problem, id="core.E001") for problem in check_registry()]


def _sync_roles_after_migrate(sender, apps=None, verbosity=0, **kwargs) -> None:
    # `flush` (transactional tests tear down with it) sends post_migrate without `apps`.
    from django.apps import apps as installed_apps

    from core.roles import sync_roles

    sync_roles(apps or installed_apps, verbosity=verbosity)
