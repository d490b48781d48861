from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Tracker"

    def ready(self) -> None:
        post_migrate.connect(_sync_roles_after_migrate, sender=self)
        from tracker import feed  # noqa: F401 (connects the changes feed to history rows)


def _sync_roles_after_migrate(sender, apps, verbosity=0, **kwargs) -> None:
    from tracker.roles import sync_roles

    sync_roles(apps, verbosity=verbosity)
