from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Kernel"

    def ready(self) -> None:
        from core import audit  # noqa: F401  (connects the change index to simple-history's signal)

        post_migrate.connect(_sync_roles_after_migrate, sender=self)


def _sync_roles_after_migrate(sender, apps=None, verbosity=0, **kwargs) -> None:
    # `flush` (transactional tests tear down with it) sends post_migrate without `apps`.
    from django.apps import apps as installed_apps

    from core.roles import sync_roles

    sync_roles(apps or installed_apps, verbosity=verbosity)
