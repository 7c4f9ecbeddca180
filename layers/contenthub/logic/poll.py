"""Decide where a running task stands, from the runner's status row."""

from __future__ import annotations

from datetime import datetime

from contenthub import dal
from contenthub.models import JobState, PollOutcome, TaskStatus, job_id_for, utc_now
from contenthub.settings import Settings


def poll_task(
    task_id: str,
    attempt: int,
    started_at: datetime,
    settings: Settings,
    tasks: dal.TaskRepository,
    jobs: dal.JobRepository,
    now: datetime | None = None,
) -> PollOutcome:
    now = now or utc_now()
    job = jobs.get(job_id_for(task_id, attempt))
    state = job.get("status") if job else None
    if state == JobState.SUCCEEDED:
        return PollOutcome(status=TaskStatus.SUCCEEDED, progress=100, stage="done", result_key=job["result_key"])  # type: ignore[index]
    if state == JobState.FAILED:
        return PollOutcome(status=TaskStatus.FAILED, stage="failed", error=job.get("error") or "the creator failed")  # type: ignore[union-attr]
    elapsed = (now - started_at).total_seconds()
    if elapsed > settings.ASYNC_TASK_TIMEOUT:
        # Stop the runner's work too: it frees the slot and stores nothing.
        jobs.request_cancel(job_id_for(task_id, attempt), "timed out (ASYNC_TASK_TIMEOUT)", now)
        return PollOutcome(
            status=TaskStatus.TIMED_OUT,
            stage="timed out",
            error=f"no result after {int(elapsed)} s (ASYNC_TASK_TIMEOUT={settings.ASYNC_TASK_TIMEOUT})",
        )
    progress = int(job.get("progress", 0)) if job else 0
    stage = str(job.get("stage") or "generating") if job else "waiting for a runner"
    tasks.update_progress(task_id, progress, stage, now)
    return PollOutcome(status=TaskStatus.RUNNING, progress=progress, stage=stage)
