"""Decide where a running task stands, from the runner's status row."""

from __future__ import annotations

from datetime import datetime, timedelta

from contenthub import dal
from contenthub.logic.dispatch import job_for
from contenthub.models import JobState, PollOutcome, TaskStatus, job_id_for, utc_now
from contenthub.observability import logger
from contenthub.settings import Settings

MAX_RECOVERIES = 1  # a dead runner's job is retried once on another slot, then fails


def poll_task(
    task_id: str,
    attempt: int,
    started_at: datetime,
    settings: Settings,
    tasks: dal.TaskRepository,
    jobs: dal.JobRepository,
    now: datetime | None = None,
    runner_jobs: dal.Queue | None = None,
    accounts: dal.AccountRepository | None = None,
) -> PollOutcome:
    now = now or utc_now()
    job = jobs.get(job_id_for(task_id, attempt))
    state = job.get("status") if job else None
    if job and state == JobState.RUNNING and runner_jobs is not None:
        dead = _recover_dead_runner(job, task_id, attempt, settings, tasks, jobs, runner_jobs, now, accounts)
        if dead is not None:
            return dead
        job = jobs.get(job_id_for(task_id, attempt)) or job
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
    stage = str(job.get("stage") or "generating") if job else _waiting_stage(runner_jobs)
    tasks.update_progress(task_id, progress, stage, now)
    return PollOutcome(status=TaskStatus.RUNNING, progress=progress, stage=stage)


def _recover_dead_runner(
    job: dict[str, object],
    task_id: str,
    attempt: int,
    settings: Settings,
    tasks: dal.TaskRepository,
    jobs: dal.JobRepository,
    runner_jobs: dal.Queue,
    now: datetime,
    accounts: dal.AccountRepository | None = None,
) -> PollOutcome | None:
    """A running job whose heartbeat is older than 3 periods has lost its runner: queue it again
    once (another runner takes it on a free slot), then give up with that reason."""
    stale_before = now - timedelta(seconds=3 * settings.RUNNER_HEARTBEAT_SECONDS)
    heartbeat = job.get("heartbeat_at")
    if not isinstance(heartbeat, str) or datetime.fromisoformat(heartbeat) >= stale_before:
        return None
    job_id = job_id_for(task_id, attempt)
    if jobs.requeue_dead(job_id, stale_before, MAX_RECOVERIES, now):
        task = tasks.get(task_id) or {"task_id": task_id, "account_id": 0, "topic": ""}
        runner_jobs.send(job_for(task, attempt, accounts))
        logger.warning("runner lost; job queued again", extra={"job_id": job_id})
        stage = "runner lost; waiting for another runner"
        tasks.update_progress(task_id, 0, stage, now, allow_backwards=True)
        return PollOutcome(status=TaskStatus.RUNNING, progress=0, stage=stage)
    if int(str(job.get("recoveries") or 0)) >= MAX_RECOVERIES:
        return PollOutcome(
            status=TaskStatus.FAILED,
            stage="failed",
            error="the runner stopped sending heartbeats (dead runner) after the job had already been retried once",
        )
    return None


def _waiting_stage(runner_jobs: dal.Queue | None) -> str:
    """Not started yet: every runner slot is busy (or runners are scaling up). Say how many wait."""
    if runner_jobs is None:
        return "waiting for a runner"
    try:
        depth = dal.DependencyProbe().queue_depth(runner_jobs.url)
    except Exception:  # the stage is informative only
        return "waiting for a runner"
    return f"waiting for a free runner slot ({depth} job{'s' if depth != 1 else ''} queued)"
