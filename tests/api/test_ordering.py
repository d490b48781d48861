"""Ordering with cursor pages: every allowed ordering pages through all rows exactly once."""

import datetime

import pytest

from tests.api.conftest import client_for
from tests.factories import ClaimFactory, PositionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "resource,ordering",
    [
        ("claims", "updated_at"),
        ("claims", "-id"),
        ("positions", "as_of"),
        ("positions", "-as_of"),
        ("actors", "name"),
        ("topics", "-title"),
    ],
)
def test_every_row_is_paged_exactly_once_whatever_the_ordering(viewer, resource, ordering):
    for day in (1, 1, 2, 3, 3):
        ClaimFactory(stated_on=None)
        PositionFactory(as_of=datetime.date(2025, 1, day))
    client = client_for(viewer)
    expected = {row["id"] for row in client.get(f"/api/v1/{resource}/?page_size=100").json()["results"]}

    seen, url = [], f"/api/v1/{resource}/?ordering={ordering}&page_size=2"
    while url:
        page = client.get(url)
        assert page.status_code == 200, page.content[:300]
        seen += [row["id"] for row in page.json()["results"]]
        url = page.json()["next"]

    assert sorted(seen) == sorted(expected)
    assert len(seen) == len(set(seen)) >= 5


@pytest.mark.parametrize("ordering", ["stated_on", "", "name", "-id,updated_at"])
def test_an_ordering_not_offered_is_refused_naming_the_choices(viewer, ordering):
    """stated_on is nullable (cursor pages need non-null keys); `name` is an actor's field, not a claim's."""
    response = client_for(viewer).get(f"/api/v1/claims/?ordering={ordering}")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "ordering", "message": "Order by one of: updated_at, -updated_at, id, -id."}
    ]
