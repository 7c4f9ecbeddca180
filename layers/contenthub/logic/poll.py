"""Decide where a running task stands, from the runner's status row."""

from __future__ import annotations

from datetime import datetime, timedelta

from contenthub import dal
from contenthub.aws.sqs import Queue
from contenthub.logic.dispatch import job_for
from contenthub.models import Job, PollOutcome, job_id_for, utc_now
from contenthub.models.jobs import ERROR_LIMIT, STAGE_LIMIT, clip
from contenthub.observability import logger
from contenthub.settings import Settings
from contenthub.states import JobState, StopReason, TaskStatus

MAX_RECOVERIES = 1  # a dead runner's job is retried once on another slot, then fails


def poll_task(
    task_id: str, attempt: int, started_at: datetime, settings: Settings, tasks: dal.TaskRepository,
    jobs: dal.JobRepository, now: datetime | None = None, runner_jobs: Queue | None = None,
    accounts: dal.AccountRepository | None = None,
) -> PollOutcome:  # fmt: skip
    now = now or utc_now()
    job_id = job_id_for(task_id, attempt)
    job = jobs.get(job_id)
    if job and job.status == JobState.RUNNING and runner_jobs is not None:
        recovered = _recover_dead_runner(job, task_id, attempt, settings, tasks, jobs, runner_jobs, now, accounts)
        if recovered is not None:
            return recovered
    if job and job.status == JobState.SUCCEEDED:
        return PollOutcome(status=TaskStatus.SUCCEEDED, progress=100, stage="done", result_key=job.result_key)
    if job and job.status == JobState.FAILED:
        # Bounded again here (the runner bounds it too): this goes into the execution's state.
        return PollOutcome(
            status=TaskStatus.FAILED, stage="failed", error=clip(job.error or "the creator failed", ERROR_LIMIT)
        )
    elapsed = (now - started_at).total_seconds()
    if elapsed > settings.ASYNC_TASK_TIMEOUT:
        # Stop the runner's work too: it frees the slot and stores nothing.
        jobs.request_stop(job_id, StopReason.TIMED_OUT, now)
        return PollOutcome(
            status=TaskStatus.TIMED_OUT,
            stage="timed out",
            error=f"no result after {int(elapsed)} s (ASYNC_TASK_TIMEOUT={settings.ASYNC_TASK_TIMEOUT})",
        )
    # A job queued again (its runner died, or handed it back while stopping) starts over from 0 on
    # the next runner: the task follows it back, or the new run's progress would be refused until
    # it passed the old run's (progress otherwise only moves forward).
    restarting = job is not None and job.status == JobState.QUEUED
    progress = job.progress if job and not restarting else 0
    stage = clip(job.stage or "generating", STAGE_LIMIT) if job else _waiting_stage(runner_jobs)
    tasks.update_progress(task_id, attempt, progress, stage, now, allow_backwards=restarting)
    return PollOutcome(status=TaskStatus.RUNNING, progress=progress, stage=stage)


def _recover_dead_runner(
    job: Job, task_id: str, attempt: int, settings: Settings, tasks: dal.TaskRepository, jobs: dal.JobRepository,
    runner_jobs: Queue, now: datetime, accounts: dal.AccountRepository | None = None,
) -> PollOutcome | None:  # fmt: skip
    """A running job whose heartbeat is older than 3 periods has lost its runner: queue it again
    once (another runner takes it on a free slot), then give up with that reason."""
    stale_before = now - timedelta(seconds=3 * settings.RUNNER_HEARTBEAT_SECONDS)
    if not job.heartbeat_at or datetime.fromisoformat(job.heartbeat_at) >= stale_before:
        return None
    if jobs.requeue_dead(job.job_id, stale_before, MAX_RECOVERIES, now):
        task = tasks.get(task_id)
        if task is not None:
            runner_jobs.send(job_for(task, attempt, accounts))
        logger.warning("runner lost; job queued again", extra={"job_id": job.job_id})
        stage = "runner lost; waiting for another runner"
        tasks.update_progress(task_id, attempt, 0, stage, now, allow_backwards=True)
        return PollOutcome(status=TaskStatus.RUNNING, progress=0, stage=stage)
    if job.recoveries >= MAX_RECOVERIES:
        return PollOutcome(
            status=TaskStatus.FAILED,
            stage="failed",
            error="the runner stopped sending heartbeats (dead runner) after the job had already been retried once",
        )
    return None


def _waiting_stage(runner_jobs: Queue | None) -> str:
    """Not started yet: every runner slot is busy (or runners are scaling up). Say how many wait."""
    if runner_jobs is None:
        return "waiting for a runner"
    try:
        depth = runner_jobs.depth()
    except Exception:  # the stage is informative only
        return "waiting for a runner"
    return f"waiting for a free runner slot ({depth} job{'s' if depth != 1 else ''} queued)"
