"""An API write is in recent changes under the key's user, with the reason the client sent."""

import pytest

from core.models import ChangeEntry
from core.services import apikey_create
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


def test_an_api_patch_appears_in_recent_changes_with_the_keys_user_and_reason(dossier, reviewer):
    secret = apikey_create(name="desk", scope="submit", user=reviewer)[1]
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    path = f"/api/v1/claims/{dossier.draft.pk}/"
    etag = client.get(path)["ETag"]
    before = set(ChangeEntry.objects.values_list("pk", flat=True))

    response = client.patch(
        path, {"context": "Said at the Paris summit.", "reason": "Context from the transcript"}, HTTP_IF_MATCH=etag
    )

    assert response.status_code == 200, response.content[:300]
    entries = list(ChangeEntry.objects.exclude(pk__in=before))
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.model, entry.object_id) == ("tracker.claim", dossier.draft.pk)
    assert entry.user == reviewer
    assert entry.reason == "Context from the transcript"
    assert "context" in entry.summary.lower()
