"""SQS calls on a dead-letter queue: look at its messages without taking them, and move or remove
chosen ones. A DLQ has no consumer, so looking means receiving with a visibility timeout and then
making every message visible again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contenthub.aws import client

HIDE_SECONDS = 60  # while a call walks the queue, the messages it has seen stay hidden
MAX_WALK = 1000  # messages one call looks at


@dataclass
class DeadLetterQueueClient:
    url: str

    def counts(self) -> tuple[int, int]:
        attributes = client("sqs").get_queue_attributes(
            QueueUrl=self.url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]), int(attributes["ApproximateNumberOfMessagesNotVisible"])

    def walk(self, visit: Callable[[dict[str, Any]], bool], limit: int = MAX_WALK) -> None:
        """Receive up to `limit` messages; `visit(message)` returns True when it consumed the
        message (deleted it); every other message is made visible again at the end."""
        sqs = client("sqs")
        kept: list[dict[str, Any]] = []
        seen: set[str] = set()
        try:
            while len(seen) < limit:
                batch = sqs.receive_message(
                    QueueUrl=self.url, MaxNumberOfMessages=min(10, limit - len(seen)), VisibilityTimeout=HIDE_SECONDS,
                    AttributeNames=["All"], MessageAttributeNames=["All"], WaitTimeSeconds=0,
                ).get("Messages", [])  # fmt: skip
                fresh = [m for m in batch if m["MessageId"] not in seen]
                if not fresh:
                    break
                for message in fresh:
                    seen.add(message["MessageId"])
                    if not visit(message):
                        kept.append(message)
        finally:
            for start in range(0, len(kept), 10):
                entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                           for i, m in enumerate(kept[start : start + 10])]  # fmt: skip
                sqs.change_message_visibility_batch(QueueUrl=self.url, Entries=entries)

    def delete(self, message: dict[str, Any]) -> None:
        client("sqs").delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])


def send_raw(queue_url: str, body: str) -> None:
    """Put a message body back on its source queue, unchanged."""
    client("sqs").send_message(QueueUrl=queue_url, MessageBody=body)
