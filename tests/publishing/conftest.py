"""Public pages switched on, each test with its own cache keys, and helpers to read the pages."""

import json
import uuid
from html.parser import HTMLParser

import pytest
from django.test import Client

from tests.api.conftest import dossier  # noqa: F401  (the published work and the drafts beside it)


@pytest.fixture(autouse=True)
def public_pages(settings):
    settings.PUBLIC_PAGES_ENABLED = True
    settings.PUBLIC_PAGES_CACHE_SECONDS = 300
    # One test's cached pages must never answer another's (the same slugs recur; Redis may be shared).
    settings.PUBLIC_PAGES_CACHE_PREFIX = f"public-test-{uuid.uuid4().hex}"
    settings.PUBLISHER_NAME = "Example Fact Desk"
    settings.PUBLISHER_URL = "https://factdesk.example.org/"
    settings.PUBLISHER_LOGO_URL = "https://factdesk.example.org/logo.png"
    return settings


@pytest.fixture
def anonymous():
    """A visitor with no account and no cookies."""
    return Client()


class _JsonLdScripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.blocks: list[str] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        self._inside = tag == "script" and dict(attrs).get("type") == "application/ld+json"
        if self._inside:
            self.blocks.append("")

    def handle_endtag(self, tag):
        self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.blocks[-1] += data


def json_ld_blocks(html: str) -> list[dict]:
    """Every JSON-LD block of a page, parsed, as a crawler reads them."""
    parser = _JsonLdScripts()
    parser.feed(html)
    return [json.loads(block) for block in parser.blocks]
