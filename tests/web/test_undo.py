"""History one click from a record page, and "Undo this change" on a change (issue 12, point 6)."""

import pytest
from django.urls import reverse

from tests.factories import ActorFactory
from tracker.models import Claim
from tracker.services import claim_create, claim_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def edited_claim(editor):
    claim = claim_create(
        user=editor, reason="Entered", data={"speaker": ActorFactory(), "text": "We will send troops."}
    )
    return claim_update(
        claim=claim, user=editor, reason="Typo", data={"text": "We will send no troops."}, expected_version=1
    )


def test_the_claim_page_links_to_its_full_history(client, editor, edited_claim):
    client.force_login(editor)

    page = client.get(reverse("tracker:claim-detail", args=[edited_claim.pk])).content.decode()

    assert f'href="{reverse("history:object", args=["claim", edited_claim.pk])}"' in page


def test_undo_this_change_opens_the_version_before_it_and_reverts_with_a_reason(client, reviewer, edited_claim):
    client.force_login(reviewer)
    change = edited_claim.history.latest("history_id")
    history_page = client.get(reverse("history:object", args=["claim", edited_claim.pk])).content.decode()
    undo_url = reverse("history:undo", args=["claim", edited_claim.pk, change.history_id])
    assert undo_url in history_page

    landing = client.get(undo_url, follow=True)
    before = edited_claim.history.earliest("history_id")
    assert landing.redirect_chain[-1][0].endswith(
        f"{reverse('history:version', args=['claim', edited_claim.pk, before.history_id])}?undo={change.history_id}"
    )
    page = landing.content.decode()
    assert "Undo the change of" in page and "“Typo”" in page and "Undo this change</button>" in page

    client.post(
        reverse("history:revert", args=["claim", edited_claim.pk]),
        {"version": before.history_id, "expected_version": 2, "reason": "Undo: the typo fix was wrong"},
    )
    claim = Claim.objects.get(pk=edited_claim.pk)
    assert (claim.text, claim.version) == ("We will send troops.", 3)
    row = claim.history.latest("history_id")
    assert (row.history_user, row.history_change_reason) == (reviewer, "Undo: the typo fix was wrong")


def test_a_creation_has_nothing_to_undo(client, reviewer, edited_claim):
    client.force_login(reviewer)
    created = edited_claim.history.earliest("history_id")

    response = client.get(reverse("history:undo", args=["claim", edited_claim.pk, created.history_id]), follow=True)

    assert "there is no earlier version to go back to" in response.content.decode()


def test_editors_see_no_undo_link(client, editor, edited_claim):
    client.force_login(editor)

    page = client.get(reverse("history:object", args=["claim", edited_claim.pk])).content.decode()

    assert "Undo this change" not in page
