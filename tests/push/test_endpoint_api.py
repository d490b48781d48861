"""A partner registers its webhook endpoints through the API (the team through the admin) and reads
their delivery log; bad input is refused naming the field, and nobody sees another partner's endpoints."""

import pytest
from django.contrib.admin.models import LogEntry
from standardwebhooks import Webhook

from push.choices import AttemptOutcome, DeliveryStatus
from push.models import WebhookEndpoint
from tests.api.conftest import client_for
from tests.push.conftest import api_client
from tests.push.support import deliver, published_claim

pytestmark = pytest.mark.django_db

ENDPOINTS = "/api/v1/webhook-endpoints/"


def _problem_fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def test_a_partner_registers_an_endpoint_and_reads_its_delivery_log(
    editor, reviewer, partner_reader, receiver, django_assert_max_num_queries
):
    client = api_client(partner_reader)
    created = client.post(
        ENDPOINTS,
        {"url": receiver.url("/hook"), "event_types": ["claims.upsert"], "description": "Newsroom"},
        format="json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["url"] == receiver.url("/hook") and body["event_types"] == ["claims.upsert"]
    assert body["secret"].startswith("whsec_") and body["is_active"] is True
    endpoint = WebhookEndpoint.objects.get(pk=body["id"], partner=partner_reader.partner)

    claim = published_claim(editor, reviewer)
    deliver()

    with django_assert_max_num_queries(8):
        log = client.get(f"{ENDPOINTS}{endpoint.pk}/deliveries/").json()["results"]
    (entry,) = log
    assert entry["event_type"] == "claims.upsert" and entry["status"] == DeliveryStatus.DELIVERED
    assert entry["message_id"] == f"msg_{endpoint.pk}_{entry['seq']}"
    assert [(a["outcome"], a["status_code"]) for a in entry["attempt_log"]] == [(AttemptOutcome.SUCCESS, 200)]
    (received,) = receiver.to("/hook")
    assert Webhook(body["secret"]).verify(received.body, received.headers)["data"]["id"] == claim.pk


def test_a_partner_may_bring_its_own_secret(partner_reader, receiver):
    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    data = {"url": receiver.url("/own"), "secret": secret}
    response = api_client(partner_reader).post(ENDPOINTS, data, format="json")
    assert response.status_code == 201 and response.json()["secret"] == secret


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"url": "http://10.0.0.7:PORT/hook"}, "url"),
        ({"url": "ftp://partner.example/hook"}, "url"),
        ({"url": "RECEIVER", "event_types": ["claims.upsert", "claims.exploded"]}, "event_types"),
        ({"url": "RECEIVER", "secret": "hunter2"}, "secret"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_registered(partner_reader, receiver, data, field):
    data = {name: receiver.url("/hook") if value == "RECEIVER" else value for name, value in data.items()}
    data["url"] = data["url"].replace("PORT", str(receiver.port))
    response = api_client(partner_reader).post(ENDPOINTS, data, format="json")

    assert response.status_code == 400
    assert field in _problem_fields(response)
    if "10.0.0.7" in data["url"]:
        assert "non-public address 10.0.0.7" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_partners_see_only_their_own_endpoints_and_others_may_not_use_these_routes(
    partner_reader, other_partner, receiver, viewer
):
    mine = api_client(partner_reader).post(ENDPOINTS, {"url": receiver.url("/mine")}, format="json").json()
    theirs = api_client(other_partner)

    assert theirs.get(ENDPOINTS).json()["results"] == []
    assert theirs.get(f"{ENDPOINTS}{mine['id']}/").status_code == 404
    assert theirs.get(f"{ENDPOINTS}{mine['id']}/deliveries/").status_code == 404
    assert theirs.delete(f"{ENDPOINTS}{mine['id']}/").status_code == 404
    assert WebhookEndpoint.objects.filter(pk=mine["id"]).exists()
    assert client_for(viewer).get(ENDPOINTS).status_code == 403  # the team uses the admin


def test_the_team_registers_an_endpoint_in_the_admin_through_the_service(client, partner_reader, receiver):
    from tests.factories import UserFactory

    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    add = "/admin/push/webhookendpoint/add/"
    fields = {"partner": partner_reader.partner.pk, "description": "", "event_types": "[]", "secret": ""}

    private = f"http://10.0.0.7:{receiver.port}/hook"
    refused = client.post(add, {**fields, "url": private, "is_active": "on"})
    assert refused.status_code == 200 and "non-public address" in refused.content.decode()
    assert not WebhookEndpoint.objects.exists()

    saved = client.post(add, {**fields, "url": receiver.url("/admin"), "is_active": "on"})
    assert saved.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.url == receiver.url("/admin") and endpoint.secret.startswith("whsec_")
    assert LogEntry.objects.get(object_id=str(endpoint.pk)).object_repr == f"Reader Newsroom: {endpoint.url}"

    changed = {**fields, "url": receiver.url("/moved"), "secret": endpoint.secret, "is_active": "on"}
    assert client.post(f"/admin/push/webhookendpoint/{endpoint.pk}/change/", changed).status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.url == receiver.url("/moved")
