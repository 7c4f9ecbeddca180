"""Called by the state machine after each Wait: where does the task stand?
Returns {"status": running|succeeded|failed|timed_out, "progress", "stage", "error", "result_key"}."""

from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from contenthub import dal
from contenthub.logic.poll import poll_task
from contenthub.observability import logger, metrics, tracer
from contenthub.settings import get_settings

settings = get_settings()


@logger.inject_lambda_context(correlation_id_path="task_id")
@metrics.log_metrics
@tracer.capture_lambda_handler
def main(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    outcome = poll_task(
        task_id=event["task_id"],
        attempt=int(event["attempt"]),
        started_at=datetime.fromisoformat(event["started_at"]),
        settings=settings,
        tasks=dal.tasks(),
        jobs=dal.jobs(),
        runner_jobs=dal.runner_jobs_queue() if settings.RUNNER_JOBS_QUEUE_URL else None,
        accounts=dal.accounts() if settings.ACCOUNTS_TABLE else None,
    )
    logger.info("polled", extra={"status": outcome.status.value, "progress": outcome.progress})
    return outcome.model_dump(mode="json")
