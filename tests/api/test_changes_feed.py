"""The changes feed: replayed from empty it reproduces the list endpoints; drafts leave no trace."""

import datetime
import io

import pytest

from core.feed import sequence_feed
from core.models import FeedEvent
from positions import services as position_services
from positions.choices import Stance
from sources import services as source_services
from tests.api.conftest import client_for
from tracker import services

pytestmark = pytest.mark.django_db

RESOURCES = ["actors", "roles", "topics", "claims", "positions", "sources", "citations"]


def _replay(client, cursor="0", page_size=3, mirror=None):
    mirror = mirror if mirror is not None else {resource: {} for resource in RESOURCES}
    while True:
        page = client.get(f"/api/v1/changes/?after={cursor}&page_size={page_size}").json()
        for event in page["results"]:
            if event["op"] == "upsert":
                mirror[event["resource"]][event["id"]] = event["data"]
            else:
                mirror[event["resource"]].pop(event["id"], None)
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return mirror, cursor


def _lists(client):
    shown = {}
    for resource in RESOURCES:
        rows, url = {}, f"/api/v1/{resource}/?page_size=100"
        while url:
            page = client.get(url).json()
            rows.update({row["id"]: row for row in page["results"]})
            url = page["next"]
        shown[resource] = rows
    return shown


def _story(editor, reviewer):
    """Creates, edits, publishes, retractions and deletes, through the services."""
    r = "Replay test"
    a = services.actor_create(user=editor, reason=r, data={"name": "Anna", "kind": "person"})
    b = services.actor_create(user=editor, reason=r, data={"name": "Bund", "kind": "state"})
    hidden_actor = services.actor_create(user=editor, reason=r, data={"name": "Hidden", "kind": "person"})
    topic = services.topic_create(user=editor, reason=r, data={"title": "Troops", "question": "Send troops?"})
    s1 = source_services.source_create(user=editor, reason=r, data={"url": "https://a.example.org/1", "title": "One"})
    s2 = source_services.source_create(user=editor, reason=r, data={"url": "https://a.example.org/2", "title": "Two"})

    c1 = services.claim_create(
        user=editor,
        reason=r,
        data={"speaker": a, "text": "We will send troops."},
        topics=[topic],
        citations=[{"source": s1, "excerpt": "send troops"}, {"source": s1, "excerpt": "we will"}],
    )
    c1 = services.claim_publish(claim=c1, user=reviewer, reason=r)
    c1 = services.claim_update(
        claim=c1, user=reviewer, reason=r, data={"context": "Paris"}, expected_version=c1.version
    )
    c2 = services.claim_create(
        user=editor, reason=r, data={"speaker": b, "text": "Maybe."}, citations=[{"source": s2, "excerpt": "maybe"}]
    )
    p1 = position_services.position_create(
        user=editor,
        reason=r,
        data={"actor": a, "topic": topic, "stance": Stance.SUPPORT, "as_of": datetime.date(2025, 2, 1)},
        evidence=[c1],
    )
    p1 = position_services.position_publish(position=p1, user=reviewer, reason=r)
    p2 = position_services.position_create(
        user=editor,
        reason=r,
        data={"actor": b, "topic": topic, "stance": Stance.OPPOSE, "as_of": datetime.date(2025, 2, 2)},
        evidence=[c1, c2],
    )
    position_services.position_publish(position=p2, user=reviewer, reason=r)
    c2 = services.claim_publish(claim=c2, user=reviewer, reason=r)
    # In production each request's commit queues a sequencing run; here the feed is numbered at this
    # point, so partners have seen c2, s2 and the role before they disappear below.
    sequence_feed()
    # Partners see a and b: changing them, or giving them a role, needs a reviewer.
    role = services.role_create(
        user=reviewer, reason=r, data={"actor": a, "organisation": b, "title": "Envoy", "source": s2}
    )
    a = services.actor_update(actor=a, user=reviewer, reason=r, data={"slug": "anna-k"}, expected_version=a.version)
    child = services.topic_create(
        user=editor, reason=r, data={"title": "Troop numbers", "question": "How many?", "parent": topic}
    )
    c1 = services.claim_update(claim=c1, user=reviewer, reason=r, data={}, topics=[child], expected_version=c1.version)
    sequence_feed()
    services.claim_retract(claim=c2, user=reviewer, reason=r)  # s2, the role and c2 disappear
    draft = services.claim_create(
        user=editor,
        reason=r,
        data={"speaker": hidden_actor, "text": "Secret."},
        citations=[{"source": s2, "excerpt": "secret"}],
    )
    services.claim_delete(claim=draft, user=editor, reason=r)
    position_services.position_retract(position=p1, user=reviewer, reason=r)
    source_services.source_update(
        source=s1, user=reviewer, reason=r, data={"title": "One (updated)"}, expected_version=s1.version
    )
    source_services.citation_delete(citation=c1.citations.order_by("id").last(), user=reviewer, reason=r)
    services.role_delete(user=reviewer, reason=r, role=role)
    role2 = services.role_create(user=reviewer, reason=r, data={"actor": a, "organisation": b, "title": "Adviser"})
    services.role_delete(user=reviewer, reason=r, role=role2)
    return {"hidden_actor": hidden_actor, "draft": draft, "c1": c1, "c2": c2, "role": role, "p1": p1}


