"""Turn an intake message into a Step Functions execution named after the task id."""

from __future__ import annotations

import statistics
from typing import Any

from contenthub import dal
from contenthub.aws.stepfunctions import Orchestrator
from contenthub.models import JobRequest, Task, execution_name, job_id_for
from contenthub.observability import logger
from contenthub.settings import Settings
from contenthub.states import DispatchResult, TaskStatus


def first_wait(recent_seconds: list[float], settings: Settings) -> int:
    """When to poll first: the 10th percentile of this creator kind's recent generation times, so
    nearly every task is still running at the first poll and then finishes within one
    ASYNC_POLL_INTERVAL of being noticed (the lag a fixed poll has); ASYNC_FIRST_WAIT until there
    are 3 samples. Bounded by ASYNC_FIRST_WAIT_MAX when set, else only by the task timeout: a
    20-minute generation then costs a few polls, not one every interval after a fixed cap."""
    if len(recent_seconds) < 3:
        return settings.ASYNC_FIRST_WAIT
    low = statistics.quantiles(recent_seconds, n=10, method="inclusive")[0]
    cap = settings.ASYNC_FIRST_WAIT_MAX or settings.ASYNC_TASK_TIMEOUT - settings.ASYNC_POLL_INTERVAL
    return max(1, min(int(low), cap))


def job_for(task: Task, attempt: int, accounts: dal.AccountRepository | None) -> dict[str, Any]:
    """The runner job of a task attempt, with the account's language/tone/length defaults
    (None: the creator settings' defaults)."""
    account = accounts.get(task.account_id) if accounts else None
    return JobRequest(
        job_id=job_id_for(task.task_id, attempt), task_id=task.task_id, attempt=attempt,
        account_id=task.account_id, topic=task.topic, keywords=task.keywords,
        language=account.language if account else None, tone=account.tone if account else None,
        length=account.length if account else None,
    ).model_dump(mode="json", exclude_none=True)  # fmt: skip


def dispatch_task(
    task_id: str, settings: Settings, tasks: dal.TaskRepository, orchestrator: Orchestrator,
    generation_times: dal.GenerationTimes | None = None, accounts: dal.AccountRepository | None = None,
) -> DispatchResult:  # fmt: skip
    task = tasks.get(task_id)
    if task is None:
        # Nothing to run, and retrying the message cannot change that.
        logger.warning("intake message names an unknown task", extra={"task_id": task_id})
        return DispatchResult.UNKNOWN_TASK
    if task.status != TaskStatus.PENDING:
        return DispatchResult.NOT_PENDING
    recent = generation_times.recent(settings.CREATOR_KIND) if generation_times else []
    payload = {
        "task_id": task_id,
        "attempt": task.attempt,
        "job": job_for(task, task.attempt, accounts),
        "timing": {"first_wait": first_wait(recent, settings), "poll_interval": settings.ASYNC_POLL_INTERVAL},
    }
    started = orchestrator.start(execution_name(task_id, task.attempt), payload)
    return DispatchResult.STARTED if started else DispatchResult.ALREADY_STARTED
