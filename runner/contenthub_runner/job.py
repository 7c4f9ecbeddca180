"""One job, start to end: claim its status row, run the creator (which checks for a stop request
about once a second), store the article, record the outcome and, in callback mode, report it to
the waiting state machine."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from contenthub import dal
from contenthub.aws.s3 import ArticleStore
from contenthub.aws.stepfunctions import TaskToken
from contenthub.errors import CreatorError
from contenthub.models import JobRequest, utc_now
from contenthub.models.jobs import ERROR_LIMIT, STAGE_LIMIT, clip
from contenthub.observability import logger
from contenthub.states import RunnerError, RunnerOutcome, StopReason
from contenthub_runner.creators import Creator

PROGRESS_PERIOD = 1.0  # seconds: at most one progress write per job in this time


def result_key(job: JobRequest) -> str:
    return f"articles/{job.task_id}/attempt-{job.attempt}.json"


class ProgressWriter:
    """A creator's progress reports, written at most once per `period`: a report that comes sooner
    waits (the newest wins) until the period is up — it is written on the next report or stop check
    after that — and the last one is written before the job's outcome (`close`). Writes are best
    effort: a failed one is logged, never raised into the creator."""

    def __init__(self, write: Callable[[int, str], None], job_id: str, period: float = PROGRESS_PERIOD):
        self.write, self.job_id, self.period = write, job_id, period
        self.lock = threading.Lock()
        self.pending: tuple[int, str] | None = None
        self.written: tuple[int, str] | None = None
        self.next_at = 0.0
        self.closed = False

    def __call__(self, percent: int, stage: str) -> None:
        with self.lock:
            if self.closed:  # the job has ended: a late report must not overwrite its outcome
                return
            self.pending = (percent, clip(stage, STAGE_LIMIT))
        self.tick()

    def tick(self) -> None:
        if self.pending is not None and time.monotonic() >= self.next_at:
            self.flush()

    def flush(self) -> None:
        with self.lock:
            report, self.pending = self.pending, None
            if report is None or report == self.written:
                return
            self.written, self.next_at = report, time.monotonic() + self.period
            try:
                self.write(*report)
            except Exception:
                logger.warning("progress write failed", exc_info=True, extra={"job_id": self.job_id})

    def close(self) -> None:
        """Write the last report, and ignore any that come later."""
        self.flush()
        with self.lock:
            self.closed = True


class StopWatch:
    """`cancelled()` for a creator: true once the job's row asks it to stop (the cancel API, or
    functions/poll on a timeout), the job has run past ASYNC_TASK_TIMEOUT, or the runner is
    shutting down. Reads the row at most once a second."""

    def __init__(self, job_id: str, jobs: dal.JobRepository, timeout: float, period: float = 1.0,
                 shutdown: threading.Event | None = None, tick: Callable[[], None] | None = None):  # fmt: skip
        self.job_id, self.jobs, self.period = job_id, jobs, period
        self.tick = tick  # called on every check (writes progress that waited for its period)
        self.shutdown = shutdown or threading.Event()
        self.deadline = time.monotonic() + timeout
        self.reason: StopReason | None = None
        self._next_read = 0.0

    def __call__(self) -> bool:
        if self.tick is not None:
            self.tick()
        if self.reason:
            return True
        now = time.monotonic()
        if self.shutdown.is_set():
            self.reason = StopReason.SHUTDOWN
        elif now > self.deadline:
            self.reason = StopReason.TIMED_OUT
        elif now >= self._next_read:
            self._next_read = now + self.period
            self.reason = self.jobs.stop_requested(self.job_id)
        return self.reason is not None


# How a stopped job ends, by why it was stopped.
_STOPPED = {StopReason.CANCELLED: RunnerOutcome.CANCELLED, StopReason.TIMED_OUT: RunnerOutcome.TIMED_OUT}
_REPORTED = {
    RunnerOutcome.FAILED: RunnerError.CREATOR,
    RunnerOutcome.CANCELLED: RunnerError.CANCELLED,
    RunnerOutcome.TIMED_OUT: RunnerError.TIMED_OUT,
}


def report(job: JobRequest, outcome: RunnerOutcome, detail: str) -> None:
    """Callback mode: tell the waiting state machine how the job ended. A token that is no longer
    waiting (the task timed out, or this is a repeat) is not an error for the runner."""
    if not job.task_token or outcome not in (RunnerOutcome.SUCCEEDED, *_REPORTED):
        return
    token = TaskToken(job.task_token)
    if outcome == RunnerOutcome.SUCCEEDED:
        accepted = token.succeed({"status": "succeeded", "progress": 100, "stage": "done", "result_key": detail})
    else:
        accepted = token.fail(_REPORTED[outcome].value, detail)
    if not accepted:
        logger.info("task token no longer waiting", extra={"job_id": job.job_id})


def run_job(
    job: JobRequest, creator: Creator, jobs: dal.JobRepository, articles: ArticleStore, timeout: float = 1800,
    shutdown: threading.Event | None = None, tasks: dal.TaskRepository | None = None, runner_id: str = "",
) -> RunnerOutcome:  # fmt: skip
    """Run one job to its end, record the outcome on the job's status row and, in callback mode,
    report it to the state machine."""
    outcome, detail = _run(job, creator, jobs, articles, timeout, shutdown, tasks, runner_id)
    report(job, outcome, detail)
    return outcome


def _run(
    job: JobRequest, creator: Creator, jobs: dal.JobRepository, articles: ArticleStore, timeout: float,
    shutdown: threading.Event | None, tasks: dal.TaskRepository | None, runner_id: str,
) -> tuple[RunnerOutcome, str]:  # fmt: skip
    if not jobs.start(job.job_id, job.task_id, creator.kind, utc_now(), runner_id):
        logger.info("job already finished; duplicate delivery ignored", extra={"job_id": job.job_id})
        return RunnerOutcome.DUPLICATE, ""

    def write_progress(percent: int, stage: str) -> None:
        jobs.progress(job.job_id, percent, stage, utc_now())
        if job.task_token and tasks is not None:  # callback mode: no poll copies it to the task
            tasks.update_progress(job.task_id, job.attempt, percent, stage, utc_now())

    progress = ProgressWriter(write_progress, job.job_id)
    stop = StopWatch(job.job_id, jobs, timeout, shutdown=shutdown, tick=progress.tick)
    try:
        try:
            article = creator.generate(job, progress, cancelled=stop)
        finally:
            progress.close()
    except CreatorError as error:
        if stop.reason == StopReason.SHUTDOWN:
            jobs.hand_back(job.job_id, utc_now())
            return RunnerOutcome.HANDED_BACK, ""
        if stop.reason:
            message = f"cancelled: {stop.reason.value}"
            jobs.fail(job.job_id, message, utc_now())
            return _STOPPED[stop.reason], message
        message = clip(error.message, ERROR_LIMIT)
        jobs.fail(job.job_id, message, utc_now())
        return RunnerOutcome.FAILED, message
    except Exception as error:  # a creator bug must still end the job with a reason
        logger.exception("creator crashed", extra={"job_id": job.job_id})
        message = clip(f"creator crashed: {type(error).__name__}: {error}", ERROR_LIMIT)
        jobs.fail(job.job_id, message, utc_now())
        return RunnerOutcome.FAILED, message
    key = result_key(job)
    articles.put(key, article)
    jobs.succeed(job.job_id, key, utc_now())
    return RunnerOutcome.SUCCEEDED, key
