"""Our records as they stood at a moment (`recorded_as_of`): each record's row current then, chosen in
SQL before any filter applies, and what partners may see of what was retracted since."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from positions import selectors
from positions import services as position_services
from positions.choices import Stance
from tests.factories import ActorFactory, CitationFactory, ClaimFactory, TopicFactory
from tracker import services as claim_services
from tracker.choices import EditorialStatus

pytestmark = pytest.mark.django_db
D = datetime.date
LATE = D(2025, 12, 31)


@pytest.fixture
def world(reviewer):
    """Two actors, two topics, a published claim as evidence; `publish()` goes through the services."""
    troops, tariffs = TopicFactory(slug="troops", title="Troops"), TopicFactory(slug="tariffs", title="Tariffs")
    macron, scholz = ActorFactory(slug="macron", name="Macron"), ActorFactory(slug="scholz", name="Scholz")
    evidence = ClaimFactory(speaker=macron, status=EditorialStatus.PUBLISHED)
    CitationFactory(claim=evidence)

    def publish(actor, stance, day, *, topic=troops, claims=(evidence,), summary=""):
        data = {"actor": actor, "topic": topic, "stance": stance, "as_of": D(2025, 1, day), "summary": summary}
        created = position_services.position_create(user=reviewer, reason="r", data=data, evidence=list(claims))
        return position_services.position_publish(position=created, user=reviewer, reason="ok")

    return SimpleNamespace(
        troops=troops, tariffs=tariffs, macron=macron, scholz=scholz, evidence=evidence, publish=publish
    )


def _timeline(world, moment, topic=None):
    rows = selectors.position_timeline_recorded(actor=world.macron, topic=topic, recorded_at=moment)
    return [row["history_id"] for row in rows]


def _stances(world, moment, on=LATE, topic=None):
    rows = selectors.stances_as_of_recorded(topic=topic or world.troops, on=on, recorded_at=moment)
    return [(row["actor_name"], row["id"]) for row in rows]


def _changes(moment, *, partner, **filters):
    rows = selectors.position_changes_recorded(
        since=filters.pop("since", None),
        until=filters.pop("until", None),
        recorded_at=moment,
        partner=partner,
        **filters,
    )
    return [(row["id"], row["previous_stance"]) for row in rows]


def _represent(rows, moment, partner):
    return {p.pk: p for p in selectors.recorded_positions(rows, recorded_at=moment, partner=partner)}


def test_a_position_retracted_before_the_moment_is_not_found_through_its_older_published_row(world, reviewer):
    position = world.publish(world.macron, Stance.SUPPORT, 5)
    published = timezone.now()
    position_services.position_retract(position=position, user=reviewer, reason="Misattributed")
    after = timezone.now()

    assert _stances(world, published) == [("Macron", position.pk)]
    assert _stances(world, after) == []
    assert _timeline(world, after) == []
    assert _changes(after, partner=False, topic_slug="troops") == []


def test_a_position_moved_to_another_topic_is_found_only_under_the_topic_it_had_then(world, reviewer):
    position = world.publish(world.macron, Stance.SUPPORT, 5)
    other = world.publish(world.scholz, Stance.OPPOSE, 6)
    before_move = timezone.now()
    position_services.position_update(
        position=position, user=reviewer, reason="Wrong topic", data={"topic": world.tariffs}, expected_version=None
    )
    after_move = timezone.now()

    assert _stances(world, before_move) == [("Macron", position.pk), ("Scholz", other.pk)]
    assert _stances(world, after_move) == [("Scholz", other.pk)]  # its older row on "troops" is not picked
    assert _stances(world, after_move, topic=world.tariffs) == [("Macron", position.pk)]
    assert len(_timeline(world, after_move, topic=world.troops)) == 0
    assert len(_timeline(world, after_move, topic=world.tariffs)) == 1
    assert len(_timeline(world, before_move, topic=world.troops)) == 1


def test_stances_recorded_give_each_actors_latest_position_dated_on_or_before_the_date(world):
    support = world.publish(world.macron, Stance.SUPPORT, 5)
    oppose = world.publish(world.macron, Stance.OPPOSE, 20)
    moment = timezone.now()
    world.publish(world.macron, Stance.NEUTRAL, 25)  # after the moment: not yet on record

    assert _stances(world, moment, on=D(2025, 1, 4)) == []
    assert _stances(world, moment, on=D(2025, 1, 10)) == [("Macron", support.pk)]
    assert _stances(world, moment, on=LATE) == [("Macron", oppose.pk)]


def test_changes_recorded_compare_with_the_position_before_the_window_of_dates(world):
    world.publish(world.macron, Stance.SUPPORT, 5)
    oppose = world.publish(world.macron, Stance.OPPOSE, 20)
    world.publish(world.macron, Stance.OPPOSE, 25)  # the same stance again: not a change
    moment = timezone.now()

    assert _changes(moment, partner=False) == [(oppose.pk, "support")]
    assert _changes(moment, partner=False, since=D(2025, 1, 10)) == [(oppose.pk, "support")]
    assert _changes(moment, partner=False, until=D(2025, 1, 10)) == []
    assert _changes(moment, partner=False, actor_slug="scholz") == []


def test_for_partners_a_position_retracted_since_takes_no_part_in_the_comparison(world, reviewer):
    world.publish(world.macron, Stance.SUPPORT, 5)
    misread = world.publish(world.macron, Stance.OPPOSE, 10, summary="Said no to troops (misread)")
    later = world.publish(world.macron, Stance.OPPOSE, 20)
    moment = timezone.now()
    position_services.position_retract(position=misread, user=reviewer, reason="Misread")

    team = _changes(moment, partner=False)
    partner = _changes(moment, partner=True)

    assert team == [(misread.pk, "support")]  # as the team knew it then
    # Partners: the retracted one is listed (as a tombstone), and the next one is compared with the
    # stance before it, so no previous_stance is the retracted one's.
    assert partner == [(misread.pk, None), (later.pk, "support")]
    rows = selectors.position_changes_recorded(since=None, until=None, recorded_at=moment, partner=True)
    shown = _represent(rows, moment, partner=True)
    assert shown[misread.pk].tombstone is True
    assert shown[misread.pk].retracted_on == timezone.localdate()
    assert shown[misread.pk].visible_evidence == []
    assert shown[later.pk].tombstone is False
    team_rows = selectors.position_changes_recorded(since=None, until=None, recorded_at=moment, partner=False)
    team_shown = _represent(team_rows, moment, partner=False)
    assert (team_shown[misread.pk].tombstone, team_shown[misread.pk].retracted_on) == (False, timezone.localdate())
    assert team_shown[misread.pk].summary == "Said no to troops (misread)"


def test_a_position_retracted_returned_and_deleted_since_is_still_a_tombstone_for_partners(world, reviewer):
    position = world.publish(world.macron, Stance.SUPPORT, 5)
    moment = timezone.now()
    position = position_services.position_retract(position=position, user=reviewer, reason="Misread")
    position = position_services.position_return(position=position, user=reviewer, reason="To redo")
    position_services.position_delete(position=position, user=reviewer, reason="Gone")
    after = timezone.now()

    rows = selectors.position_timeline_recorded(actor=world.macron, topic=None, recorded_at=moment)
    shown = selectors.recorded_positions(rows, recorded_at=moment, partner=True)

    assert [(p.pk, p.tombstone) for p in shown] == [(position.pk, True)]
    assert _timeline(world, after) == []  # deleted since: nothing on record


def test_evidence_is_as_it_stood_and_partners_lose_claims_retracted_since(world, reviewer):
    kept = ClaimFactory(speaker=world.macron, status=EditorialStatus.PUBLISHED)
    CitationFactory(claim=kept)
    draft = ClaimFactory(speaker=world.macron, status=EditorialStatus.DRAFT)
    world.publish(world.macron, Stance.SUPPORT, 5, claims=(world.evidence, kept, draft))
    moment = timezone.now()
    claim_services.claim_retract(claim=world.evidence, user=reviewer, reason="Misquoted")
    rows = selectors.position_timeline_recorded(actor=world.macron, topic=None, recorded_at=moment)

    (team,) = selectors.recorded_positions(rows, recorded_at=moment, partner=False)
    (partner,) = selectors.recorded_positions(rows, recorded_at=moment, partner=True)

    assert [c.pk for c in team.visible_evidence] == sorted([world.evidence.pk, kept.pk])  # the draft was never shown
    assert [c.pk for c in partner.visible_evidence] == [kept.pk]
    assert partner.tombstone is False and partner.retracted_on is None


def test_recorded_changes_page_by_cursor_forward_and_back_through_dates_shared_by_several(world, reviewer):
    """The changes' own paging (positions.selectors.RecordedChanges) under the API's cursor pagination:
    pages of two, forward and back, give the whole list once, in order, through dates shared by four changes."""
    from tests.api.conftest import client_for

    stances = [Stance.SUPPORT, Stance.OPPOSE]
    for actor in (world.macron, world.scholz):
        for topic in (world.troops, world.tariffs):
            for step, day in enumerate((3, 7, 12, 20)):  # the same days in every chain: ties
                world.publish(actor, stances[step % 2], day, topic=topic)
    moment = timezone.now()
    client = client_for(reviewer)
    everything = client.get("/api/v1/position-changes/", {"recorded_as_of": moment.isoformat()}).json()["results"]
    assert len(everything) == 12  # three changes in each of four chains
    assert [row["as_of"] for row in everything] == sorted(row["as_of"] for row in everything)

    forward, response = (
        [],
        client.get("/api/v1/position-changes/", {"recorded_as_of": moment.isoformat(), "page_size": 2}).json(),
    )
    forward += response["results"]
    pages = [response]
    while response["next"]:
        response = client.get(response["next"]).json()
        forward += response["results"]
        pages.append(response)
    assert [row["id"] for row in forward] == [row["id"] for row in everything]
    assert [row["previous_stance"] for row in forward] == [row["previous_stance"] for row in everything]

    backward, response = [], pages[-1]
    while response["previous"]:
        response = client.get(response["previous"]).json()
        backward = response["results"] + backward
    assert [row["id"] for row in backward + pages[-1]["results"]] == [row["id"] for row in everything]

    since = client.get(
        "/api/v1/position-changes/", {"recorded_as_of": moment.isoformat(), "since": "2025-01-07", "page_size": 100}
    ).json()["results"]
    assert [row["id"] for row in since] == [row["id"] for row in everything if row["as_of"] >= "2025-01-07"]
