"""core.prepared: a queryset compiled once and run again with other values gives what it would give."""

import pytest
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery

from core.prepared import Prepared
from sources.models import Source, SourceSnapshot
from tests.factories import CitationFactory, SourceFactory

pytestmark = pytest.mark.django_db


def _with_latest(sources):
    latest = SourceSnapshot.objects.filter(source=OuterRef("pk")).order_by("-created_at", "-id")
    return sources.annotate(latest_text=Subquery(latest.values("text")[:1]), cited=Count("citations"))


def test_rows_are_those_of_the_queryset_for_each_value():
    built = []

    def build(pk):
        built.append(pk)
        return _with_latest(Source.objects.filter(pk=pk))

    prepared = Prepared(build)
    one, two = SourceFactory(), SourceFactory()
    SourceSnapshot.objects.create(source=one, text="The text of one", fingerprint="a" * 64)
    SourceSnapshot.objects.create(source=one, text="The newer text of one", fingerprint="b" * 64)
    CitationFactory(source=two)
    CitationFactory(source=two)

    first, second, none = prepared.rows(one.pk), prepared.rows(two.pk), prepared.rows(-1)

    assert [(s.pk, s.title, s.latest_text, s.cited) for s in first] == [(one.pk, one.title, "The newer text of one", 0)]
    assert [(s.pk, s.latest_text, s.cited) for s in second] == [(two.pk, None, 2)]
    assert none == []
    assert len(built) == 1  # compiled once, run three times


def test_a_locking_read_is_compiled_in_its_transaction_and_runs_there():
    prepared = Prepared(lambda pk: Source.objects.select_for_update().filter(pk=pk).only("pk", "url"))
    source = SourceFactory()

    with transaction.atomic():
        rows = prepared.rows(source.pk)
    with transaction.atomic():
        again = prepared.rows(source.pk)

    assert [s.url for s in rows] == [s.url for s in again] == [source.url]


def test_a_value_the_sql_would_inline_is_refused():
    prepared = Prepared(lambda n: Source.objects.order_by("pk")[:n])

    with pytest.raises(ValueError, match="as a parameter"):
        prepared.rows(3)


def test_the_number_of_values_is_checked():
    prepared = Prepared(lambda a, b: Source.objects.filter(pk__in=[a, b]), arguments=2)
    one, two = SourceFactory(), SourceFactory()

    assert sorted(s.pk for s in prepared.rows(one.pk, two.pk)) == sorted([one.pk, two.pk])
    with pytest.raises(TypeError, match="expected 2 values"):
        prepared.rows(one.pk)
