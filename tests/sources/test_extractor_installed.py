"""A missing page extractor fails loudly: `manage.py check` names it, and nothing falls back silently
(issue 13, point 3)."""

import importlib

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from sources import checks
from sources.content import extraction


def test_the_installed_extractor_passes_the_check():
    assert checks.extractor_installed() == []
    assert extraction.trafilatura.__name__ == "trafilatura"  # imported with the module, not on first use


def test_a_missing_extractor_dependency_stops_manage_py_check(monkeypatch):
    real = importlib.import_module

    def without_lxml_html_clean(name, *args, **kwargs):
        if name == "lxml_html_clean":
            raise ImportError("No module named 'lxml_html_clean'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(checks.importlib, "import_module", without_lxml_html_clean)

    [error] = checks.extractor_installed()
    assert error.id == "sources.E001"
    assert error.msg.startswith("lxml_html_clean cannot be imported")
    with pytest.raises(SystemCheckError, match="sources.E001"):
        call_command("check")
