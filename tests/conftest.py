"""Personas, named by what they may do, and shared fixtures."""

import pytest
from django.contrib.auth.models import Group

from core.history import get_system_user
from core.roles import EDITORS, REVIEWERS, VIEWERS
from tests.factories import UserFactory


def _member(username: str, group: str | None, *, staff: bool = True):
    user = UserFactory(username=username, is_staff=staff)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db):
    return _member("editor", EDITORS)


@pytest.fixture
def reviewer(db):
    return _member("reviewer", REVIEWERS)


@pytest.fixture
def viewer(db):
    return _member("viewer", VIEWERS)


@pytest.fixture
def outsider(db):
    """A logged-in account in no group: may do nothing."""
    return _member("outsider", None, staff=False)


@pytest.fixture
def system_user(db):
    return get_system_user()


# --- API personas (partner keys and clients) ------------------------------------------------------


@pytest.fixture
def partner_reader(db):
    """A partner organisation's `read` key: sees published data only, writes nothing."""
    from types import SimpleNamespace

    from core.services import apikey_create, partner_create

    partner = partner_create(name="Reader Newsroom")
    key, secret = apikey_create(name="mirror", scope="read", partner=partner)
    return SimpleNamespace(partner=partner, key=key, secret=secret, user=partner.user)


@pytest.fixture
def partner_submitter(db):
    """A partner organisation's `submit` key: reads published data and proposes draft claims."""
    from types import SimpleNamespace

    from core.services import apikey_create, partner_create

    partner = partner_create(name="Submitter Lab")
    key, secret = apikey_create(name="tips", scope="submit", partner=partner)
    return SimpleNamespace(partner=partner, key=key, secret=secret, user=partner.user)


def forget_pending_on_commit() -> None:
    """Drop the on-commit callbacks queued so far, as if the set-up had been committed earlier.

    A test runs in one transaction, where a check already queued for a source makes the next queueing
    of that source a no-op (one check per source per transaction); in production every request
    commits on its own. Set-up that cites a source queues its check (sources/apps.py)."""
    from django.db import transaction

    transaction.get_connection().run_on_commit.clear()
