"""Webhook delivery: consumer of the webhook queue — one attempt per message, retries re-queued
with a delay on the settings' schedule, dead after the last attempt."""

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from contenthub import dal, resources, services
from contenthub.aws.secrets import secret
from contenthub.logic import webhooks
from contenthub.observability import MetricName, count, entry, logger, tracer
from contenthub.resources import Principal
from contenthub.settings import load_settings
from contenthub.signing import load_secrets
from contenthub.states import DeliveryOutcome

settings = load_settings(Principal.WEBHOOK_DELIVER)
processor = BatchProcessor(event_type=EventType.SQS)


def signing_secrets() -> list[str]:
    return load_secrets(secret(settings.resource(resources.WEBHOOK_SECRET_ID)))


@tracer.capture_method
def record_handler(record: SQSRecord, lambda_context: Any = None) -> None:
    message = json.loads(record.body)
    # An attempt's claim lasts as long as this invocation can (see logic/webhooks.py).
    time_left = lambda_context.get_remaining_time_in_millis() / 1000 if lambda_context is not None else None
    outcome = webhooks.deliver(
        message, settings, dal.deliveries(), services.webhook_queue(), signing_secrets, time_left=time_left,
        redelivered=int(record.attributes.get("ApproximateReceiveCount") or 1) > 1,  # always set by SQS
    )  # fmt: skip
    logger.info("webhook message handled", extra={"delivery_id": message.get("delivery_id"), "outcome": outcome})
    count(MetricName.WEBHOOKS_DELIVERED, outcome == DeliveryOutcome.DELIVERED)
    count(MetricName.WEBHOOK_ATTEMPTS_FAILED, outcome.failed_attempt)
    count(MetricName.WEBHOOKS_FAILED, outcome.gave_up)


@entry()
def main(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
