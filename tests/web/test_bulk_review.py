"""Several claims through one workflow step from the list (the review queue), each through its service
with the version the page showed and its own error (issue 12, point 7)."""

import pytest
from django.urls import reverse

from tests.factories import ActorFactory, CitationFactory, ClaimFactory
from tracker.choices import EditorialStatus
from tracker.models import Claim
from tracker.services import claim_create, claim_submit, claim_update

pytestmark = pytest.mark.django_db


def _in_review(editor, text):
    claim = claim_create(user=editor, reason="Entered", data={"speaker": ActorFactory(), "text": text})
    CitationFactory(claim=claim, excerpt=text.lower())
    return claim_submit(claim=claim, user=editor, reason="Ready")


def test_a_reviewer_publishes_the_picked_claims_and_each_refusal_is_named(client, editor, reviewer):
    ready = [_in_review(editor, f"Ready claim {n}.") for n in range(3)]
    uncited = claim_submit(
        claim=claim_create(user=editor, reason="Entered", data={"speaker": ActorFactory(), "text": "No source."}),
        user=editor,
        reason="Ready",
    )
    moved = _in_review(editor, "Edited meanwhile.")
    shown_version = moved.version
    claim_update(claim=moved, user=reviewer, reason="Fix", data={"context": "Munich"}, expected_version=shown_version)
    client.force_login(reviewer)
    picks = [f"{c.pk}:{c.version}" for c in [*ready, uncited]] + [f"{moved.pk}:{shown_version}"]

    response = client.post(
        reverse("tracker:claim-bulk"),
        {
            "action": "publish",
            "reason": "Checked against the transcript",
            "claims": picks,
            "next": "/claims/?status=in_review",
        },
        follow=True,
    )

    assert response.redirect_chain[0][0] == "/claims/?status=in_review"
    texts = [str(m) for m in response.context["messages"]]
    assert texts[0] == "3 claims published."
    assert texts[1].startswith(f"Not published: #{uncited.pk} “No source.”: ")
    assert (
        texts[2]
        == f"Not published: #{moved.pk} “Edited meanwhile.”: it changed since the page was loaded; reload and retry."
    )
    statuses = dict(Claim.objects.values_list("pk", "status"))
    assert [statuses[c.pk] for c in ready] == [EditorialStatus.PUBLISHED] * 3
    assert statuses[uncited.pk] == statuses[moved.pk] == EditorialStatus.IN_REVIEW
    row = Claim.objects.get(pk=ready[0].pk).history.latest("history_id")
    assert (row.history_user, row.history_change_reason) == (reviewer, "Checked against the transcript")


def test_an_editor_cannot_publish_in_bulk(client, editor):
    claim = _in_review(editor, "Ready.")
    client.force_login(editor)

    response = client.post(
        reverse("tracker:claim-bulk"),
        {"action": "publish", "reason": "r", "claims": [f"{claim.pk}:{claim.version}"]},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        f"Not published: #{claim.pk} “Ready.”: Only reviewers can publish, return or retract claims."
    ]
    assert Claim.objects.get(pk=claim.pk).status == EditorialStatus.IN_REVIEW


def test_a_bulk_step_without_a_reason_or_a_pick_changes_nothing(client, reviewer):
    claim = ClaimFactory(status=EditorialStatus.DRAFT)
    client.force_login(reviewer)

    no_reason = client.post(
        reverse("tracker:claim-bulk"), {"action": "submit", "claims": [f"{claim.pk}:1"]}, follow=True
    )
    no_pick = client.post(reverse("tracker:claim-bulk"), {"action": "submit", "reason": "r"}, follow=True)
    garbled = client.post(
        reverse("tracker:claim-bulk"), {"action": "submit", "reason": "r", "claims": ["1:x"]}, follow=True
    )

    assert "Reason: This field is required." in [str(m) for m in no_reason.context["messages"]]
    assert "Claims: tick at least one claim." in [str(m) for m in no_pick.context["messages"]]
    assert "Claims: the page sent a selection it cannot read; reload it." in [
        str(m) for m in garbled.context["messages"]
    ]
    assert Claim.objects.get(pk=claim.pk).status == EditorialStatus.DRAFT


def test_the_claim_list_offers_the_picks_to_the_team_only(client, editor, viewer):
    claim = ClaimFactory()
    client.force_login(editor)
    assert f'value="{claim.pk}:{claim.version}"' in client.get(reverse("tracker:claim-list")).content.decode()
    client.force_login(viewer)
    assert 'name="claims"' not in client.get(reverse("tracker:claim-list")).content.decode()
