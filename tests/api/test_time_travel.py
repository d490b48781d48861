"""`recorded_as_of` on the time endpoints (actor timeline, topic stances, position changes): partners
get a tombstone, never the text, of what was retracted since; the work per request is one page, not
the history; and topic stances come a page at a time."""

import datetime
from urllib.parse import quote

import pytest
from django.db.models.signals import post_init
from django.utils import timezone

from core.audit import history_model
from positions import services as position_services
from positions.choices import Stance
from positions.models import Position
from tests.api.conftest import client_for
from tests.factories import ActorFactory, CitationFactory, ClaimFactory, TopicFactory
from tracker.choices import EditorialStatus
from tracker.models import Claim

pytestmark = pytest.mark.django_db

SECRET = "Zanzibar: said no to troops, quote taken out of context"
TOMBSTONE_KEYS = {"id", "actor", "topic", "retracted", "retracted_on"}


def _moment(value: datetime.datetime) -> str:
    return quote(value.isoformat())


@pytest.fixture
def retracted_since(reviewer):
    """Macron supports (Jan 5), then a misread "oppose" (Jan 20) published, the moment, then retracted."""
    topic = TopicFactory(slug="troops", title="Troops")
    macron = ActorFactory(slug="macron", name="Macron")
    evidence = ClaimFactory(speaker=macron, status=EditorialStatus.PUBLISHED)
    CitationFactory(claim=evidence)

    def publish(stance, day, **data):
        data = {"actor": macron, "topic": topic, "stance": stance, "as_of": datetime.date(2025, 1, day), **data}
        created = position_services.position_create(user=reviewer, reason="r", data=data, evidence=[evidence])
        return position_services.position_publish(position=created, user=reviewer, reason="ok")

    first = publish(Stance.SUPPORT, 5)
    misread = publish(Stance.OPPOSE, 20, summary=SECRET, conditions=SECRET)
    moment = timezone.now()
    position_services.position_retract(position=misread, user=reviewer, reason="Misread")
    return {"first": first, "misread": misread, "moment": _moment(moment), "evidence": evidence}


def _urls(moment: str) -> dict[str, str]:
    return {
        "timeline": f"/api/v1/actors/macron/timeline/?recorded_as_of={moment}",
        "stances": f"/api/v1/topics/troops/stances/?as_of=2025-12-31&recorded_as_of={moment}",
        "changes": f"/api/v1/position-changes/?recorded_as_of={moment}",
    }


def _rows(body):
    return body["results"] if isinstance(body, dict) else body


@pytest.mark.parametrize("endpoint", ["timeline", "stances", "changes"])
def test_partners_get_a_tombstone_not_the_retracted_position(retracted_since, partner_reader, endpoint):
    response = client_for(partner_reader).get(_urls(retracted_since["moment"])[endpoint])

    assert response.status_code == 200
    tombstones = [row for row in _rows(response.json()) if row["id"] == retracted_since["misread"].pk]
    assert tombstones == [
        {
            "id": retracted_since["misread"].pk,
            "actor": "macron",
            "topic": "troops",
            "retracted": True,
            "retracted_on": timezone.localdate().isoformat(),
        }
    ]
    assert SECRET.encode() not in response.content


def test_the_team_sees_the_retracted_position_as_it_stood_with_the_date_of_its_retraction(retracted_since, reviewer):
    client = client_for(reviewer)
    urls = _urls(retracted_since["moment"])

    timeline = client.get(urls["timeline"]).json()
    stances = client.get(urls["stances"]).json()["results"]
    changes = client.get(urls["changes"]).json()["results"]

    today = timezone.localdate().isoformat()
    assert [(r["stance"], r["summary"], r["retracted_on"]) for r in timeline] == [
        ("support", "", None),
        ("oppose", SECRET, today),
    ]
    assert [(r["stance"], r["retracted_on"], r["evidence"]) for r in stances] == [
        ("oppose", today, [retracted_since["evidence"].pk])
    ]
    assert [(r["previous_stance"], r["stance"], r["retracted_on"]) for r in changes] == [("support", "oppose", today)]
    assert all("retracted" not in row for row in timeline + stances + changes)


def test_partner_time_travel_before_a_retraction_lists_the_positions_not_retracted_in_full(
    retracted_since, partner_reader
):
    timeline = client_for(partner_reader).get(_urls(retracted_since["moment"])["timeline"]).json()

    first = next(row for row in timeline if row["id"] == retracted_since["first"].pk)
    assert (first["stance"], first["retracted_on"], first["evidence"]) == (
        "support",
        None,
        [retracted_since["evidence"].pk],
    )


# --- Bounded work -------------------------------------------------------------------------------


@pytest.fixture
def many(reviewer):
    """12 actors with two published positions each on one topic (each edited once more), 12 claims
    with several versions: enough history that reading all of it would show."""
    topic = TopicFactory(slug="troops", title="Troops")
    for i in range(12):
        actor = ActorFactory(slug=f"actor-{i:02}", name=f"Actor {i:02}")
        claim = ClaimFactory(speaker=actor, status=EditorialStatus.PUBLISHED)
        CitationFactory(claim=claim)
        for version in range(3):
            claim.text = f"Statement {i}, version {version}"
            claim.save()
        for day, stance in ((5, Stance.SUPPORT), (20, Stance.OPPOSE)):
            data = {"actor": actor, "topic": topic, "stance": stance, "as_of": datetime.date(2025, 1, day)}
            created = position_services.position_create(user=reviewer, reason="r", data=data, evidence=[claim])
            position_services.position_publish(position=created, user=reviewer, reason="ok")
    return _moment(timezone.now())


