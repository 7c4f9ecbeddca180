"""A task's history: every attempt (the earlier ones from `history`, then the current one), each
with the state path of its execution and where its time went (queued, generating, storing)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from contenthub import dal
from contenthub.aws.executions import ExecutionPath
from contenthub.aws.stepfunctions import Orchestrator
from contenthub.logic.tasks import get_task
from contenthub.models import execution_name, iso, job_id_for
from contenthub.models.task_history import AttemptHistory, AttemptTimings, StateVisit, TaskHistory


def _seconds(start: datetime | str | None, end: datetime | str | None) -> float | None:
    if start is None or end is None:
        return None
    begin = datetime.fromisoformat(start) if isinstance(start, str) else start
    finish = datetime.fromisoformat(end) if isinstance(end, str) else end
    return round(max(0.0, (finish - begin).total_seconds()), 3)


def task_history(
    task_id: str, tasks: dal.TaskRepository, jobs: dal.JobRepository, orchestrator: Orchestrator,
    path_of: Callable[[str], ExecutionPath],
) -> TaskHistory:  # fmt: skip
    task = get_task(task_id, tasks)
    records = [*task.history]
    attempts: list[AttemptHistory] = []
    for record in [*records, None]:
        attempt = record.attempt if record else task.attempt
        status = record.status if record else task.status
        started = record.started_at if record else task.started_at
        finished = record.finished_at if record else task.finished_at
        name = execution_name(task_id, attempt)
        arn = orchestrator.execution_arn(name)
        path = path_of(arn)
        job = jobs.get(job_id_for(task_id, attempt))
        # Attempt 1 waits from the submit; a retry from the start of its own execution.
        queued_from: datetime | str | None = task.created_at if attempt == 1 else path.started_at
        timings = AttemptTimings(
            queued_seconds=_seconds(queued_from, job.started_at if job else None),
            generating_seconds=_seconds(job.started_at, job.finished_at) if job else None,
            storing_seconds=_seconds(job.finished_at, finished) if job else None,
        )
        attempts.append(
            AttemptHistory(
                attempt=attempt, status=status, error=record.error if record else task.error, started_at=started,
                finished_at=finished, execution_name=name, execution_arn=arn, execution_status=path.status,
                states=[StateVisit(name=s["name"], type=s["type"], entered_at=iso(s["entered_at"]),
                                   exited_at=iso(s["exited_at"]) if s["exited_at"] else None) for s in path.states],
                states_truncated=path.truncated, timings=timings, runner_id=job.runner_id if job else None,
            )
        )  # fmt: skip
    return TaskHistory(task_id=task_id, status=task.status, created_at=task.created_at, content_id=task.content_id,
                       attempts=attempts)  # fmt: skip
