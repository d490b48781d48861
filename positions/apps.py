from django.apps import AppConfig


class PositionsConfig(AppConfig):
    name = "positions"
    verbose_name = "Positions"

    def ready(self) -> None:
        from core.web import register_column, register_panel
        from positions import (
            services,  # noqa: F401  (registers positions with the kernel)
            views,
        )

        # What positions add to the tracker's pages, which cannot import this app (core/web.py).
        register_panel(
            "tracker:dashboard", template="positions/_dashboard_panel.html", context=views.dashboard_panel, order=10
        )
        register_panel(
            "tracker:claim-detail",
            template="positions/_claim_positions_panel.html",
            context=views.claim_positions_panel,
            order=20,
        )
        register_column(
            "tracker:actor-list",
            header="Positions",
            template="positions/_position_count_cell.html",
            annotate=views.with_position_count,
        )
