"""Each history row says until when it stood, so "the row at T" is a range condition (core.history)."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.audit import history_model
from core.history import current_at, fill_valid_until
from sources.models import Citation
from tests.factories import CitationFactory
from tracker import services
from tracker.models import Actor


def _rows(model):
    return list(
        history_model(model)
        ._default_manager.order_by("id", "history_date", "history_id")
        .values_list("history_id", "history_date", "history_valid_until")
    )


def _edit_three_times(editor):
    actor = services.actor_create(user=editor, reason="New", data={"name": "A0", "kind": "person"})
    for n in range(1, 4):
        services.actor_update(actor=actor, user=editor, reason="Edit", data={"name": f"A{n}"}, expected_version=n)
    return actor


@pytest.mark.django_db
def test_a_new_row_closes_the_previous_one_at_its_own_date(editor):
    _edit_three_times(editor)

    rows = _rows(Actor)
    assert [until for _, _, until in rows] == [rows[1][1], rows[2][1], rows[3][1], None]


@pytest.mark.django_db
def test_the_row_current_at_a_moment_is_the_latest_at_or_before_it(editor, reviewer):
    actor = _edit_three_times(editor)
    history = history_model(Actor)._default_manager
    dates = [row[1] for row in _rows(Actor)]

    def name_at(moment):
        return list(current_at(history.all(), moment).values_list("name", flat=True))

    assert name_at(dates[0] - datetime.timedelta(microseconds=1)) == []
    assert name_at(dates[0]) == ["A0"]
    assert name_at(dates[2]) == ["A2"]  # exactly at a row's date: that row, not the one it closed
    assert name_at(timezone.now()) == ["A3"]

    services.actor_delete(actor=actor, user=reviewer, reason="Gone")
    assert name_at(timezone.now()) == []  # a deletion ends the record
    assert name_at(dates[3]) == ["A3"]


@pytest.mark.django_db
def test_rows_of_one_record_with_the_same_date_are_told_apart_by_their_order(editor):
    actor = _edit_three_times(editor)
    history = history_model(Actor)._default_manager
    moment = timezone.now()
    history.filter(id=actor.pk).update(history_date=moment)  # a clock that did not move between writes
    history.update(history_valid_until=None)
    fill_valid_until(history_model(Actor))

    assert list(current_at(history.all(), moment).values_list("name", flat=True)) == ["A3"]


@pytest.mark.django_db
def test_filling_from_scratch_gives_what_the_writes_recorded(editor):
    _edit_three_times(editor)
    CitationFactory.create_batch(3)
    written = {model: _rows(model) for model in (Actor, Citation)}

    for model in written:
        history_model(model)._default_manager.update(history_valid_until=None)
        fill_valid_until(history_model(model))

    assert {model: _rows(model) for model in written} == written


@pytest.mark.django_db
def test_pruning_keeps_each_records_baseline_current_from_the_cutoff_on(editor):
    _edit_three_times(editor)
    history = history_model(Actor)._default_manager
    cutoff = history.order_by("history_date").values_list("history_date", flat=True)[2]

    call_command("prunehistory", "--before", cutoff.isoformat(), stdout=io.StringIO())

    assert list(history.values_list("name", flat=True).order_by("history_id")) == ["A1", "A2", "A3"]
    just_before = cutoff - datetime.timedelta(microseconds=1)
    assert list(current_at(history.all(), just_before).values_list("name", flat=True)) == ["A1"]
    assert list(current_at(history.all(), cutoff).values_list("name", flat=True)) == ["A2"]
    assert list(current_at(history.all(), timezone.now()).values_list("name", flat=True)) == ["A3"]
