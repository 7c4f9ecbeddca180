"""Intake queue consumer: starts one Step Functions execution per task, named after the task id.
A duplicate delivery starts nothing new (AWS refuses a second execution of the same name)."""

import json
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from contenthub import dal
from contenthub.logic.dispatch import DispatchResult, dispatch_task
from contenthub.observability import MetricName, logger, metrics, tracer
from contenthub.settings import get_settings

settings = get_settings()
processor = BatchProcessor(event_type=EventType.SQS)


@tracer.capture_method
def record_handler(record: SQSRecord) -> None:
    message = json.loads(record.body)
    task_id = str(message["task_id"])
    logger.append_keys(task_id=task_id)
    result = dispatch_task(
        task_id,
        settings,
        dal.tasks(),
        dal.orchestrator(),
        dal.GenerationTimes(settings.require("COUNTERS_TABLE")),
        dal.accounts(),
    )
    logger.info("intake message handled", extra={"result": result.value})
    if result == DispatchResult.STARTED:
        metrics.add_metric(name=MetricName.STARTED, unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def main(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
