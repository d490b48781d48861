from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Tracker"

    def ready(self) -> None:
        from tracker import feed  # noqa: F401 (connects the changes feed to history rows)
