import json

import pytest
from django.core.management import call_command

from core.history import get_system_user
from positions.models import Position
from seeds.loading import DOSSIER, SEEDS_DIR
from sources.models import Citation, Source
from tracker.models import Actor, Claim, Role, Topic

pytestmark = pytest.mark.django_db
TRACKED = [Actor, Role, Topic, Claim, Position, Source, Citation]


def _history_count() -> int:
    return sum(model.history.count() for model in TRACKED)


def test_loading_seeds_twice_changes_nothing_and_adds_no_history():
    call_command("loadseeds", verbosity=0)
    counts = {model: model.objects.count() for model in TRACKED}
    history = _history_count()

    call_command("loadseeds", verbosity=0)

    assert {model: model.objects.count() for model in TRACKED} == counts
    assert _history_count() == history
    dossier = json.loads(DOSSIER.read_text())
    assert counts[Actor] == len(dossier["actors"])
    assert counts[Claim] == len(dossier["claims"])
    assert counts[Position] == len(dossier["positions"])


def test_seed_history_is_recorded_under_the_system_user_with_a_reason():
    call_command("loadseeds", verbosity=0)
    system = get_system_user()
    for model in TRACKED:
        rows = model.history.all()
        assert rows.exists()
        assert set(rows.values_list("history_user", flat=True)) == {system.pk}
        assert all(
            reason.startswith("Load seed dossier") for reason in rows.values_list("history_change_reason", flat=True)
        )


def test_every_seeded_excerpt_is_found_verbatim_in_the_article():
    call_command("loadseeds", verbosity=0)
    article = (SEEDS_DIR / "article-2025-02-european-leaders-ukraine.txt").read_text(encoding="utf-8")
    source = Source.objects.get()
    assert source.stored_text == article
    excerpts = list(Citation.objects.values_list("excerpt", flat=True)) + list(
        Role.objects.values_list("excerpt", flat=True)
    )
    assert len(excerpts) == 20
    missing = [excerpt for excerpt in excerpts if excerpt not in article]
    assert missing == []


def test_seeded_claims_and_positions_are_published_and_sourced():
    call_command("loadseeds", verbosity=0)
    assert set(Claim.objects.values_list("status", flat=True)) == {"published"}
    assert not Claim.objects.filter(citations__isnull=True).exists()
    for position in Position.objects.all():
        assert position.status == "published"
        assert position.evidence.filter(status="published").exists()
        assert position.as_of_inferred
