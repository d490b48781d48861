"""Fixtures of the sources tests."""

from collections.abc import Iterator

import pytest

from tests.sources.checking_support import news_site_server
from tests.sources.httpserver import LocalHTTPServer


@pytest.fixture
def news_server(settings) -> Iterator[LocalHTTPServer]:
    """A local server reachable as http://news.test:<port>/, with a fresh politeness namespace."""
    with news_site_server(settings) as server:
        yield server
