from django.apps import AppConfig


class PublishingConfig(AppConfig):
    """Public fact-check pages: published work only, no login, opt-in (PUBLIC_PAGES_ENABLED)."""

    name = "publishing"
    verbose_name = "Public pages"
