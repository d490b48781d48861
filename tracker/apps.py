from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Tracker"

    def ready(self) -> None:
        post_migrate.connect(_sync_roles_after_migrate, sender=self)


def _sync_roles_after_migrate(sender, apps=None, verbosity=0, **kwargs) -> None:
    from tracker.roles import sync_roles

    if apps is None:
        # `flush` (run after every transactional test) sends post_migrate without `apps`.
        from django.apps import apps
    sync_roles(apps, verbosity=verbosity)