RECORDED = {
    "timeline": "/api/v1/actors/actor-03/timeline/?topic=troops&recorded_as_of={moment}",
    "stances": "/api/v1/topics/troops/stances/?recorded_as_of={moment}&page_size={size}",
    "changes": "/api/v1/position-changes/?recorded_as_of={moment}&page_size={size}",
}
# The key; the actor or topic (the timeline: and the topic filter); the page; its rows; their evidence.
MAX_QUERIES = {"timeline": 6, "stances": 5, "changes": 4}


@pytest.mark.parametrize("endpoint", sorted(RECORDED))
def test_recorded_as_of_costs_a_fixed_few_queries_whatever_the_page_size(
    many, partner_reader, endpoint, django_assert_max_num_queries
):
    client = client_for(partner_reader)
    client.get("/api/v1/actors/")  # the key's last-used time is written once a minute; not part of a page
    bodies = []

    for size in (3, 10):
        with django_assert_max_num_queries(MAX_QUERIES[endpoint]):
            response = client.get(RECORDED[endpoint].format(moment=many, size=size))
        assert response.status_code == 200
        bodies.append(_rows(response.json()))

    small, large = bodies
    assert len(large) == (2 if endpoint == "timeline" else 10)
    assert len(small) == (2 if endpoint == "timeline" else 3)
    assert all(row["evidence"] and row["stance"] for row in large)


@pytest.mark.parametrize("endpoint", sorted(RECORDED))
def test_recorded_as_of_loads_one_page_of_history_rows_not_the_history(many, partner_reader, endpoint):
    """Reading every history row into Python cost 3 s a request at 100,000 claim versions (issue 14)."""
    client = client_for(partner_reader)
    tracked = {history_model(Position), history_model(Claim)}
    loaded = []

    def count(sender, **kwargs):
        if sender in tracked:
            loaded.append(sender)

    post_init.connect(count)
    try:
        response = client.get(RECORDED[endpoint].format(moment=many, size=5))
    finally:
        post_init.disconnect(count)

    assert response.status_code == 200
    assert len(_rows(response.json())) == (2 if endpoint == "timeline" else 5)
    assert len(loaded) <= 5  # the page's own rows; the 84 position and 48 claim versions stay in the database


# --- Topic stances, a page at a time ---------------------------------------------------------------


def _walk(client, url):
    pages, rows = 0, []
    while url:
        body = client.get(url).json()
        assert set(body) == {"next", "previous", "results"}
        assert len(body["results"]) <= 5
        rows += body["results"]
        pages, url = pages + 1, body["next"]
    return pages, rows


@pytest.mark.parametrize("recorded", [False, True])
def test_topic_stances_come_a_page_at_a_time_by_actor_name(many, partner_reader, recorded):
    client = client_for(partner_reader)
    url = "/api/v1/topics/troops/stances/?page_size=5"
    if recorded:
        url += f"&recorded_as_of={many}"

    pages, rows = _walk(client, url)

    assert pages == 3
    assert [row["actor"] for row in rows] == [f"actor-{i:02}" for i in range(12)]
    assert {row["stance"] for row in rows} == {"oppose"}  # each actor's latest position
    second = client.get(client.get(url).json()["next"]).json()
    assert client.get(second["previous"]).json()["results"] == rows[:5]


def test_a_page_of_topic_stances_is_at_most_the_largest_page_size(many, partner_reader):
    client = client_for(partner_reader)
    body = client.get("/api/v1/topics/troops/stances/?page_size=100").json()
    too_large = client.get("/api/v1/topics/troops/stances/?page_size=100000")

    assert len(body["results"]) == 12 and body["next"] is None
    assert too_large.status_code == 400
    assert too_large.json()["errors"][0]["field"] == "page_size"


def test_the_schema_documents_stances_as_a_page_of_positions_or_tombstones(db):
    schema = client_for(None).get("/api/v1/schema/?format=json").json()

    ok = schema["paths"]["/api/v1/topics/{slug}/stances/"]["get"]["responses"]["200"]
    page = ok["content"]["application/json"]["schema"]
    page = schema["components"]["schemas"][page["$ref"].rsplit("/", 1)[-1]] if "$ref" in page else page
    assert {"next", "previous", "results"} <= set(page["properties"])
    row = page["properties"]["results"]["items"]
    row = schema["components"]["schemas"][row["$ref"].rsplit("/", 1)[-1]] if "$ref" in row else row
    one_of = {ref["$ref"].rsplit("/", 1)[-1] for ref in row["oneOf"]}
    assert one_of == {"TimePosition", "PositionTombstone"}
    tombstone, position = (schema["components"]["schemas"][name] for name in ("PositionTombstone", "TimePosition"))
    assert set(tombstone["required"]) == TOMBSTONE_KEYS
    # oneOf needs each row to match exactly one: a position requires `stance`, which a tombstone
    # lacks, and never carries `retracted`, which a tombstone requires.
    assert "stance" in position["required"] and "retracted" not in position["properties"]
