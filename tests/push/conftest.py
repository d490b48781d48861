"""Fixtures of the push tests: a local webhook receiver, a real local SMTP server, API clients."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from rest_framework.test import APIClient

from tests.push.receiver import Receiver


@pytest.fixture(autouse=True)
def push_settings(settings):
    """Short waits, so retries and giving up happen within a test."""
    settings.WEBHOOK_TIMEOUT_SECONDS = 1.0
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.05
    settings.WEBHOOK_RETRY_MAX_SECONDS = 0.2
    settings.WEBHOOK_GIVE_UP_AFTER_HOURS = 72.0
    settings.WEBHOOK_CHAIN_SECONDS = 10.0
    settings.SITE_URL = "https://tracker.example.org"
    settings.FETCH_REDIS_KEY_PREFIX = f"test-{uuid.uuid4().hex}"
    from core.api.access import KeyRateThrottle

    KeyRateThrottle.cache_format = f"throttle_{uuid.uuid4().hex}_%(scope)s_%(ident)s"


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    with Receiver() as server:
        settings.FETCH_ALLOWED_PORTS = [server.port]
        yield server


def api_client(persona) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {persona.secret}")
    return client


@pytest.fixture
def other_partner(db):
    from core.services import apikey_create, partner_create

    partner = partner_create(name="Other Desk", contact_email="alerts@other.example")
    key, secret = apikey_create(name="hooks", scope="read", partner=partner)
    return SimpleNamespace(partner=partner, key=key, secret=secret, user=partner.user)


class _Inbox(Message):
    """Keeps every message the SMTP server accepted."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list = []

    def handle_message(self, message) -> None:
        self.messages.append(message)


@pytest.fixture
def smtp_server(settings) -> Iterator[_Inbox]:
    """A real SMTP server on 127.0.0.1 (aiosmtpd), and Django's SMTP backend pointed at it."""
    inbox = _Inbox()
    with socket.socket() as probe:  # aiosmtpd checks it is up by connecting: it needs a real port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        yield inbox
    finally:
        controller.stop()
