"""Turn an intake message into a Step Functions execution named after the task id."""

from __future__ import annotations

import statistics
from enum import StrEnum
from typing import Any

from contenthub import dal
from contenthub.models import JobRequest, TaskStatus, job_id_for
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


def first_wait(recent_seconds: list[float], settings: Settings) -> int:
    """The expected generation time — the median of recent ones for this creator kind — bounded
    to [1, ASYNC_FIRST_WAIT_MAX]; ASYNC_FIRST_WAIT until there are at least 3 samples. A typical
    task then needs one or two polls instead of one every ASYNC_POLL_INTERVAL from the start."""
    if len(recent_seconds) < 3:
        return settings.ASYNC_FIRST_WAIT
    return max(1, min(round(statistics.median(recent_seconds)), settings.ASYNC_FIRST_WAIT_MAX))


def job_for(task: dict[str, Any], attempt: int, accounts: dal.AccountRepository | None) -> dict[str, Any]:
    """The runner job of a task attempt, with the account's language/tone/length defaults
    (None: the creator settings' defaults)."""
    account = (accounts.get(int(task["account_id"])) if accounts else None) or {}
    return JobRequest(
        job_id=job_id_for(task["task_id"], attempt), task_id=task["task_id"], attempt=attempt,
        account_id=int(task["account_id"]), topic=str(task["topic"]), keywords=list(task.get("keywords") or []),
        language=account.get("language"), tone=account.get("tone"), length=account.get("length"),
    ).model_dump(mode="json", exclude_none=True)  # fmt: skip


def dispatch_task(
    task_id: str,
    settings: Settings,
    tasks: dal.TaskRepository,
    orchestrator: dal.Orchestrator,
    generation_times: dal.GenerationTimes | None = None,
    accounts: dal.AccountRepository | None = None,
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
        "job": job_for(task, attempt, accounts),
        "timing": {
            "first_wait": first_wait(
                generation_times.recent(settings.CREATOR_KIND) if generation_times else [], settings
            ),
            "poll_interval": settings.ASYNC_POLL_INTERVAL,
        },
    }
    started = orchestrator.start(execution_name(task_id, attempt), payload)
    return DispatchResult.STARTED if started else DispatchResult.ALREADY_STARTED
