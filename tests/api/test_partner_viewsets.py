"""Each tracked model is served by one registered viewset (core/api/feed.py), which the changes feed,
the dump and the API root rely on; a tracked model added without an API fails here."""

import pytest
from django.urls import resolve, reverse
from rest_framework import viewsets

from core import registry
from core.api.base import TrackedReadViewSet
from core.api.feed import partner_resources, partner_viewset, register_viewset
from tests.api.conftest import client_for
from tracker.models import Claim


def test_every_tracked_model_has_a_partner_viewset_routed_under_its_resource():
    assert partner_resources() == [spec.resource for spec in registry.all_tracked()]
    for spec in registry.all_tracked():
        viewset = partner_viewset(spec.resource, request=None)
        assert viewset.model is spec.model
        list_url = reverse(f"api:{spec.name}-list")
        assert list_url == f"/api/v1/{spec.resource}/"
        assert resolve(list_url).func.cls is type(viewset)


def test_the_partner_viewset_shows_the_partner_view_whoever_asks(dossier):
    viewset = partner_viewset("claims", request=None)

    assert list(viewset.get_queryset().values_list("pk", flat=True)) == [dossier.claim.pk]


def test_a_second_viewset_for_a_resource_is_refused():
    class OtherClaimViewSet(TrackedReadViewSet):
        model = Claim

    registered = type(partner_viewset("claims", request=None))
    with pytest.raises(registry.ImproperlyRegisteredError, match="claims has two partner viewsets"):
        register_viewset(OtherClaimViewSet)
    assert type(partner_viewset("claims", request=None)) is registered


def test_a_viewset_of_an_untracked_model_cannot_be_registered():
    from django.contrib.auth.models import Group

    class GroupViewSet(viewsets.GenericViewSet):
        model = Group

    with pytest.raises(LookupError):
        register_viewset(GroupViewSet)


def test_the_api_root_lists_every_app_s_resources_in_the_registry_s_order(editor):
    response = client_for(editor).get("/api/v1/")

    assert response.status_code == 200
    tracked = [spec.resource for spec in registry.all_tracked()]
    assert list(response.json()) == [*tracked, "source-checks", "webhook-endpoints", "claim-suggestions"]
    assert response.json()["claims"] == "http://testserver/api/v1/claims/"
    assert response.json()["source-checks"] == "http://testserver/api/v1/source-checks/"
