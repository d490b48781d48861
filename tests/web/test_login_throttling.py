"""Login throttling (django-axes) on the team login and the admin: lockout, message, unlock."""

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse

from core.roles import EDITORS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("throttled")]

PASSWORD = "a-long-correct-password-42"


@pytest.fixture
def throttled():
    with override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=5):
        yield


@pytest.fixture
def anna(db):
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user("anna", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


def _login(client, password, url="login"):
    return client.post(reverse(url), {"username": "anna", "password": password}, REMOTE_ADDR="203.0.113.7")


def test_the_right_password_after_too_many_wrong_ones_is_refused_with_a_clear_page(client, anna):
    statuses = [_login(client, "wrong").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the form with its error, then the lockout itself

    locked = _login(client, PASSWORD)

    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_login_is_throttled_too(client, anna):
    for _ in range(5):
        _login(client, "wrong", url="admin:login")
    assert _login(client, PASSWORD, url="admin:login").status_code == 429


def test_a_success_before_the_limit_clears_the_failures(client, anna):
    for _ in range(4):
        _login(client, "wrong")
    assert _login(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        _login(client, "wrong")
    assert _login(client, PASSWORD).status_code == 302


def test_a_reviewer_unlocks_an_account_in_the_admin(client, anna, reviewer):
    from axes.models import AccessAttempt

    for _ in range(5):
        _login(client, "wrong")
    assert _login(client, PASSWORD).status_code == 429
    reviewer.is_staff = True
    reviewer.save()

    client.force_login(reviewer)
    attempts = AccessAttempt.objects.filter(username="anna")
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 200
    response = client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [a.pk for a in attempts], "post": "yes"},
    )
    assert response.status_code == 302
    client.logout()

    assert _login(client, PASSWORD).status_code == 302
