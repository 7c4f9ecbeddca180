"""Webhook delivery on moto: the deployed template's deliveries table and queue, the delivery
function's handler, and a real receiver on localhost."""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest

from contenthub import dal
from contenthub.models import StoredDelivery, iso, utc_now
from contenthub.states import DeliveryState
from tests.conftest import load_handler, sqs_event
from tests.fixtures.receivers import serve  # noqa: F401  (a fixture: misbehaving receivers)
from tests.integration.conftest import REGION, drain, queue_messages, reset_caches

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()


@dataclass
class Receiver:
    """A webhook receiver on localhost that records what it gets and answers `status`."""

    status: int = 200
    received: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers.items()), "body": body, "at": time.time()})
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def deliver_env(stack, settings_env):
    """The delivery function's settings as the local stack's synth sets them: loopback receivers
    allowed (the tests' receiver is on 127.0.0.1), quick retries; the signing secret exists."""
    settings_env.setenv("WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")
    settings_env.setenv("WEBHOOK_TIMEOUT", "2")
    settings_env.setenv("WEBHOOK_RETRY_SCHEDULE", "1,1")
    secrets = boto3.client("secretsmanager", region_name=REGION)
    with contextlib.suppress(secrets.exceptions.ResourceExistsException):
        secrets.create_secret(Name=stack["WebhookSecretName"], SecretString=json.dumps({"keys": [SECRET]}))
    drain(stack["WebhookQueueUrl"])
    reset_caches()
    yield settings_env
    drain(stack["WebhookQueueUrl"])


@pytest.fixture
def deliver_handler(deliver_env):
    return load_handler("webhook_deliver")


def new_delivery(url: str) -> str:
    """A pending delivery for a made-up task, as notify() writes it."""
    now = utc_now()
    delivery_id = f"msg_{uuid.uuid4().hex[:12]}_1_succeeded"
    task_id = "task-" + delivery_id[4:16]
    payload = json.dumps({"type": "task.succeeded", "timestamp": iso(now), "data": {"task_id": task_id}})
    delivery = StoredDelivery(
        delivery_id=delivery_id, event_type="task.succeeded", task_id=task_id, url=url,
        status=DeliveryState.PENDING, payload=payload, created_at=iso(now), updated_at=iso(now),
    )  # fmt: skip
    assert dal.deliveries().create(delivery, expires_at=int((now + timedelta(days=1)).timestamp()))
    return delivery_id


def first_message(delivery_id: str) -> dict[str, Any]:
    return {"delivery_id": delivery_id, "due_at": time.time(), "attempt": 1}


def queued(stack: dict[str, str], delivery_id: str, wait: float = 3) -> list[dict[str, Any]]:
    """The webhook queue's messages for one delivery (left in the queue), waiting up to `wait`
    seconds for delayed ones to show."""
    deadline = time.monotonic() + wait
    while True:
        bodies = [json.loads(m["Body"]) for m in queue_messages(stack["WebhookQueueUrl"])]
        found = [b for b in bodies if b.get("delivery_id") == delivery_id]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def handle(handler: Any, context: Any, *messages: dict[str, Any]) -> dict[str, Any]:
    """The delivery function invoked by SQS with these message bodies."""
    return handler.main(sqs_event(list(messages), queue_arn="arn:aws:sqs:us-east-1:123456789012:webhooks"), context)
