"""The model registry: one declaration per tracked model, and nothing tracked goes undeclared."""

import pytest
from django.core.checks import Tags, run_checks

from core import registry
from core.registry import ImproperlyRegisteredError, check_registry
from positions.models import Position
from sources.models import Citation, Source
from tracker.models import Actor, Claim, Role, Topic


def test_every_model_that_keeps_history_is_registered_once():
    assert check_registry() == []
    assert [spec.model for spec in registry.all_tracked()] == [Actor, Role, Topic, Claim, Position, Source, Citation]
    assert [spec.resource for spec in registry.all_tracked()] == [
        "actors",
        "roles",
        "topics",
        "claims",
        "positions",
        "sources",
        "citations",
    ]


def test_a_model_that_keeps_history_without_a_registration_fails_the_start_up_check(monkeypatch):
    monkeypatch.delitem(registry._registry, Citation)

    assert check_registry() == ["sources.Citation keeps history but is not registered with core.registry."]
    errors = [message for message in run_checks(tags=[Tags.models]) if message.id == "core.E001"]
    assert [message.msg for message in errors] == [
        "sources.Citation keeps history but is not registered with core.registry."
    ]


def test_a_model_is_registered_once_and_only_with_fields_it_has():
    spec = registry.get(Actor)
    with pytest.raises(ImproperlyRegisteredError, match="registered twice"):
        registry.register(
            Actor, resource="actors", fields=spec.fields, create=spec.create, update=spec.update, delete=spec.delete
        )


def test_unknown_fields_are_refused_by_name(monkeypatch):
    monkeypatch.delitem(registry._registry, Actor)
    spec_args = {"resource": "actors", "create": None, "update": None, "delete": None}
    with pytest.raises(ImproperlyRegisteredError, match="unknown fields: nickname"):
        registry.register(Actor, fields=("name", "nickname"), **spec_args)


def test_the_registry_finds_a_model_by_label_name_or_resource():
    assert registry.get("tracker.claim").model is Claim
    assert registry.get("claim").model is Claim
    assert registry.get("claims").model is Claim
    assert registry.get(Claim).child("citations").model is Citation
    with pytest.raises(LookupError):
        registry.get("sourcecheck")


@pytest.mark.django_db
def test_a_check_constraint_the_database_refuses_comes_back_as_its_own_message(editor):
    """Check constraints are enforced by the database alone; the service still names the rule."""
    import datetime

    from django.core.exceptions import ValidationError

    from core.models import ChangeEntry
    from tests.factories import ActorFactory
    from tracker import services

    actor, organisation = ActorFactory(), ActorFactory()
    before = ChangeEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        services.role_create(
            user=editor,
            reason="Appointed",
            data={
                "actor": actor,
                "organisation": organisation,
                "title": "Envoy",
                "start_on": datetime.date(2025, 2, 1),
                "end_on": datetime.date(2025, 1, 1),
            },
        )
    assert error.value.messages == ["A role cannot end before it starts."]
    assert not Role.objects.exists()
    assert ChangeEntry.objects.count() == before
