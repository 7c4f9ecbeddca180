"""Standard Webhooks (https://www.standardwebhooks.com/) signing.

`webhook-signature: v1,<base64 HMAC-SHA256(key, f"{id}.{timestamp}.{body}")>`, where the key is
the base64 part of a `whsec_…` secret; several secrets (rotation) give several space-separated
signatures. Any Standard Webhooks verifier accepts these unmodified (tests/unit/webhooks check
with the `standardwebhooks` library).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

SECRET_PREFIX = "whsec_"


def secret_key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secrets: list[str], msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return " ".join(
        "v1," + base64.b64encode(hmac.new(secret_key(s), signed, hashlib.sha256).digest()).decode() for s in secrets
    )


def signed_headers(secrets: list[str], msg_id: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secrets, msg_id, timestamp, body),
        "content-type": "application/json",
        "user-agent": "ContentHub-Webhooks/1.0",
    }


def load_secrets(raw: str) -> list[str]:
    """A secret value may be `whsec_…`, or JSON: {"keys": [...]} (rotation: all are used to sign)
    or {"prefix": "whsec_", "key": "…"} (what the stack generates)."""
    raw = raw.strip()
    if raw.startswith("{"):
        data = json.loads(raw)
        if "keys" in data:
            return [str(k) for k in data["keys"]]
        return [str(data.get("prefix", "whsec_")) + str(data["key"])]
    return [raw]
