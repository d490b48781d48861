"""Every list endpoint uses the same small number of queries at page size 10 and 100."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.feed import sequence_feed
from positions.choices import Stance
from sources.choices import CheckOutcome
from tests.api.conftest import client_for, make_check
from tests.factories import ActorFactory, CitationFactory, ClaimFactory, PositionFactory, SourceFactory, TopicFactory
from tracker.choices import EditorialStatus
from tracker.models import Role

pytestmark = pytest.mark.django_db

# Enough rows that a page of 100 holds three times a page of 10: a per-row query would show.
N = 30

LISTS = [
    "/api/v1/actors/",
    "/api/v1/roles/",
    "/api/v1/topics/",
    "/api/v1/claims/",
    "/api/v1/claims/?q=statement&topic=topic-0",
    "/api/v1/positions/",
    "/api/v1/sources/",
    "/api/v1/citations/",
    "/api/v1/source-checks/",
    "/api/v1/source-checks/?outcome=ok&outcome=gone",
    "/api/v1/position-changes/",
    "/api/v1/topics/topic-0/stances/",
    "/api/v1/actors/actor-0/timeline/",
]
# A key costs one query; a session costs four (session, user, user and group permissions).
# The rest is the page's rows and one query per prefetched relation.
MAX_QUERIES = {"partner_reader": 4, "viewer": 7}
# The feed renders each resource type on the page with that type's list query, so its count
# depends on the mix of types on the page (at most seven), not on the page size.
# One more than the events and renders: the read first checks that nothing is left to number.
FEED_MAX_QUERIES = {"partner_reader": 3 + 7 * 3, "viewer": 6 + 7 * 3}


@pytest.fixture
def many(db):
    topics = [TopicFactory(slug=f"topic-{i}", title=f"Topic {i}") for i in range(3)]
    actors = [ActorFactory(slug=f"actor-{i}", name=f"Actor {i}") for i in range(N)]
    sources = [SourceFactory() for _ in range(N)]
    for i, source in enumerate(sources):  # two checks each: the sources list shows only the newest
        make_check(source, CheckOutcome.GONE, 404, minutes_ago=60)
        make_check(source, CheckOutcome.OK, 200, final_url=f"https://moved.example.org/{i}")
    for i, actor in enumerate(actors):
        claim = ClaimFactory(speaker=actors[0] if i % 2 else actor, status=EditorialStatus.PUBLISHED)
        claim.topics.add(topics[i % 3], topics[(i + 1) % 3])
        CitationFactory(claim=claim, source=sources[i])
        CitationFactory(claim=claim, source=sources[(i + 1) % N])
        for day, stance in ((1, Stance.SUPPORT), (2, Stance.OPPOSE)):
            position = PositionFactory(
                actor=actor,
                topic=topics[0],
                stance=stance,
                as_of=datetime.date(2025, 1, day),
                status=EditorialStatus.PUBLISHED,
            )
            position.evidence.add(claim)
        Role.objects.create(actor=actor, organisation=actors[(i + 1) % N], title="Member")


def _count(client, url):
    separator = "&" if "?" in url else "?"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{url}{separator}page_size=10")
    small = len(queries)
    assert response.status_code == 200, response.content[:300]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{url}{separator}page_size=100")
    assert response.status_code == 200
    return small, len(queries), response.json()


@pytest.mark.parametrize("persona", ["partner_reader", "viewer"])
def test_list_endpoints_use_the_same_few_queries_at_page_size_10_and_100(many, persona, request):
    client = client_for(request.getfixturevalue(persona))
    client.get("/api/v1/actors/")  # the key's last-used time is written once a minute; not part of a page

    counts = {url: _count(client, url) for url in LISTS}

    for url, (small, large, body) in counts.items():
        assert small == large, f"{url}: {small} queries at 10, {large} at 100"
        assert large <= MAX_QUERIES[persona], f"{url}: {large} queries"
        rows = body["results"] if isinstance(body, dict) else body
        assert rows, f"{url} returned nothing, so the count proves nothing"


@pytest.mark.parametrize("persona", ["partner_reader", "viewer"])
def test_the_changes_feed_query_count_is_bounded_by_resource_types_not_page_size(many, persona, request):
    client = client_for(request.getfixturevalue(persona))
    client.get("/api/v1/actors/")
    sequence_feed()  # the set-up's changes numbered, as after their commits

    small, large, body = _count(client, "/api/v1/changes/")

    assert len(body["results"]) > 10
    assert small <= FEED_MAX_QUERIES[persona]
    assert large <= FEED_MAX_QUERIES[persona]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="topic slugs are aggregated in the claims query on PostgreSQL"
)
def test_on_postgresql_a_claims_page_reads_topics_in_the_claims_query(many, partner_reader):
    client = client_for(partner_reader)
    client.get("/api/v1/actors/")

    small, large, body = _count(client, "/api/v1/claims/")

    assert small == large == 3  # the key, the claims with their topic slugs, the citations with their sources
    assert all(row["topics"] and len(row["citations"]) == 2 for row in body["results"])
