"""Timelines, the stance matrix as of a date, and position changes in a period, as the pages show them."""

import datetime

import pytest
from django.urls import reverse

from positions.choices import Stance
from tests.factories import ActorFactory, ClaimFactory, PositionFactory, TopicFactory
from tracker.choices import EditorialStatus

pytestmark = pytest.mark.django_db
D = datetime.date
PUBLISHED = EditorialStatus.PUBLISHED


@pytest.fixture
def troops():
    topic = TopicFactory(title="Troops", slug="troops")
    starmer, macron = ActorFactory(name="Starmer", slug="starmer"), ActorFactory(name="Macron", slug="macron")
    evidence = ClaimFactory(speaker=starmer, status=PUBLISHED, stated_on=D(2025, 2, 17), text="We will send troops")
    evidence.topics.add(topic)
    jan = PositionFactory(actor=starmer, topic=topic, stance=Stance.OPPOSE, as_of=D(2025, 1, 10), status=PUBLISHED)
    feb = PositionFactory(actor=starmer, topic=topic, stance=Stance.SUPPORT, as_of=D(2025, 2, 17), status=PUBLISHED)
    feb.evidence.add(evidence)
    PositionFactory(actor=macron, topic=topic, stance=Stance.STRONGLY_SUPPORT, as_of=D(2025, 2, 1), status=PUBLISHED)
    draft = ClaimFactory(speaker=starmer, stated_on=D(2025, 2, 20), text="Draft words")
    draft.topics.add(topic)
    return {"topic": topic, "starmer": starmer, "jan": jan, "feb": feb, "evidence": evidence, "draft": draft}


def test_the_actor_timeline_links_positions_to_evidence_and_shows_published_claims(client, viewer, troops):
    client.force_login(viewer)
    svg = str(client.get(reverse("positions:actor-detail", args=["starmer"])).context["chart"])

    evidence_url = reverse("tracker:claim-detail", args=[troops["evidence"].pk])
    assert f'<a href="{evidence_url}" class="tl-point">' in svg  # February's single evidence claim
    assert (
        f'<a href="{reverse("positions:position-detail", args=[troops["jan"].pk])}" class="tl-point">' in svg
    )  # no evidence
    assert f'<a href="{evidence_url}" class="tl-claim">' in svg
    assert reverse("tracker:claim-detail", args=[troops["draft"].pk]) not in svg  # drafts are not pictured
    assert ">Oppose</text>" in svg and ">Support</text>" in svg


def test_the_topic_matrix_shows_each_actors_stance_as_of_the_chosen_date(client, viewer, troops):
    client.force_login(viewer)
    url = reverse("positions:topic-detail", args=["troops"])

    january = str(client.get(url + "?on=2025-01-31").context["matrix"])
    february = str(client.get(url + "?on=2025-02-28").context["matrix"])

    assert ">Oppose</text>" in january and "Macron" not in january
    assert ">Support</text>" in february and ">Strongly support</text>" in february and ">Oppose</text>" not in february


def test_the_topic_page_lists_stance_changes_in_the_period(client, viewer, troops):
    client.force_login(viewer)
    url = reverse("positions:topic-detail", args=["troops"])

    changes = client.get(url + "?since=2025-02-01&until=2025-02-28").context["changes"]

    assert [(p.actor.name, p.previous_stance_label, p.get_stance_display()) for p in changes] == [
        ("Macron", "", "Strongly support"),
        ("Starmer", "Oppose", "Support"),
    ]


def test_the_topics_page_draws_every_actor_against_every_topic(client, viewer, troops):
    other = TopicFactory(title="Sanctions")
    PositionFactory(actor=troops["starmer"], topic=other, stance=Stance.NEUTRAL, as_of=D(2025, 2, 1), status=PUBLISHED)
    client.force_login(viewer)

    svg = str(client.get(reverse("positions:topic-list") + "?on=2025-03-01").context["chart"])

    assert svg.count('<tspan x="8"') == 2  # the row titles: Macron and Starmer
    assert ">Neutral</text>" in svg and ">Support</text>" in svg and ">Strongly support</text>" in svg
    assert svg.count(">—</text>") == 1  # Macron has no position on sanctions
