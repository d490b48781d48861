"""Shared set-up for source-check tests: a local server under made-up host names, pages to serve."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from typing import Any

from tests.sources.httpserver import LocalHTTPServer

HOST = "news.test"

ARTICLE_PARAGRAPHS = [
    "European leaders met in Paris on Monday to discuss the war in Ukraine and the security of the continent.",
    "The British prime minister said the United Kingdom was ready and willing to put troops on the ground "
    "in Ukraine if there were a lasting peace agreement.",
    "Germany's chancellor called the debate about troops premature and highly inappropriate while the "
    "fighting continues.",
    "Poland said it would not send soldiers but would support the effort with logistics and political backing.",
    "The leaders agreed that Europe must spend more on defence and that Ukraine must be part of any talks.",
]


@contextlib.contextmanager
def news_site_server(settings: Any) -> Iterator[LocalHTTPServer]:
    """A local server answering as http://news.test:<port>/ (and any *.news.test), with `settings` (pytest-django's
    fixture, which restores them) set so the fetcher reaches it: its port allowed, those names resolved to
    127.0.0.1 (the fetcher resolves nothing else in tests), and a fresh namespace for the politeness entries
    (throttle, robots.txt), which live in Redis when REDIS_URL is set and would otherwise leak between tests."""
    with LocalHTTPServer() as server:
        settings.FETCH_ALLOWED_PORTS = [server.port]
        settings.FETCH_STATIC_HOSTS = {HOST: "127.0.0.1", f"*.{HOST}": "127.0.0.1"}
        settings.FETCH_REDIS_KEY_PREFIX = f"test-{uuid.uuid4().hex}"
        yield server


def article_html(
    paragraphs: list[str] | None = None,
    *,
    title: str = "Leaders meet in Paris on Ukraine",
    meta: str = "",
    footer: str = "Copyright 2025 Example News. All rights reserved.",
) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in (paragraphs if paragraphs is not None else ARTICLE_PARAGRAPHS))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>{meta}</head>
<body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/politics">Politics</a></nav>
<article><h1>{title}</h1>
{body}
</article>
<footer>{footer}</footer>
</body></html>"""


def page_url(server: LocalHTTPServer, path: str) -> str:
    return server.url(path, host=HOST)
