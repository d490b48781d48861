"""Which sources a new claim may cite by id, and what the answer tells a partner (issue 14, points 7 and 11)."""

import pytest

from sources.models import Source
from tests.api.conftest import client_for
from tracker.models import Claim

pytestmark = pytest.mark.django_db


def _claim(client, citation):
    return client.post(
        "/api/v1/claims/",
        {"speaker": "keir-starmer", "text": "Words.", "citations": [citation], "reason": "From the memo"},
        format="json",
    )


def test_a_team_member_cites_a_source_partners_cannot_see_by_its_id(dossier, editor):
    response = _claim(client_for(editor), {"source": dossier.secret_source.pk, "excerpt": "zanzibar"})

    assert response.status_code == 201, response.json()
    [citation] = response.json()["citations"]
    assert (citation["source"], citation["source_title"]) == (dossier.secret_source.pk, "Leaked memo")
    claim = Claim.objects.get(pk=response.json()["id"])
    assert claim.citations.get().source == dossier.secret_source


def test_a_partner_who_sends_the_url_of_a_team_only_source_learns_nothing_about_it(dossier, partner_submitter):
    response = _claim(client_for(partner_submitter), {"source_url": "https://leak.example.org/memo", "excerpt": "x"})

    assert response.status_code == 201, response.json()
    body = response.content.decode()
    assert "Leaked memo" not in body and f'"source":{dossier.secret_source.pk}' not in body.replace(" ", "")
    [citation] = response.json()["citations"]
    assert citation == {
        **citation,
        "source": None,
        "source_url": "https://leak.example.org/memo",
        "source_title": "",
    }
    # The proposal still cites the one source with that URL, for the team to review.
    assert Claim.objects.get(pk=response.json()["id"]).citations.get().source == dossier.secret_source
    assert Source.objects.filter(url="https://leak.example.org/memo").count() == 1


def test_a_partner_cannot_tell_a_known_url_from_a_new_one(dossier, partner_submitter):
    client = client_for(partner_submitter)

    known = _claim(client, {"source_url": "https://leak.example.org/memo", "excerpt": "x"}).json()["citations"][0]
    new = _claim(client, {"source_url": "https://new.example.org/a", "excerpt": "x"}).json()["citations"][0]

    assert {key: value for key, value in known.items() if key not in ("id", "source_url")} == {
        key: value for key, value in new.items() if key not in ("id", "source_url")
    }


def test_a_partner_sees_the_public_sources_it_cites(dossier, partner_submitter):
    response = _claim(client_for(partner_submitter), {"source": dossier.source.pk, "excerpt": "ready"})

    [citation] = response.json()["citations"]
    assert (citation["source"], citation["source_title"]) == (dossier.source.pk, "Paris summit")
