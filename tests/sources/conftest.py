"""Fixtures of the sources tests."""

import uuid
from collections.abc import Iterator

import pytest

from tests.sources.checking_support import HOST
from tests.sources.httpserver import LocalHTTPServer


@pytest.fixture
def news_server(settings) -> Iterator[LocalHTTPServer]:
    """A local server reachable as http://news.test:<port>/, with a fresh politeness namespace."""
    with LocalHTTPServer() as server:
        settings.FETCH_ALLOWED_PORTS = [server.port]
        settings.FETCH_STATIC_HOSTS = {HOST: "127.0.0.1", "*.news.test": "127.0.0.1"}
        # Throttle and robots.txt entries live in Redis when REDIS_URL is set: keep tests apart.
        settings.FETCH_REDIS_KEY_PREFIX = f"test-{uuid.uuid4().hex}"
        yield server
