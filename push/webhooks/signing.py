"""Signing to the Standard Webhooks specification with its reference library (`standardwebhooks`):
`webhook-id`, `webhook-timestamp` and `webhook-signature` (v1, HMAC-SHA256 over id.timestamp.body)."""

from __future__ import annotations

import base64
import json
import secrets
from datetime import UTC, datetime
from typing import Any

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
SECRET_BYTES = 32


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def secret_problem(secret: str) -> str | None:
    """Why `secret` cannot sign (for the API), or None."""
    if not secret.startswith(SECRET_PREFIX):
        return f"A secret starts with {SECRET_PREFIX} followed by base64."
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except ValueError:
        return "The part after whsec_ is not base64."
    if not 24 <= len(key) <= 64:
        return "A secret holds 24 to 64 random bytes."
    return None


def body_of(payload: Any) -> bytes:
    """The exact bytes sent (and signed): the same payload gives the same body on every attempt."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode("utf-8")


def signed_headers(*, secret: str, message_id: str, body: bytes, at: datetime | None = None) -> dict[str, str]:
    at = at or datetime.now(tz=UTC)
    signature = Webhook(secret).sign(message_id, at, body.decode("utf-8"))
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }
