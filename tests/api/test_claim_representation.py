"""The claims endpoints build a claim's representation directly (sources/api/serializers.py, for
speed); it must equal what DRF's field-by-field serialisation of the same claim gives."""

import datetime

import pytest
from rest_framework import serializers

from core.choices import DatePrecision
from sources.api.serializers import ClaimSerializer
from tests.factories import CitationFactory, ClaimFactory, SourceFactory, TopicFactory
from tracker.choices import EditorialStatus, Veracity

pytestmark = pytest.mark.django_db


def _drf_representation(claim):
    # ModelSerializer's own to_representation walks the declared fields one by one.
    return serializers.ModelSerializer.to_representation(ClaimSerializer(), claim)


@pytest.fixture
def claims():
    rated = ClaimFactory(
        text="We are ready to put <b>troops</b> on the ground.",
        stated_on=datetime.date(2025, 2, 1),
        stated_on_precision=DatePrecision.MONTH,
        context="Paris meeting",
        veracity=Veracity.MOSTLY_TRUE,
        veracity_rationale="Said twice.",
        status=EditorialStatus.PUBLISHED,
    )
    rated.topics.set([TopicFactory(title="Zeta troops", slug="zeta"), TopicFactory(title="Alpha", slug="alpha")])
    CitationFactory(claim=rated, source=SourceFactory(title="Transcript"), excerpt="ready", locator="para 3")
    CitationFactory(
        claim=rated, source=SourceFactory(url="https://b.example.org/x"), accessed_on=datetime.date(2025, 2, 18)
    )
    bare = ClaimFactory(stated_on=None)  # no topics, no citations, no date
    return [rated, bare]


def test_a_claims_representation_equals_drfs_field_by_field_one(claims):
    for claim in claims:
        assert ClaimSerializer(claim).data == _drf_representation(claim)


def test_a_page_of_claims_equals_drfs_field_by_field_one(claims, django_assert_num_queries):
    with django_assert_num_queries(2):  # topics and citations of the whole page, one query each
        data = ClaimSerializer(claims, many=True).data
    expected = [_drf_representation(claim) for claim in claims]
    assert data == expected
    assert data[0]["topics"] == ["alpha", "zeta"]  # in topic order, as everywhere else
    assert [c["source_url"] for c in data[0]["citations"]][1] == "https://b.example.org/x"
    assert data[0]["citations"][0]["source_title"] == "Transcript"
    assert data[0]["citations"][1]["accessed_on"] == "2025-02-18"
    assert data[1]["topics"] == [] and data[1]["citations"] == []
