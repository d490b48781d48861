import pytest
from django.core.management import call_command

from positions.models import Position
from tracker.models import Claim


@pytest.fixture
def dossier(db):
    """The seed dossier: 20 actors, 7 topics, 15 published claims, 9 published positions."""
    call_command("loadseeds", verbosity=0)
    return {
        "claim": Claim.objects.select_related("speaker").order_by("pk").first(),
        "position": Position.objects.select_related("actor", "topic").order_by("pk").first(),
    }
