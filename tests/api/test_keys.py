"""API keys: shown once, stored as a SHA-256, expiring, revocable, last use recorded sparingly."""

import datetime
import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.models import APIKey, Partner
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


def test_createapikey_prints_the_key_once_and_stores_only_its_hash(dossier):
    out = StringIO()

    call_command("createapikey", "--partner", "Le Monde", "--scope", "read", "--expires", "2099-12-31", stdout=out)

    secret = out.getvalue().strip().splitlines()[-1]
    key = APIKey.objects.get()
    assert secret.startswith(f"tk_{key.prefix}_")
    assert key.hashed_key == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {str(getattr(key, f.attname)) for f in APIKey._meta.concrete_fields}
    assert key.partner == Partner.objects.get(name="Le Monde")
    assert key.expires_at == datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)
    assert key.scope == "read"
    response = client_for(None)
    response.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.get("/api/v1/claims/").status_code == 200


def test_createapikey_reuses_the_partner_and_refuses_a_bad_date(db):
    call_command("createapikey", "--partner", "Le Monde", "--scope", "read", stdout=StringIO())
    call_command("createapikey", "--partner", "Le Monde", "--scope", "submit", stdout=StringIO())

    assert Partner.objects.count() == 1
    assert APIKey.objects.count() == 2
    assert Partner.objects.get().user.groups.filter(name="Partner submitters").exists()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("createapikey", "--partner", "Le Monde", "--scope", "read", "--expires", "31/12/2099")


def test_last_used_is_written_at_most_once_a_minute(dossier, partner_reader, django_assert_num_queries):
    client = client_for(partner_reader)
    client.get("/api/v1/topics/")
    first_use = APIKey.objects.get().last_used_at
    assert first_use is not None

    client.get("/api/v1/topics/")
    assert APIKey.objects.get().last_used_at == first_use

    APIKey.objects.filter(pk=partner_reader.key.pk).update(last_used_at=first_use - datetime.timedelta(minutes=2))
    client.get("/api/v1/topics/")
    assert APIKey.objects.get().last_used_at > first_use


def test_a_malformed_or_unknown_key_is_refused_with_a_problem(db):
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION="Bearer tk_00000000_nope")

    response = client.get("/api/v1/claims/")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_key_of_a_deactivated_partner_is_refused(partner_reader):
    Partner.objects.filter(pk=partner_reader.partner.pk).update(is_active=False)
    client = client_for(partner_reader)

    assert client.get("/api/v1/claims/").status_code == 401


def test_the_admin_shows_a_new_key_once_and_keeps_only_its_hash(admin_client, db):
    from core.services import partner_create

    partner = partner_create(name="AFP")

    response = admin_client.post(
        "/admin/core/apikey/add/",
        {"name": "mirror", "partner": partner.pk, "user": "", "scope": "read", "expires_at_0": "", "expires_at_1": ""},
        follow=True,
    )

    key = APIKey.objects.get()
    shown = [str(m) for m in response.context["messages"] if "shown only this once" in str(m)]
    assert len(shown) == 1
    secret = shown[0].rsplit(" ", 1)[1]
    assert key.hashed_key == hashlib.sha256(secret.encode()).hexdigest()
    assert key.user == partner.user
    page = admin_client.get(f"/admin/core/apikey/{key.pk}/change/").content.decode()
    assert secret not in page


def test_revoking_in_the_admin_stops_the_key(admin_client, partner_reader):
    admin_client.post(
        "/admin/core/apikey/",
        {"action": "revoke", "_selected_action": [partner_reader.key.pk]},
    )

    assert APIKey.objects.get().revoked_at <= timezone.now()
    assert client_for(partner_reader).get("/api/v1/claims/").status_code == 401
