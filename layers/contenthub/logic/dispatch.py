"""Turn an intake message into a Step Functions execution named after the task id."""

from __future__ import annotations

from enum import StrEnum

from contenthub import dal
from contenthub.models import TaskStatus, job_id_for
from contenthub.observability import logger
from contenthub.settings import Settings


class DispatchResult(StrEnum):
    STARTED = "started"
    ALREADY_STARTED = "already_started"
    NOT_PENDING = "not_pending"
    UNKNOWN_TASK = "unknown_task"


def execution_name(task_id: str, attempt: int) -> str:
    """Attempt 1 runs as the task id itself; later attempts get a suffix (names are unique per machine)."""
    return task_id if attempt == 1 else f"{task_id}-attempt-{attempt}"


def dispatch_task(
    task_id: str,
    settings: Settings,
    tasks: dal.TaskRepository,
    orchestrator: dal.Orchestrator,
) -> DispatchResult:
    task = tasks.get(task_id)
    if task is None:
        # Nothing to run, and retrying the message cannot change that.
        logger.warning("intake message names an unknown task", extra={"task_id": task_id})
        return DispatchResult.UNKNOWN_TASK
    if task["status"] != TaskStatus.PENDING:
        return DispatchResult.NOT_PENDING
    attempt = int(task.get("attempt", 1))
    payload = {
        "task_id": task_id,
        "attempt": attempt,
        "job": {
            "job_id": job_id_for(task_id, attempt),
            "task_id": task_id,
            "attempt": attempt,
            "account_id": task["account_id"],
            "topic": task["topic"],
            "keywords": task.get("keywords", []),
        },
        "timing": {"first_wait": settings.ASYNC_FIRST_WAIT, "poll_interval": settings.ASYNC_POLL_INTERVAL},
    }
    started = orchestrator.start(execution_name(task_id, attempt), payload)
    return DispatchResult.STARTED if started else DispatchResult.ALREADY_STARTED
