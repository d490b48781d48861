from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Tracker"

    def ready(self) -> None:
        from tracker import audit  # noqa: F401  (connects the change index to simple-history's signal)

        post_migrate.connect(_sync_roles_after_migrate, sender=self)


def _sync_roles_after_migrate(sender, apps, verbosity=0, **kwargs) -> None:
    from tracker.roles import sync_roles

    sync_roles(apps, verbosity=verbosity)
