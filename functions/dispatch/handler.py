"""Intake queue consumer: starts one Step Functions execution per task, named after the task id.
A duplicate delivery starts nothing new (AWS refuses a second execution of the same name)."""

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from contenthub import dal, services
from contenthub.logic.dispatch import dispatch_task
from contenthub.observability import MetricName, count, entry, logger, tracer
from contenthub.resources import Principal
from contenthub.settings import load_settings
from contenthub.states import DispatchResult

settings = load_settings(Principal.DISPATCH)
processor = BatchProcessor(event_type=EventType.SQS)


@tracer.capture_method
def record_handler(record: SQSRecord) -> None:
    task_id = str(json.loads(record.body)["task_id"])
    logger.append_keys(task_id=task_id)
    result = dispatch_task(
        task_id, settings, dal.tasks(), services.orchestrator(), dal.generation_times(), dal.accounts()
    )
    logger.info("intake message handled", extra={"result": result.value})
    if result == DispatchResult.STARTED:
        count(MetricName.STARTED)


@entry()
def main(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
