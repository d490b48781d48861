from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Tracker"

    def ready(self) -> None:
        post_migrate.connect(_sync_roles_after_migrate, sender=self)
        from tracker import feed  # noqa: F401 (connects the changes feed to history rows)


def _sync_roles_after_migrate(sender, apps=None, verbosity=0, **kwargs) -> None:
    from django.apps import apps as installed_apps

    from tracker.roles import sync_roles

    # `flush` (e.g. after a transactional test) sends post_migrate without `apps`.
    sync_roles(apps or installed_apps, verbosity=verbosity)
