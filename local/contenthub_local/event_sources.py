"""SQS event source mappings → batches delivered to the mapped function, as Lambda's poller does.

moto itself delivers inside the sender's SendMessage call (one batch, synchronously, no partial
failures). The local stack switches that off (LocalStack._take_over_event_sources) and runs this
poller instead: it long-polls each mapped queue, invokes the function with an SQS event, deletes
what succeeded, and leaves failures to reappear after the visibility timeout — so the queue's
redrive policy moves a message that keeps failing to its DLQ, as on AWS. It honours
ReportBatchItemFailures, batch size and the mapping's Enabled flag.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

log = logging.getLogger("contenthub_local.event_sources")


def sqs_event(records: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {
                    name: {
                        "stringValue": value.get("StringValue"),
                        "binaryValue": value.get("BinaryValue"),
                        "stringListValues": [],
                        "binaryListValues": [],
                        "dataType": value["DataType"],
                    }
                    for name, value in m.get("MessageAttributes", {}).items()
                },
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for m in records
        ]
    }


class SqsPoller:
    def __init__(self, mapping: dict[str, Any], sqs: Any, lambda_client: Any, region: str):
        self.mapping = mapping
        self.sqs = sqs
        self.lambda_client = lambda_client
        self.region = region
        self.queue_arn = mapping["EventSourceArn"]
        self.queue_url = sqs.get_queue_url(QueueName=self.queue_arn.rsplit(":", 1)[-1])["QueueUrl"]
        self.batch_size = min(int(mapping.get("BatchSize", 10)), 10)
        self.partial = "ReportBatchItemFailures" in mapping.get("FunctionResponseTypes", [])
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name=f"esm-{self.queue_arn.rsplit(':', 1)[-1]}", daemon=True)
        self.delivered = 0

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)

    def _loop(self) -> None:
        while not self.stopping.is_set():
            try:
                self.poll_once()
            except Exception:
                if self.stopping.is_set():
                    break  # the stack is stopping: the endpoint may be gone already
                log.exception("event source poll failed; retrying")
                self.stopping.wait(1)

    def poll_once(self) -> int:
        messages = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            WaitTimeSeconds=1,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return 0
        response = self.lambda_client.invoke(
            FunctionName=self.mapping["FunctionArn"],
            Payload=json.dumps(sqs_event(messages, self.queue_arn, self.region)).encode(),
        )
        payload = response["Payload"].read()
        if response.get("FunctionError"):
            log.warning("function error on a batch of %d; messages will be retried: %s", len(messages), payload[:500])
            return 0
        failed: set[str] = set()
        if self.partial and payload:
            result = json.loads(payload) or {}
            failed = {f["itemIdentifier"] for f in (result.get("batchItemFailures") or [])}
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done[start : start + 10])
                ],
            )
        self.delivered += len(done)
        return len(done)
