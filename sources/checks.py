"""System checks of the sources app: what the source checks cannot run without."""

from __future__ import annotations

import importlib
from typing import Any

from django.core import checks

# The page extractor and what it needs at import time (lxml_html_clean is a separate package since
# lxml 5.2; pip 23 installing requirements without a full lock left it out, and trafilatura failed).
REQUIRED_MODULES = ("trafilatura", "htmldate", "lxml_html_clean", "pypdf", "protego", "w3lib", "rapidfuzz")


@checks.register()
def extractor_installed(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors = []
    for name in REQUIRED_MODULES:
        try:
            importlib.import_module(name)
        except ImportError as error:
            errors.append(
                checks.Error(
                    f"{name} cannot be imported ({error}); source checks cannot read pages without it.",
                    hint="pip install -r requirements.txt (every package is pinned there).",
                    id="sources.E001",
                )
            )
    return errors
