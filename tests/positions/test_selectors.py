import datetime

import pytest

from positions.choices import Stance
from positions.selectors import position_changes, position_timeline, stance_as_of, stances_as_of
from tests.factories import ActorFactory, PositionFactory, TopicFactory
from tracker.choices import EditorialStatus

pytestmark = pytest.mark.django_db
D = datetime.date
PUBLISHED = EditorialStatus.PUBLISHED


@pytest.fixture
def timeline():
    """Starmer on troops: opposes in January, conditional in February, supports in March (a draft)."""
    topic = TopicFactory(title="European troops")
    starmer, macron = ActorFactory(name="Starmer"), ActorFactory(name="Macron")
    jan = PositionFactory(actor=starmer, topic=topic, stance=Stance.OPPOSE, as_of=D(2025, 1, 10), status=PUBLISHED)
    feb = PositionFactory(actor=starmer, topic=topic, stance=Stance.CONDITIONAL, as_of=D(2025, 2, 17), status=PUBLISHED)
    feb_again = PositionFactory(
        actor=starmer, topic=topic, stance=Stance.CONDITIONAL, as_of=D(2025, 2, 20), status=PUBLISHED
    )
    mar_draft = PositionFactory(actor=starmer, topic=topic, stance=Stance.SUPPORT, as_of=D(2025, 3, 2))
    macron_feb = PositionFactory(
        actor=macron, topic=topic, stance=Stance.SUPPORT, as_of=D(2025, 2, 1), status=PUBLISHED
    )
    return {
        "topic": topic,
        "starmer": starmer,
        "macron": macron,
        "jan": jan,
        "feb": feb,
        "feb_again": feb_again,
        "mar_draft": mar_draft,
        "macron_feb": macron_feb,
    }


def test_stance_as_of_returns_the_latest_position_on_or_before_the_date(timeline):
    t = timeline
    assert stance_as_of(actor=t["starmer"], topic=t["topic"], on=D(2025, 1, 9)) is None
    assert stance_as_of(actor=t["starmer"], topic=t["topic"], on=D(2025, 1, 10)) == t["jan"]
    assert stance_as_of(actor=t["starmer"], topic=t["topic"], on=D(2025, 2, 18)) == t["feb"]
    # The March draft is not public.
    assert stance_as_of(actor=t["starmer"], topic=t["topic"], on=D(2025, 3, 5)) == t["feb_again"]
    team = (EditorialStatus.DRAFT, PUBLISHED)
    assert stance_as_of(actor=t["starmer"], topic=t["topic"], on=D(2025, 3, 5), statuses=team) == t["mar_draft"]


def test_stances_as_of_gives_one_row_per_actor(timeline):
    t = timeline
    rows = list(stances_as_of(topic=t["topic"], on=D(2025, 2, 18)))
    assert rows == [t["macron_feb"], t["feb"]]
    assert list(stances_as_of(topic=t["topic"], on=D(2025, 1, 15))) == [t["jan"]]


def test_position_changes_lists_only_real_changes_in_the_period(timeline):
    t = timeline
    changes = list(position_changes(since=D(2025, 1, 1), until=D(2025, 3, 31), topic=t["topic"]))
    assert changes == [t["feb"]]
    assert changes[0].previous_stance == Stance.OPPOSE
    with_first = list(position_changes(since=D(2025, 1, 1), until=D(2025, 3, 31), include_first=True))
    assert with_first == [t["jan"], t["macron_feb"], t["feb"]]
    # The previous stance is found even when it lies before the period.
    assert list(position_changes(since=D(2025, 2, 1), until=D(2025, 2, 28))) == [t["feb"]]


def test_timeline_is_in_date_order(timeline):
    t = timeline
    assert list(position_timeline(actor=t["starmer"], topic=t["topic"])) == [t["jan"], t["feb"], t["feb_again"]]
