from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Tracker"

    def ready(self) -> None:
        from tracker import services  # noqa: F401  (registers actors, roles, topics and claims with the kernel)
