"""SQS: the intake, runner-jobs and webhook queues."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from contenthub.aws import client
from contenthub.errors import QueueUnavailable

MAX_DELAY_SECONDS = 900  # SQS's DelaySeconds limit


@dataclass
class Queue:
    url: str

    def send(self, body: dict[str, Any], delay_seconds: int = 0) -> None:
        """Send one JSON message (delayed up to 15 minutes); an SQS failure is QueueUnavailable."""
        try:
            client("sqs").send_message(
                QueueUrl=self.url,
                MessageBody=json.dumps(body),
                DelaySeconds=max(0, min(int(delay_seconds), MAX_DELAY_SECONDS)),
            )
        except ClientError as error:
            raise QueueUnavailable(f"could not enqueue the message: {error.response['Error']['Message']}") from error

    def depth(self) -> int:
        """Messages waiting (visible), as SQS approximates it."""
        attributes = client("sqs").get_queue_attributes(
            QueueUrl=self.url, AttributeNames=["ApproximateNumberOfMessages"]
        )
        return int(attributes["Attributes"]["ApproximateNumberOfMessages"])

    # -- consuming (the runner) -----------------------------------------------------------------
    def receive_one(self, wait_seconds: int = 1) -> dict[str, Any] | None:
        messages = (
            client("sqs")
            .receive_message(QueueUrl=self.url, MaxNumberOfMessages=1, WaitTimeSeconds=wait_seconds)
            .get("Messages", [])
        )
        return messages[0] if messages else None

    def delete(self, receipt_handle: str) -> None:
        client("sqs").delete_message(QueueUrl=self.url, ReceiptHandle=receipt_handle)

    def release(self, receipt_handle: str) -> None:
        """Make a received message visible again at once (for another consumer)."""
        client("sqs").change_message_visibility(QueueUrl=self.url, ReceiptHandle=receipt_handle, VisibilityTimeout=0)
