"""CSV a spreadsheet opens safely: formulas neutralised, UTF-8 with a byte-order mark (issue 15, point 2)."""

import csv
import io

import pytest
from django.urls import reverse

from core.spreadsheet import safe_cell
from tests.api.conftest import client_for
from tracker.models import Claim

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://evil.example","click")'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralised(start):
    assert safe_cell(start + "1+1") == "'" + start + "1+1"


def test_plain_text_numbers_and_empty_cells_are_left_as_they_are():
    assert [safe_cell(v) for v in ["Troops « now »", 12, -3, None, "", "a=b"]] == [
        "Troops « now »",
        12,
        -3,
        None,
        "",
        "a=b",
    ]


def test_the_claims_export_neutralises_a_formula_and_keeps_accents_for_excel(dossier, partner_reader):
    Claim.objects.filter(pk=dossier.claim.pk).update(text=HOSTILE, context="Starmer’s « coalition »")

    response = client_for(partner_reader).get("/api/v1/claims/export/?as=csv")
    raw = b"".join(response.streaming_content)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert raw.startswith(b"\xef\xbb\xbf")  # the UTF-8 byte-order mark Excel needs to read UTF-8
    [row] = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert row["text"] == "'" + HOSTILE
    assert row["id"] == str(dossier.claim.pk)  # the header is read without the mark in its first name


def test_the_history_export_neutralises_formulas_too(client, reviewer, system_user):
    from tracker.services import actor_create

    actor_create(user=system_user, reason="@everyone look", data={"name": "=1+1", "kind": "person"})
    client.force_login(reviewer)

    response = client.get(reverse("history:export", args=["csv"]))
    raw = b"".join(response.streaming_content)

    assert raw.startswith(b"\xef\xbb\xbf")
    [row] = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert row["reason"] == "'@everyone look"
    assert row["object"] == "'=1+1"
