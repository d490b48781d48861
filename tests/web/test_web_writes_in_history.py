"""Every write the web pages make shows in the audit history (ChangeEntry and /history/) with its user and
reason; the history pages keep the team's navigation."""

import pytest
from django.db.models import Max
from django.urls import reverse

from core.choices import HistoryAction
from core.models import ChangeEntry
from positions.choices import Stance
from positions.models import Position
from tests.factories import ActorFactory, CitationFactory, ClaimFactory, PositionFactory, TopicFactory
from tests.web.test_claims import _claim_post, _edit_post
from tests.web.test_import import _csv, _row
from tests.web.test_positions import _post as _position_post
from tracker.choices import EditorialStatus
from tracker.models import Claim

pytestmark = pytest.mark.django_db


def _mark() -> int:
    return ChangeEntry.objects.aggregate(last=Max("pk"))["last"] or 0


def _recorded(client, since: int, *, user, reason: str) -> list[ChangeEntry]:
    """The change entries written after `since`: all by `user` with `reason`, and listed on /history/."""
    entries = list(ChangeEntry.objects.filter(pk__gt=since).select_related("user").order_by("pk"))
    assert entries, "the write left no change entry"
    assert {(e.user, e.reason) for e in entries} == {(user, reason)}
    page = client.get(reverse("history:recent") + f"?user={user.get_username()}&size=100")
    assert page.status_code == 200
    listed = {e.pk for e in page.context["page"].entries}
    assert {e.pk for e in entries} <= listed
    html = page.content.decode()
    assert f"<td>{user.get_username()}</td>" in html and f"<td>{reason}</td>" in html
    return entries


def _models(entries) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for entry in entries:
        found.setdefault(entry.model, set()).add(entry.action)
    return found


def test_entering_a_claim_in_the_form_is_in_recent_changes(client, editor):
    speaker = ActorFactory(name="Keir Starmer")
    client.force_login(editor)
    since = _mark()

    response = client.post(
        reverse("sources:claim-new"),
        _claim_post(speaker, citations=[{"url": "https://news.example.com/a", "title": "A", "excerpt": "troops"}]),
    )

    assert response.status_code == 302
    entries = _recorded(client, since, user=editor, reason="Entered from the Paris article")
    claim = Claim.objects.get()
    assert _models(entries) == {
        "tracker.claim": {HistoryAction.CREATED},
        "sources.source": {HistoryAction.CREATED},
        "sources.citation": {HistoryAction.CREATED},
    }
    assert any(e.model == "tracker.claim" and e.object_id == claim.pk for e in entries)
    assert len({e.change_id for e in entries}) == 1


def test_editing_a_claim_in_the_form_is_in_recent_changes(client, editor):
    claim = CitationFactory(excerpt="old words").claim
    client.force_login(editor)
    since = _mark()

    response = client.post(
        reverse("sources:claim-edit", args=[claim.pk]),
        _edit_post(claim, text="The UK would send troops.", **{"old-0-excerpt": "new words"}),
    )

    assert response.status_code == 302
    entries = _recorded(client, since, user=editor, reason="Tighten the wording")
    assert _models(entries) == {"tracker.claim": {HistoryAction.CHANGED}, "sources.citation": {HistoryAction.CHANGED}}
    claim_entry = next(e for e in entries if e.model == "tracker.claim")
    assert claim_entry.object_id == claim.pk and "text" in claim_entry.summary


def test_claim_workflow_buttons_are_in_recent_changes(client, editor, reviewer):
    claim = CitationFactory().claim

    client.force_login(editor)
    since = _mark()
    client.post(
        reverse("tracker:claim-transition", args=[claim.pk]),
        {"action": "submit", "reason": "Ready for a look", "version": claim.version},
    )
    submitted = _recorded(client, since, user=editor, reason="Ready for a look")

    claim.refresh_from_db()
    client.force_login(reviewer)
    since = _mark()
    client.post(
        reverse("tracker:claim-transition", args=[claim.pk]),
        {"action": "publish", "reason": "Checked against the source", "version": claim.version},
    )
    published = _recorded(client, since, user=reviewer, reason="Checked against the source")

    assert [(e.model, e.object_id, e.action) for e in submitted] == [
        ("tracker.claim", claim.pk, HistoryAction.SUBMITTED)
    ]
    assert [(e.model, e.object_id, e.action) for e in published] == [
        ("tracker.claim", claim.pk, HistoryAction.PUBLISHED)
    ]


def test_the_position_form_and_its_workflow_buttons_are_in_recent_changes(client, editor):
    actor, topic = ActorFactory(slug="keir-starmer"), TopicFactory()
    client.force_login(editor)

    since = _mark()
    client.post(reverse("positions:position-new"), _position_post(topic, actor=actor.slug))
    created = _recorded(client, since, user=editor, reason="From the March interview")
    position = Position.objects.get()

    since = _mark()
    client.post(
        reverse("positions:position-edit", args=[position.pk]),
        _position_post(
            topic, actor=actor.slug, stance=Stance.NEUTRAL, version=position.version, reason="Softer in April"
        ),
    )
    edited = _recorded(client, since, user=editor, reason="Softer in April")

    position.refresh_from_db()
    since = _mark()
    client.post(
        reverse("positions:position-transition", args=[position.pk]),
        {"action": "submit", "reason": "Please review the stance", "version": position.version},
    )
    submitted = _recorded(client, since, user=editor, reason="Please review the stance")

    assert [(e.model, e.object_id, e.action) for e in created] == [
        ("positions.position", position.pk, HistoryAction.CREATED)
    ]
    assert [(e.model, e.action) for e in edited] == [("positions.position", HistoryAction.CHANGED)]
    assert [(e.model, e.action) for e in submitted] == [("positions.position", HistoryAction.SUBMITTED)]
    position.refresh_from_db()
    assert (position.stance, position.status) == (Stance.NEUTRAL, EditorialStatus.IN_REVIEW)


def test_applying_a_csv_import_is_in_recent_changes(client, editor, upload, apply):
    ActorFactory(name="Keir Starmer", slug="keir-starmer")
    TopicFactory(title="Troops", slug="troops")
    client.force_login(editor)
    _response, preview = upload(_csv([_row()]), name="february.csv")
    assert not ChangeEntry.objects.filter(reason="CSV import: february.csv").exists()  # the dry run saves nothing
    since = _mark()

    applied, job = apply(preview)

    assert applied.status_code == 302 and job.result["applied"] is True
    entries = _recorded(client, since, user=editor, reason="CSV import: february.csv")
    assert set(_models(entries)) >= {"tracker.claim", "sources.source", "sources.citation"}
    claim = Claim.objects.get()
    assert any(e.model == "tracker.claim" and e.object_id == claim.pk for e in entries)


@pytest.mark.parametrize("persona", ["editor", "reviewer", "viewer"])
def test_history_pages_extend_the_team_layout_with_history_marked_current(client, request, persona):
    claim = ClaimFactory()
    PositionFactory()
    client.force_login(request.getfixturevalue(persona))

    for url in (reverse("history:recent"), reverse("history:object", args=["claim", claim.pk])):
        page = client.get(url).content.decode()
        for label in ("Dashboard", "Actors", "Topics", "Claims", "Sources", "Search", "Flagged"):
            assert f">{label}</a>" in page, (url, label)
        assert '<a href="/history/" aria-current="page">History</a>' in page
        assert "Log out</button>" in page
