from django.apps import AppConfig


class SeedsConfig(AppConfig):
    """The top layer: loads the seed dossier and the benchmarks' synthetic data, through every app's services."""

    name = "seeds"
    verbose_name = "Seed and benchmark data"
