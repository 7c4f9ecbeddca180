"""Our signatures against an independent Standard Webhooks implementation (the `standardwebhooks`
library), unmodified."""

import base64
import json

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from contenthub.signing import signed_headers

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
OLD_SECRET = "whsec_" + base64.b64encode(b"old-secret-old-secret-old-secret").decode()
BODY = json.dumps({"type": "task.succeeded", "data": {"task_id": "task-0123456789ab"}}).encode()


def test_a_standard_webhooks_verifier_accepts_our_signature():
    headers = signed_headers([SECRET], "msg_0123456789ab_1_succeeded", BODY)
    assert Webhook(SECRET).verify(BODY, headers) == json.loads(BODY)


def test_tampered_body_or_id_is_rejected():
    headers = signed_headers([SECRET], "msg_1", BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(BODY.replace(b"succeeded", b"failed"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(BODY, {**headers, "webhook-id": "msg_2"})


def test_wrong_secret_is_rejected():
    headers = signed_headers([SECRET], "msg_1", BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(OLD_SECRET).verify(BODY, headers)


def test_rotation_sends_both_signatures_and_either_secret_verifies():
    headers = signed_headers([SECRET, OLD_SECRET], "msg_1", BODY)
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(SECRET).verify(BODY, headers)
    Webhook(OLD_SECRET).verify(BODY, headers)


def test_stale_timestamp_is_rejected_by_the_verifier():
    headers = signed_headers([SECRET], "msg_1", BODY, timestamp=1_000_000_000)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(BODY, headers)
