"""Signed webhooks from the local stack to a real receiver on localhost."""

from __future__ import annotations

import json
import socket
import time

import pytest
import requests
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from contenthub.signing import load_secrets
from tests.e2e.conftest import FAIL_PREFIX, Receiver, RunningStack

pytestmark = pytest.mark.e2e


def verifier(stack: RunningStack) -> Webhook:
    raw = stack.client("secretsmanager").get_secret_value(SecretId=stack.outputs["WebhookSecretName"])["SecretString"]
    return Webhook(load_secrets(raw)[0])


def delivery(stack: RunningStack, delivery_id: str) -> dict:
    return stack.client("dynamodb").get_item(
        TableName=stack.outputs["WebhooksTable"], Key={"delivery_id": {"S": delivery_id}}, ConsistentRead=True
    )["Item"]


def wait_for_status(stack: RunningStack, delivery_id: str, status: str, timeout: float = 20) -> dict:
    """The delivery as the API lists it, once it has the status."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        listed = requests.get(f"{stack.api_url}/webhooks/deliveries", params={"status": status}, timeout=10).json()
        found = [d for d in listed["deliveries"] if d["delivery_id"] == delivery_id]
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"{delivery_id} never became {status}: {delivery(stack, delivery_id)}")


def send_copy(stack: RunningStack, delivery_id: str, due_at: float) -> None:
    """A duplicate SQS delivery of the message that made a delivery's first attempt."""
    body = {"delivery_id": delivery_id, "due_at": due_at, "attempt": 1}
    stack.client("sqs").send_message(QueueUrl=stack.outputs["WebhookQueueUrl"], MessageBody=json.dumps(body))


def queue_drained(stack: RunningStack, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        attributes = stack.client("sqs").get_queue_attributes(
            QueueUrl=stack.outputs["WebhookQueueUrl"], AttributeNames=["All"]
        )["Attributes"]
        names = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                 "ApproximateNumberOfMessagesDelayed")  # fmt: skip
        if not any(int(attributes[n]) for n in names):
            return
        time.sleep(0.2)
    raise AssertionError("the webhook queue did not drain")


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
    # The operator sees the endpoint disabled, enables it again, and redelivers what it missed.
    endpoints = requests.get(f"{local_stack.api_url}/webhooks/endpoints", timeout=10).json()["endpoints"]
    [gone] = [e for e in endpoints if e["url"] == receiver.url]
    enabled = requests.post(f"{local_stack.api_url}/webhooks/endpoints/{gone['key']}/enable", timeout=10)
    assert enabled.status_code == 200 and delivery_id in enabled.json()["disabled_deliveries"]
    assert receiver.url not in [
        e["url"] for e in requests.get(f"{local_stack.api_url}/webhooks/endpoints", timeout=10).json()["endpoints"]
    ]
    receiver.respond[submitted["task_id"]] = [200]
    again = requests.post(f"{local_stack.api_url}/webhooks/deliveries/{delivery_id}/redeliver", timeout=10)
    assert again.status_code == 200
    receiver.wait_for(submitted["task_id"], 2)


def test_redeliver_of_an_unknown_delivery_is_404(local_stack):
    response = requests.post(
        f"{local_stack.api_url}/webhooks/deliveries/msg_000000000000_1_succeeded/redeliver", timeout=10
    )
    assert response.status_code == 404 and response.json()["error"]["code"] == "delivery_not_found"
    bad = requests.get(f"{local_stack.api_url}/webhooks/deliveries", params={"status": "lost"}, timeout=10)
    assert bad.status_code == 422


def test_a_slow_receiver_times_out_then_the_retry_is_delivered_under_the_same_id(local_stack, receiver: Receiver):
    submitted = local_stack.submit(topic="receiver is slow")
    receiver.respond[submitted["task_id"]] = [Receiver.SLOW, 200]
    local_stack.wait_until_done(submitted["task_id"])
    first, second = receiver.wait_for(submitted["task_id"], 2)
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"]  # the receiver can de-duplicate
    listed = wait_for_status(local_stack, first["headers"]["webhook-id"], "delivered")
    timed_out, delivered = listed["attempts"]
    assert timed_out["status"] is None and "timed out" in timed_out["error"].lower(), timed_out
    assert delivered["status"] == 200


