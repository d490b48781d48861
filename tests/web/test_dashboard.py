"""The dashboard: its own lists, the panels other apps add, and recent changes read from the change index."""

import datetime

import pytest
from django.urls import reverse

from core.choices import HistoryAction
from core.models import ChangeEntry
from positions.services import position_update
from sources.services import source_update
from tests.factories import PositionFactory, SourceFactory
from tracker.choices import EditorialStatus

pytestmark = pytest.mark.django_db


def test_recent_changes_come_from_the_change_index_and_include_sources_and_positions(client, editor):
    source = SourceFactory(title="Paris summit report")
    position = PositionFactory(summary="")
    source_update(
        source=source, user=editor, reason="Fix the headline", data={"title": "Paris summit"}, expected_version=1
    )
    position_update(
        position=position,
        user=editor,
        reason="Add the conditions",
        data={"conditions": "Only with a US backstop"},
        expected_version=1,
    )
    client.force_login(editor)

    response = client.get(reverse("tracker:dashboard"))

    recent = response.context["recent"]
    newest = list(ChangeEntry.objects.order_by("-history_date", "-id")[: len(recent)])
    assert recent == newest  # the same rows /history/ lists, newest first
    assert [(e.model, e.object_id, e.action, e.reason, e.user) for e in recent[:2]] == [
        ("positions.position", position.pk, HistoryAction.CHANGED, "Add the conditions", editor),
        ("sources.source", source.pk, HistoryAction.CHANGED, "Fix the headline", editor),
    ]
    page = response.content.decode().split('id="recent"', 1)[1]
    assert f'href="/history/position/{position.pk}/"' in page and "Add the conditions" in page
    assert f'href="/history/source/{source.pk}/">Paris summit</a>' in page and "Fix the headline" in page


def test_the_positions_panel_lists_my_draft_positions_and_the_positions_in_review(client, editor):
    from positions.services import position_create
    from tests.factories import ActorFactory, TopicFactory

    mine = position_create(
        user=editor,
        reason="Mine",
        data={
            "actor": ActorFactory(),
            "topic": TopicFactory(),
            "stance": "support",
            "as_of": datetime.date(2025, 2, 17),
        },
    )
    waiting = PositionFactory(status=EditorialStatus.IN_REVIEW)
    client.force_login(editor)

    response = client.get(reverse("tracker:dashboard"))

    assert list(response.context["my_positions"]) == [mine]
    assert list(response.context["queue_positions"]) == [waiting]
    page = response.content.decode()
    assert page.index('id="position-drafts"') < page.index('id="flagged"') < page.index('id="recent"')
    assert f'href="/positions/{waiting.pk}/"' in page.split('id="position-queue"', 1)[1]
