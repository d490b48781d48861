"""A source the tracker knows the speakers of, and a local news site to paste URLs of."""

import datetime

import pytest

from sources.models import Source
from tests.browser.conftest import browser  # noqa: F401  (the shared Chromium fixture, for test_browser.py)
from tests.factories import ActorFactory, SourceFactory, TopicFactory
from tests.sources.checking_support import ARTICLE_PARAGRAPHS, article_html, news_site_server
from tracker.models import Role

ARTICLE = (
    "European leaders met in Paris on Monday to discuss the war in Ukraine.\n"
    "The British prime minister said the United Kingdom was ready to put troops on the ground in Ukraine if "
    "there were a lasting peace agreement.\n"
    "He also warned that a deal made over Europe's head would not last.\n"
    "“The breaking of that consensus is important,” said Avi Bell, a senior fellow at a policy forum.\n"
)


@pytest.fixture
def tracked(db):
    """Keir Starmer (prime minister of the United Kingdom since July 2024) and a topic on troops."""
    uk = ActorFactory(name="United Kingdom", slug="united-kingdom", kind="state", aliases=["UK", "Britain"])
    starmer = ActorFactory(name="Keir Starmer", slug="keir-starmer", kind="person", aliases=["Starmer"])
    Role.objects.create(actor=starmer, organisation=uk, title="Prime Minister", start_on=datetime.date(2024, 7, 5))
    topic = TopicFactory(title="European troops in Ukraine", question="Should European troops be deployed to Ukraine?")
    return {"uk": uk, "starmer": starmer, "topic": topic}


@pytest.fixture
def article(tracked) -> Source:
    return SourceFactory(
        title="Leaders meet in Paris",
        url="",
        stored_text=ARTICLE,
        published_on=datetime.date(2025, 2, 17),
        published_on_precision="day",
    )


@pytest.fixture
def news_site(settings):
    """A local server answering as http://news.test:<port>/ (the fetcher resolves nothing else in tests)."""
    with news_site_server(settings) as server:
        server.add("/2025/02/17/paris", body=article_html(ARTICLE_PARAGRAPHS))
        yield server