def test_replaying_the_feed_from_empty_reproduces_the_list_endpoints(editor, reviewer, partner_reader):
    story = _story(editor, reviewer)
    client = client_for(partner_reader)

    mirror, _ = _replay(client)

    assert mirror == _lists(client)
    assert sorted(mirror["claims"]) == [story["c1"].pk]  # c2 was retracted, the draft deleted
    assert mirror["roles"] == {}
    ops = list(FeedEvent.objects.filter(resource="claims", object_id=story["c2"].pk).values_list("op", flat=True))
    assert ops[-1] == "delete"  # the retraction is a removal


def test_records_never_published_leave_no_trace_in_the_feed(editor, reviewer):
    story = _story(editor, reviewer)
    assert sequence_feed() > 0  # the published records' events

    assert not FeedEvent.objects.filter(resource="actors", object_id=story["hidden_actor"].pk).exists()
    assert not FeedEvent.objects.filter(resource="claims", object_id=story["draft"].pk).exists()


def test_the_feed_resumes_from_a_cursor_with_only_later_changes(editor, reviewer, partner_reader):
    story = _story(editor, reviewer)
    client = client_for(partner_reader)
    mirror, cursor = _replay(client)

    services.actor_update(
        actor=story["hidden_actor"], user=editor, reason="r", data={"summary": "still hidden"}, expected_version=1
    )
    assert client.get(f"/api/v1/changes/?after={cursor}").json() == {
        "results": [],
        "next_cursor": cursor,
        "has_more": False,
    }
    anna = type(story["hidden_actor"]).objects.get(slug="anna-k")
    services.actor_update(
        actor=anna, user=reviewer, reason="r", data={"summary": "Diplomat"}, expected_version=anna.version
    )
    page = client.get(f"/api/v1/changes/?after={cursor}").json()

    assert [(e["resource"], e["id"], e["op"], e["data"]["summary"]) for e in page["results"]] == [
        ("actors", anna.pk, "upsert", "Diplomat")
    ]
    mirror, _ = _replay(client, cursor, mirror=mirror)
    assert mirror == _lists(client)


def test_feed_sequence_numbers_have_no_gaps_after_a_rolled_back_write(editor, reviewer):
    from django.core.exceptions import ValidationError

    _story(editor, reviewer)
    sequence_feed()
    before = list(FeedEvent.objects.values_list("seq", flat=True))
    from tracker.models import Actor

    anna = Actor.objects.get(slug="anna-k")
    with pytest.raises(ValidationError):
        services.actor_update(actor=anna, user=reviewer, reason="r", data={"name": ""}, expected_version=anna.version)
    services.actor_update(actor=anna, user=reviewer, reason="r", data={"summary": "x"}, expected_version=anna.version)
    sequence_feed()

    seqs = list(FeedEvent.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(seqs) == len(before) + 1


def test_a_bad_cursor_is_named_in_the_problem(partner_reader):
    response = client_for(partner_reader).get("/api/v1/changes/?after=abc")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "after"


def test_a_partner_mirrors_the_seed_dossier_through_the_feed(partner_reader):
    from django.core.management import call_command

    call_command("loadseeds", verbosity=0, stdout=io.StringIO())
    client = client_for(partner_reader)

    mirror, _ = _replay(client, page_size=100)

    assert mirror == _lists(client)
    assert len(mirror["claims"]) == 15
    assert len(mirror["positions"]) == 9


def test_a_mirror_follows_a_source_check_through_the_feed(partner_reader, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    from sources import checking
    from sources.models import Source

    call_command("loadseeds", verbosity=0, stdout=io.StringIO())
    client = client_for(partner_reader)
    mirror, cursor = _replay(client, page_size=100)
    article = Source.objects.exclude(stored_text="").get()
    assert mirror["sources"][article.pk]["latest_check"] is None

    with django_capture_on_commit_callbacks(execute=True):
        checking.source_check(source_id=article.pk)  # bookkeeping only: no history row of its own

    mirror, _ = _replay(client, cursor=cursor, page_size=100, mirror=mirror)
    assert mirror == _lists(client)
    assert mirror["sources"][article.pk]["health"] == "ok"
    assert mirror["sources"][article.pk]["latest_check"] is not None
    quoted = [c["quote_status"] for c in mirror["citations"].values() if c["source"] == article.pk]
    assert len(quoted) == 15 and set(quoted) == {"present"}
