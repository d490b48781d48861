"""Stances as of a date, timelines, changes of stance; and the same as our records stood at a moment."""

import datetime
from urllib.parse import quote

import pytest
from django.utils import timezone

from positions import services as position_services
from positions.choices import Stance
from tests.api.conftest import client_for
from tests.factories import ActorFactory, CitationFactory, ClaimFactory, TopicFactory
from tracker.choices import EditorialStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(reviewer):
    """Macron supports, then opposes; Scholz opposes. Built through the services so history exists."""
    topic = TopicFactory(slug="troops", title="Troops")
    macron, scholz = ActorFactory(slug="macron", name="Macron"), ActorFactory(slug="scholz", name="Scholz")
    evidence = ClaimFactory(speaker=macron, status=EditorialStatus.PUBLISHED)
    CitationFactory(claim=evidence)
    draft_evidence = ClaimFactory(speaker=macron, status=EditorialStatus.DRAFT)

    def position(actor, stance, day, publish=True):
        created = position_services.position_create(
            user=reviewer,
            reason="r",
            data={"actor": actor, "topic": topic, "stance": stance, "as_of": datetime.date(2025, 1, day)},
            evidence=[evidence, draft_evidence],
        )
        if publish:
            created = position_services.position_publish(position=created, user=reviewer, reason="ok")
        return created

    first = position(macron, Stance.SUPPORT, 5)
    scholz_position = position(scholz, Stance.OPPOSE, 6)
    before_change = timezone.now()
    second = position(macron, Stance.OPPOSE, 20)
    position(scholz, Stance.SUPPORT, 25, publish=False)
    return {
        "topic": topic,
        "evidence": evidence,
        "first": first,
        "second": second,
        "scholz": scholz_position,
        "before_change": before_change,
    }


def _moment(value):
    return quote(value.isoformat())


def _stances(client, query):
    return [
        (row["actor"], row["stance"]) for row in client.get(f"/api/v1/topics/troops/stances/?{query}").json()["results"]
    ]


def test_stances_as_of_a_date_give_each_actors_latest_published_position(history, partner_reader):
    client = client_for(partner_reader)

    assert _stances(client, "as_of=2025-01-04") == []
    assert _stances(client, "as_of=2025-01-10") == [("macron", "support"), ("scholz", "oppose")]
    assert _stances(client, "as_of=2025-01-31") == [("macron", "oppose"), ("scholz", "oppose")]
    rows = client.get("/api/v1/topics/troops/stances/?as_of=2025-01-31").json()["results"]
    assert rows[0]["evidence"] == [history["evidence"].pk]


def test_recorded_as_of_answers_as_our_records_stood_at_that_moment(history, partner_reader):
    client = client_for(partner_reader)
    moment = _moment(history["before_change"])

    then = _stances(client, f"as_of=2025-01-31&recorded_as_of={moment}")
    now = _stances(client, "as_of=2025-01-31")

    assert then == [("macron", "support"), ("scholz", "oppose")]
    assert now == [("macron", "oppose"), ("scholz", "oppose")]
    rows = client.get(f"/api/v1/topics/troops/stances/?as_of=2025-01-31&recorded_as_of={moment}").json()["results"]
    assert rows[0]["evidence"] == [history["evidence"].pk]


def test_a_retraction_after_the_moment_does_not_change_what_the_team_knew_then(history, reviewer):
    client = client_for(reviewer)
    before_retraction = timezone.now()
    position_services.position_retract(position=history["second"], user=reviewer, reason="Misread")

    assert _stances(client, "as_of=2025-01-31") == [("macron", "support"), ("scholz", "oppose")]
    just_before = _moment(before_retraction)
    assert _stances(client, f"as_of=2025-01-31&recorded_as_of={just_before}") == [
        ("macron", "oppose"),
        ("scholz", "oppose"),
    ]


def test_the_timeline_lists_an_actors_published_positions_in_date_order(history, partner_reader):
    client = client_for(partner_reader)

    rows = client.get("/api/v1/actors/macron/timeline/?topic=troops").json()
    then = client.get(
        f"/api/v1/actors/macron/timeline/?topic=troops&recorded_as_of={_moment(history['before_change'])}"
    ).json()

    assert [(r["as_of"], r["stance"]) for r in rows] == [("2025-01-05", "support"), ("2025-01-20", "oppose")]
    assert [(r["as_of"], r["stance"]) for r in then] == [("2025-01-05", "support")]


def test_the_time_endpoints_answer_with_a_format_suffix_as_without(history, partner_reader):
    client = client_for(partner_reader)

    for path in ("/api/v1/actors/macron/timeline", "/api/v1/topics/troops/stances"):
        plain, suffixed = client.get(f"{path}/?as_of=2025-01-31"), client.get(f"{path}.json?as_of=2025-01-31")
        assert (plain.status_code, suffixed.status_code) == (200, 200)
        assert suffixed.json() == plain.json() and plain.json()


def test_position_changes_give_the_stance_before_and_after_and_the_evidence(history, partner_reader):
    client = client_for(partner_reader)

    rows = client.get("/api/v1/position-changes/?since=2025-01-01&until=2025-01-31").json()["results"]
    outside = client.get("/api/v1/position-changes/?since=2025-01-21").json()["results"]
    then = client.get(f"/api/v1/position-changes/?recorded_as_of={_moment(history['before_change'])}").json()

    assert [(r["actor"], r["previous_stance"], r["stance"], r["evidence"]) for r in rows] == [
        ("macron", "support", "oppose", [history["evidence"].pk])
    ]
    assert outside == []
    assert then["results"] == []


def test_bad_dates_are_named_in_the_problem(history, partner_reader):
    client = client_for(partner_reader)

    bad_date = client.get("/api/v1/topics/troops/stances/?as_of=yesterday")
    bad_moment = client.get("/api/v1/position-changes/?recorded_as_of=noon")

    assert bad_date.status_code == 400
    assert bad_date.json()["errors"] == [{"field": "as_of", "message": "Give a date as YYYY-MM-DD."}]
    assert bad_moment.status_code == 400
    assert bad_moment.json()["errors"][0]["field"] == "recorded_as_of"


def test_moments_with_extreme_offsets_are_normalised_or_refused_not_server_errors(history, partner_reader):
    client = client_for(partner_reader)

    far_offset = client.get("/api/v1/claims/?updated_since=" + quote("2025-01-01T00:00:00+18:27"))
    out_of_range = client.get("/api/v1/claims/?updated_since=" + quote("0001-01-01T00:00:00+10:00"))
    recorded = client.get("/api/v1/position-changes/?recorded_as_of=" + quote("2025-01-01T00:00:00-20:19"))

    assert far_offset.status_code == 200
    assert out_of_range.status_code == 400
    assert out_of_range.json()["errors"][0]["field"] == "updated_since"
    assert recorded.status_code == 200