def test_a_receiver_that_is_down_leaves_a_dead_delivery_that_redelivers_once_it_is_up(local_stack):
    with socket.socket() as probe:  # a port nobody listens on (yet)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    account = {"account_id": 4010, "name": "receiver down", "webhook_url": f"http://127.0.0.1:{port}/hook"}
    created = requests.post(f"{local_stack.api_url}/accounts", json=account, timeout=10)
    assert created.status_code == 201, created.text
    task, _ = local_stack.wait_until_done(local_stack.submit(account_id=4010)["task_id"])
    delivery_id = f"msg_{task['task_id'][5:]}_1_succeeded"
    dead = wait_for_status(local_stack, delivery_id, "dead")
    assert dead["attempt_count"] == 3
    assert all(a["status"] is None and "refused" in a["error"].lower() for a in dead["attempts"]), dead["attempts"]

    up = Receiver(port)
    try:
        response = requests.post(f"{local_stack.api_url}/webhooks/deliveries/{delivery_id}/redeliver", timeout=10)
        assert response.status_code == 200
        [received] = up.wait_for(task["task_id"], 1)
        assert received["headers"]["webhook-id"] == delivery_id
        wait_for_status(local_stack, delivery_id, "delivered")
    finally:
        up.server.shutdown()
        up.server.server_close()


def test_duplicate_queue_messages_send_nothing_twice_and_do_not_rush_a_retry(local_stack, receiver: Receiver):
    delivered, _ = local_stack.wait_until_done(local_stack.submit(topic="hook once")["task_id"])
    [hook] = receiver.wait_for(delivered["task_id"], 1)
    for _ in range(3):
        send_copy(local_stack, hook["headers"]["webhook-id"], time.time())
    queue_drained(local_stack)
    assert len(receiver.for_task(delivered["task_id"])) == 1

    retried = local_stack.submit(topic="hook retried")
    receiver.respond[retried["task_id"]] = [500, 200]
    local_stack.wait_until_done(retried["task_id"])
    [first] = receiver.wait_for(retried["task_id"], 1)
    for _ in range(2):  # copies of the message that made the first attempt
        send_copy(local_stack, first["headers"]["webhook-id"], first["at"])
    first, second = receiver.wait_for(retried["task_id"], 2)
    assert second["at"] - first["at"] >= 0.9  # the retry kept its backoff
    queue_drained(local_stack)
    assert len(receiver.for_task(retried["task_id"])) == 2


def test_a_receiver_dripping_its_answer_is_cut_off_at_the_deadline_then_the_retry_is_delivered(
    local_stack, receiver: Receiver
):
    submitted = local_stack.submit(topic="receiver drips")
    receiver.respond[submitted["task_id"]] = [Receiver.DRIP, 200]
    local_stack.wait_until_done(submitted["task_id"])
    first, second = receiver.wait_for(submitted["task_id"], 2, timeout=15)
    assert second["at"] - first["at"] < 15  # 2 s deadline + 1 s backoff, not the 38 s the answer takes
    listed = wait_for_status(local_stack, first["headers"]["webhook-id"], "delivered")
    cut_off, delivered = listed["attempts"]
    assert cut_off["status"] is None and "timed out" in cut_off["error"] and cut_off["latency_ms"] < 5000, cut_off
    assert delivered["status"] == 200


def test_a_delivery_whose_sender_died_after_its_claim_can_be_redelivered_once_the_claim_expired(
    local_stack, receiver: Receiver
):
    task, _ = local_stack.wait_until_done(local_stack.submit(topic="sender dies")["task_id"])
    [sent] = receiver.wait_for(task["task_id"], 1)
    delivery_id = sent["headers"]["webhook-id"]
    wait_for_status(local_stack, delivery_id, "delivered")
    # As a sender that claimed attempt 1 and died (its message then dead-lettered) leaves it:
    # pending, attempt 1 taken, nothing recorded, the claim running for another minute.
    table = local_stack.client("dynamodb")
    key = {"delivery_id": {"S": delivery_id}}

    def claim(expires: float) -> None:
        at = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(expires))
        table.update_item(
            TableName=local_stack.outputs["WebhooksTable"], Key=key,
            UpdateExpression="SET #st = :p, attempt_count = :one, claim_expires_at = :at, attempts = :none",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={":p": {"S": "pending"}, ":one": {"N": "1"}, ":at": {"S": at},
                                       ":none": {"L": []}},
        )  # fmt: skip

    claim(time.time() + 60)
    redeliver = f"{local_stack.api_url}/webhooks/deliveries/{delivery_id}/redeliver"
    refused = requests.post(redeliver, timeout=10)
    assert refused.status_code == 409 and "being sent" in refused.json()["error"]["message"], refused.text
    claim(time.time() - 1)
    response = requests.post(redeliver, timeout=10)
    assert response.status_code == 200 and response.json()["status"] == "pending", response.text
    receiver.wait_for(task["task_id"], 2)
    listed = wait_for_status(local_stack, delivery_id, "delivered")
    assert [a["status"] for a in listed["attempts"]] == [200] and listed["redeliveries"] == 1
    queue_drained(local_stack)
    assert len(receiver.for_task(task["task_id"])) == 2  # the first send, and the redelivery
