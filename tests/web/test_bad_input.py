"""Input a page cannot read is a 400 naming the parameter, never a server error (issue 14, point 9),
and a date in `as_of` means the end of that day, on the pages and in the API (point 10)."""

import datetime

import pytest
from django.urls import reverse

from tests.api.conftest import client_for
from tracker.models import Actor
from tracker.services import actor_create

pytestmark = pytest.mark.django_db

NUL_PAGES = [
    ("/search/?q=troops%00", "q"),
    ("/claims/?q=a%00b", "q"),
    ("/claims/?topic=troops%00", "topic"),
    ("/actors/?q=%00", "q"),
    ("/sources/?q=x%00", "q"),
    ("/autocomplete/actors/?q=Sta%00", "q"),
]


@pytest.mark.parametrize(("url", "name"), NUL_PAGES)
def test_a_nul_character_in_a_query_parameter_is_a_400_naming_it(client, reviewer, url, name):
    client.force_login(reviewer)

    response = client.get(url)

    assert response.status_code == 400
    assert f"{name}: NUL characters are not allowed." in response.content.decode()


def test_a_query_without_nul_still_reaches_the_page(client, reviewer):
    client.force_login(reviewer)

    assert client.get("/search/?q=troops%20%2500").status_code == 200  # a literal "%00" typed by someone


@pytest.fixture
def recorded_on_the_first_of_march(system_user):
    """An actor recorded on 1 March 2025 at 14:00 UTC (its history row dated so)."""
    actor = actor_create(user=system_user, reason="Seed", data={"name": "Kaja Kallas", "kind": "person"})
    moment = datetime.datetime(2025, 3, 1, 14, 0, tzinfo=datetime.UTC)
    Actor.history.filter(id=actor.pk).update(history_date=moment)
    return actor


@pytest.mark.parametrize("as_of", ["2025-02-30", "9999-99-99", "2025-13-01", "yesterday", "2025-03-01T25:00"])
def test_an_impossible_as_of_date_is_a_400_naming_the_parameter(
    client, reviewer, recorded_on_the_first_of_march, as_of
):
    client.force_login(reviewer)
    url = reverse("positions:actor-as-of", args=[recorded_on_the_first_of_march.slug])

    response = client.get(url, {"as_of": as_of})

    assert response.status_code == 400
    assert "as_of" in response.content.decode() and "Give a date" in response.content.decode()


def test_the_far_edges_of_the_calendar_answer_without_a_server_error(client, reviewer, recorded_on_the_first_of_march):
    client.force_login(reviewer)
    url = reverse("positions:actor-as-of", args=[recorded_on_the_first_of_march.slug])

    assert client.get(url, {"as_of": "9999-12-31"}).status_code == 200
    assert client.get(url, {"as_of": "0001-01-01"}).status_code == 404  # not yet recorded then


def test_an_as_of_date_on_the_pages_means_the_end_of_that_day(client, reviewer, recorded_on_the_first_of_march):
    client.force_login(reviewer)
    url = reverse("positions:actor-as-of", args=[recorded_on_the_first_of_march.slug])

    on_the_day = client.get(url, {"as_of": "2025-03-01"})
    day_before = client.get(url, {"as_of": "2025-02-28"})
    before_two = client.get(url, {"as_of": "2025-03-01T13:59:00Z"})

    assert on_the_day.status_code == 200 and "Kaja Kallas" in on_the_day.content.decode()
    assert day_before.status_code == 404
    assert before_two.status_code == 404


def test_a_recorded_as_of_date_in_the_api_means_the_end_of_that_day(reviewer):
    from core.api.params import parse_datetime

    end_of_day = parse_datetime("2025-03-01", "recorded_as_of")

    assert end_of_day == datetime.datetime(2025, 3, 1, 23, 59, 59, 999999, tzinfo=datetime.UTC)
    assert parse_datetime("2025-03-01T14:00:00+01:00", "recorded_as_of") == datetime.datetime(
        2025, 3, 1, 13, 0, tzinfo=datetime.UTC
    )
    response = client_for(reviewer).get("/api/v1/position-changes/", {"recorded_as_of": "2025-02-30"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "recorded_as_of"
