"""Claims on webhook attempts expire: a delivery whose sender died after claiming an attempt is
taken over by the message SQS delivers again, and a stalled delivery can be redelivered; a
delivery waiting for its next retry cannot (409, saying when)."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from contenthub import dal
from contenthub.models import iso, utc_now
from tests.conftest import FakeLambdaContext
from tests.integration.conftest import REGION, call
from tests.integration.webhooks.conftest import SECRET, Receiver, first_message, handle, new_delivery, queued


def item(stack: dict[str, str], delivery_id: str) -> dict:
    table = boto3.resource("dynamodb", region_name=REGION).Table(stack["WebhooksTable"])
    return table.get_item(Key={"delivery_id": delivery_id}, ConsistentRead=True)["Item"]


def let_the_claim_expire(stack: dict[str, str], delivery_id: str) -> None:
    """Time passes: the claim's deadline is now a second ago."""
    table = boto3.resource("dynamodb", region_name=REGION).Table(stack["WebhooksTable"])
    table.update_item(
        Key={"delivery_id": delivery_id}, UpdateExpression="SET claim_expires_at = :t",
        ExpressionAttributeValues={":t": iso(utc_now() - timedelta(seconds=1))},
    )  # fmt: skip


@pytest.fixture
def secrets_manager_down(stack):
    """Secrets Manager fails (the signing secret cannot be read), until the test puts it back."""
    client = boto3.client("secretsmanager", region_name=REGION)
    client.delete_secret(SecretId=stack["WebhookSecretName"], ForceDeleteWithoutRecovery=True)
    parameters.clear_caches()

    def restore() -> None:
        client.create_secret(Name=stack["WebhookSecretName"], SecretString=json.dumps({"keys": [SECRET]}))
        parameters.clear_caches()

    yield restore
    if not client.list_secrets()["SecretList"]:
        restore()


def test_a_sender_that_dies_after_its_claim_leaves_the_attempt_to_the_next_message_once_the_claim_expires(
    stack, deliver_handler, lambda_context, receiver: Receiver, secrets_manager_down
):
    delivery_id = new_delivery(receiver.url)
    message = first_message(delivery_id)
    # The invocation claims attempt 1, then dies (here: Secrets Manager fails) before sending.
    before = utc_now()
    with pytest.raises(BatchProcessingError):  # the invocation fails: SQS will deliver the message again
        handle(deliver_handler, lambda_context, message)
    assert receiver.received == []
    claimed = item(stack, delivery_id)
    assert claimed["status"] == "pending" and claimed["attempt_count"] == 1 and not claimed.get("attempts")
    # The claim lasts the invocation's remaining time (30 s here) plus 30 s of grace.
    expires = datetime.fromisoformat(claimed["claim_expires_at"].replace("Z", "+00:00"))
    assert before + timedelta(seconds=55) < expires < utc_now() + timedelta(seconds=61)

    secrets_manager_down()  # Secrets Manager is back
    # A copy of the message while the claim holds (the first sender might still be at work): nothing.
    assert handle(deliver_handler, lambda_context, message) == {"batchItemFailures": []}
    assert receiver.received == [] and item(stack, delivery_id)["status"] == "pending"

    # SQS delivers the message again after its visibility timeout, by when the claim has expired.
    let_the_claim_expire(stack, delivery_id)
    assert handle(deliver_handler, lambda_context, message) == {"batchItemFailures": []}
    assert handle(deliver_handler, lambda_context, message) == {"batchItemFailures": []}  # and a copy of it
    assert len(receiver.received) == 1 and receiver.received[0]["headers"]["webhook-id"] == delivery_id
    delivery = dal.deliveries().get(delivery_id)
    assert delivery is not None and delivery.status == "delivered" and delivery.claim_expires_at is None
    assert [(a.attempt, a.status) for a in delivery.attempts] == [(1, 200)]


