"""Webhook delivery.

`deliver`: consumer of the webhook queue — one attempt per message, retries re-queued with a
delay on the settings' schedule, dead after the last attempt.
`api`:     GET /webhooks/deliveries?status=dead|pending|delivered|disabled and
           POST /webhooks/deliveries/{delivery_id}/redeliver.
"""

import json
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from contenthub import dal
from contenthub.api import build_resolver
from contenthub.logic import webhooks
from contenthub.observability import MetricName, logger, metrics, tracer
from contenthub.settings import get_settings

settings = get_settings()
processor = BatchProcessor(event_type=EventType.SQS)
app = build_resolver()


def signing_secrets() -> list[str]:
    raw = parameters.get_secret(settings.require("WEBHOOK_SECRET_ID"), max_age=300)
    return webhooks.load_secrets(str(raw))


@tracer.capture_method
def record_handler(record: SQSRecord) -> None:
    message = json.loads(record.body)
    outcome = webhooks.deliver(message, settings, dal.webhook_deliveries(), dal.webhook_queue(), signing_secrets)
    logger.info("webhook message handled", extra={"delivery_id": message.get("delivery_id"), "outcome": outcome})
    if outcome == "delivered":
        metrics.add_metric(name=MetricName.WEBHOOKS_DELIVERED, unit=MetricUnit.Count, value=1)
    elif outcome in ("retrying", "dead", "disabled"):
        metrics.add_metric(name=MetricName.WEBHOOK_ATTEMPTS_FAILED, unit=MetricUnit.Count, value=1)
        if outcome != "retrying":
            metrics.add_metric(name=MetricName.WEBHOOKS_FAILED, unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def deliver(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)


@app.get("/webhooks/deliveries", summary="Webhook deliveries by status, newest first")
def list_deliveries(
    status: Annotated[Literal["pending", "delivered", "dead", "disabled"], Query()] = "dead",
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> dict[str, Any]:
    items = dal.webhook_deliveries().by_status(status, limit)
    return {"deliveries": [webhooks.public_view(item) for item in items]}


@app.post("/webhooks/deliveries/<delivery_id>/redeliver", summary="Send a finished delivery again")
def redeliver(delivery_id: Annotated[str, Path(pattern=r"^msg_[0-9a-f]{12}_\d+_[a-z_]+$")]) -> dict[str, Any]:
    return webhooks.redeliver(delivery_id, dal.webhook_deliveries(), dal.webhook_queue())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler
def api(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
