"""The README's record-time example answers on a freshly seeded tracker, and the page says what record
time means (issue 12, point 5)."""

import datetime

import pytest


@pytest.mark.django_db
def test_the_readme_example_answers_for_today_and_explains_an_earlier_date(client, reviewer, dossier):
    client.force_login(reviewer)
    today = datetime.date.today().isoformat()

    answered = client.get(f"/history/actors/keir-starmer/?as_of={today}")
    earlier = client.get("/history/actors/keir-starmer/?as_of=2025-02-17")

    assert answered.status_code == 200
    assert "Keir Starmer" in answered.content.decode()
    assert "Record time: what this tracker said at that moment" in answered.content.decode()
    assert earlier.status_code == 404
    assert "it was entered later" in earlier.content.decode()
    readme = open("README.md", encoding="utf-8").read()
    assert "/history/actors/keir-starmer/?as_of=$(date +%F)" in readme