def test_a_stalled_pending_delivery_can_be_redelivered_and_is_sent_once(
    stack, deliver_handler, lambda_context, receiver: Receiver
):
    delivery_id = new_delivery(receiver.url)
    stale = first_message(delivery_id)
    dal.deliveries().claim_attempt(delivery_id, 1, utc_now(), utc_now() + timedelta(seconds=60))  # then died
    status, body, _ = call("POST", f"/webhooks/deliveries/{delivery_id}/redeliver")
    assert status == 409 and body["error"]["code"] == "delivery_not_redeliverable", body
    assert "being sent" in body["error"]["message"] and "redelivered after" in body["error"]["message"]

    let_the_claim_expire(stack, delivery_id)  # its message went to the DLQ: nothing will pick it up
    status, body, _ = call("POST", f"/webhooks/deliveries/{delivery_id}/redeliver")
    assert status == 200 and body["status"] == "pending" and body["redeliveries"] == 1, body
    [message] = queued(stack, delivery_id)
    assert message["attempt"] == 1 and message["round"] == 1
    assert handle(deliver_handler, lambda_context, message) == {"batchItemFailures": []}
    assert dal.deliveries().get(delivery_id).status == "delivered"  # type: ignore[union-attr]
    # The stalled round's message, should it still turn up, sends nothing.
    assert handle(deliver_handler, lambda_context, stale) == {"batchItemFailures": []}
    assert len(receiver.received) == 1


def test_a_delivery_claimed_before_claims_had_deadlines_can_be_redelivered(stack, deliver_handler, receiver):
    delivery_id = new_delivery(receiver.url)
    table = boto3.resource("dynamodb", region_name=REGION).Table(stack["WebhooksTable"])
    table.update_item(Key={"delivery_id": delivery_id}, UpdateExpression="SET attempt_count = :one",
                      ExpressionAttributeValues={":one": 1})  # fmt: skip
    status, body, _ = call("POST", f"/webhooks/deliveries/{delivery_id}/redeliver")
    assert status == 200 and body["status"] == "pending" and body["attempt_count"] == 0, body


def test_a_delivery_waiting_for_its_next_retry_cannot_be_redelivered_and_the_409_says_when(
    stack, deliver_handler, lambda_context, receiver: Receiver
):
    receiver.status = 500
    delivery_id = new_delivery(receiver.url)
    handle(deliver_handler, lambda_context, first_message(delivery_id))
    waiting = dal.deliveries().get(delivery_id)
    assert waiting is not None and waiting.status == "pending" and waiting.next_attempt_at
    status, body, _ = call("POST", f"/webhooks/deliveries/{delivery_id}/redeliver")
    assert status == 409 and body["error"]["code"] == "delivery_not_redeliverable", body
    assert f"next attempt is at {waiting.next_attempt_at}" in body["error"]["message"], body

    # Once that retry is overdue and nobody has taken it (its message was lost), it can be.
    time.sleep(1.2)  # WEBHOOK_RETRY_SCHEDULE is "1,1"
    status, body, _ = call("POST", f"/webhooks/deliveries/{delivery_id}/redeliver")
    assert status == 200 and body["attempt_count"] == 0 and body["next_attempt_at"] is None, body


def test_an_invocation_with_too_little_time_left_hands_the_message_on_without_claiming(
    stack, deliver_handler, receiver: Receiver
):
    delivery_id = new_delivery(receiver.url)
    almost_over = FakeLambdaContext()
    almost_over.get_remaining_time_in_millis = lambda: 5500  # type: ignore[method-assign]
    assert handle(deliver_handler, almost_over, first_message(delivery_id)) == {"batchItemFailures": []}
    assert receiver.received == [] and item(stack, delivery_id)["attempt_count"] == 0
    [again] = queued(stack, delivery_id)
    assert handle(deliver_handler, FakeLambdaContext(), again) == {"batchItemFailures": []}
    assert len(receiver.received) == 1
