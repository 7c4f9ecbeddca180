"""Signed webhooks from the local stack to a real receiver on localhost."""

from __future__ import annotations

import pytest
import requests
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from contenthub.logic.webhooks import load_secrets
from tests.e2e.conftest import FAIL_PREFIX, Receiver, RunningStack

pytestmark = pytest.mark.e2e


def verifier(stack: RunningStack) -> Webhook:
    raw = stack.client("secretsmanager").get_secret_value(SecretId=stack.outputs["WebhookSecretName"])["SecretString"]
    return Webhook(load_secrets(raw)[0])


def delivery(stack: RunningStack, delivery_id: str) -> dict:
    return stack.client("dynamodb").get_item(
        TableName=stack.outputs["WebhooksTable"], Key={"delivery_id": {"S": delivery_id}}, ConsistentRead=True
    )["Item"]


def test_a_succeeded_task_sends_one_signed_webhook_that_a_standard_verifier_accepts(local_stack, receiver: Receiver):
    task, _ = local_stack.wait_until_done(local_stack.submit()["task_id"])
    [received] = receiver.wait_for(task["task_id"], 1)
    payload = verifier(local_stack).verify(received["body"], received["headers"])
    assert payload["type"] == "task.succeeded"
    assert payload["data"]["task_id"] == task["task_id"] and payload["data"]["content_id"] == task["content_id"]
    assert payload["data"]["summary"]
    assert received["headers"]["webhook-id"] == f"msg_{task['task_id'][5:]}_1_succeeded"
    assert len(received["body"]) < 20_000
    tampered = received["body"].replace(b"succeeded", b"failed")
    with pytest.raises(WebhookVerificationError):
        verifier(local_stack).verify(tampered, received["headers"])


def test_a_failed_task_sends_task_failed_with_the_reason(local_stack, receiver: Receiver):
    task, _ = local_stack.wait_until_done(local_stack.submit(topic=f"{FAIL_PREFIX} for the hook")["task_id"])
    [received] = receiver.wait_for(task["task_id"], 1)
    payload = verifier(local_stack).verify(received["body"], received["headers"])
    assert payload["type"] == "task.failed" and "simulated failure" in payload["data"]["error"]


def test_a_failing_receiver_sees_the_retry_schedule_then_the_delivery_is_dead_and_redeliverable(
    local_stack, receiver: Receiver
):
    submitted = local_stack.submit(topic="receiver is down")
    receiver.respond[submitted["task_id"]] = [500]
    local_stack.wait_until_done(submitted["task_id"])
    attempts = receiver.wait_for(submitted["task_id"], 3)  # schedule "1,1": 1 + 2 retries
    gaps = [b["at"] - a["at"] for a, b in zip(attempts, attempts[1:], strict=False)]
    assert all(gap >= 0.9 for gap in gaps), gaps
    assert len({a["headers"]["webhook-id"] for a in attempts}) == 1  # same message, retried
    delivery_id = attempts[0]["headers"]["webhook-id"]

    dead = requests.get(f"{local_stack.api_url}/webhooks/deliveries", params={"status": "dead"}, timeout=10).json()
    [listed] = [d for d in dead["deliveries"] if d["delivery_id"] == delivery_id]
    assert listed["attempt_count"] == 3 and [a["status"] for a in listed["attempts"]] == [500, 500, 500]
    assert all(a["latency_ms"] >= 0 for a in listed["attempts"])

    receiver.respond[submitted["task_id"]] = [200]
    response = requests.post(f"{local_stack.api_url}/webhooks/deliveries/{delivery_id}/redeliver", timeout=10)
    assert response.status_code == 200 and response.json()["status"] == "pending"
    receiver.wait_for(submitted["task_id"], 4)
    for _ in range(50):
        if delivery(local_stack, delivery_id)["status"]["S"] == "delivered":
            break
        import time

        time.sleep(0.1)
    assert delivery(local_stack, delivery_id)["status"]["S"] == "delivered"


def test_retry_after_on_429_is_honoured(local_stack, receiver: Receiver):
    submitted = local_stack.submit(topic="receiver throttles")
    receiver.respond[submitted["task_id"]] = [429, 200]
    local_stack.wait_until_done(submitted["task_id"])
    first, second = receiver.wait_for(submitted["task_id"], 2)
    assert second["at"] - first["at"] >= 0.9


def test_410_disables_the_endpoint_delivery(local_stack, receiver: Receiver):
    submitted = local_stack.submit(topic="receiver is gone")
    receiver.respond[submitted["task_id"]] = [410]
    local_stack.wait_until_done(submitted["task_id"])
    [attempt] = receiver.wait_for(submitted["task_id"], 1)
    delivery_id = attempt["headers"]["webhook-id"]
    for _ in range(50):
        if delivery(local_stack, delivery_id)["status"]["S"] == "disabled":
            break
        import time

        time.sleep(0.1)
    assert delivery(local_stack, delivery_id)["status"]["S"] == "disabled"
    # Re-enable for the other tests: the endpoint record is what a 410 leaves behind.
    from contenthub.logic.webhooks import endpoint_key

    local_stack.client("dynamodb").delete_item(
        TableName=local_stack.outputs["WebhooksTable"], Key={"delivery_id": {"S": endpoint_key(receiver.url)}}
    )


def test_redeliver_of_an_unknown_delivery_is_404(local_stack):
    response = requests.post(
        f"{local_stack.api_url}/webhooks/deliveries/msg_000000000000_1_succeeded/redeliver", timeout=10
    )
    assert response.status_code == 404 and response.json()["error"]["code"] == "delivery_not_found"
    bad = requests.get(f"{local_stack.api_url}/webhooks/deliveries", params={"status": "lost"}, timeout=10)
    assert bad.status_code == 422
