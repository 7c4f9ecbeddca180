"""Called by the state machine after each Wait: where does the task stand?
Returns {"status": running|succeeded|failed|timed_out, "progress", "stage", "error", "result_key"}."""

from datetime import datetime
from typing import Any

from contenthub import dal, services
from contenthub.logic.poll import poll_task
from contenthub.observability import entry, logger
from contenthub.resources import Principal
from contenthub.settings import load_settings

settings = load_settings(Principal.POLL)


@entry(correlation_id_path="task_id")
def main(event: dict[str, Any], context: Any) -> dict[str, Any]:
    outcome = poll_task(
        task_id=event["task_id"], attempt=int(event["attempt"]), started_at=datetime.fromisoformat(event["started_at"]),
        settings=settings, tasks=dal.tasks(), jobs=dal.jobs(), runner_jobs=services.runner_jobs_queue(),
        accounts=dal.accounts(),
    )  # fmt: skip
    logger.info("polled", extra={"status": outcome.status.value, "progress": outcome.progress})
    return outcome.model_dump(mode="json")
