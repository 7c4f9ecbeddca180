"""Runner worker loop. Runs at most ASYNC_WORKER_COUNT jobs at once (its slots)."""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit, single_metric
from botocore.exceptions import ClientError
from pydantic import ValidationError

from contenthub import aws, dal
from contenthub.creators import Creator, build_creator
from contenthub.errors import ContentHubError, CreatorError
from contenthub.models import JobRequest, utc_now
from contenthub.observability import NAMESPACE, SERVICE, MetricName, logger
from contenthub.settings import Settings, get_settings


def result_key(job: JobRequest) -> str:
    return f"articles/{job.task_id}/attempt-{job.attempt}.json"


class CancelWatch:
    """`cancelled()` for a creator: true once the job's row asks for a cancel (the cancel API, or
    functions/poll on a timeout) or the job has run past ASYNC_TASK_TIMEOUT. Reads the row at most
    once a second."""

    SHUTDOWN = "runner shutting down"

    def __init__(
        self,
        job_id: str,
        jobs: dal.JobRepository,
        timeout: float,
        period: float = 1.0,
        hand_back: threading.Event | None = None,
    ):
        self.job_id, self.jobs, self.period = job_id, jobs, period
        self.hand_back = hand_back or threading.Event()
        self.deadline = time.monotonic() + timeout
        self.reason: str | None = None
        self._next_read = 0.0

    def __call__(self) -> bool:
        if self.reason:
            return True
        now = time.monotonic()
        if self.hand_back.is_set():
            self.reason = self.SHUTDOWN
        elif now > self.deadline:
            self.reason = "timed out (ASYNC_TASK_TIMEOUT)"
        elif now >= self._next_read:
            self._next_read = now + self.period
            self.reason = self.jobs.cancel_reason(self.job_id)
        return self.reason is not None


def report(job: JobRequest, outcome: str, detail: str) -> None:
    """Callback mode: tell the waiting state machine how the job ended. A token that is no longer
    waiting (the task timed out, or this is a repeat) is not an error for the runner."""
    if not job.task_token or outcome in ("duplicate", "handed_back"):
        return
    sfn = aws.client("stepfunctions")
    try:
        if outcome == "succeeded":
            output = {"status": "succeeded", "progress": 100, "stage": "done", "result_key": detail}
            sfn.send_task_success(taskToken=job.task_token, output=json.dumps(output))
        else:
            error = {"failed": "CreatorError", "cancelled": "JobCancelled"}.get(outcome, "CreatorError")
            if outcome == "cancelled" and "timed out" in detail:
                error = "JobTimedOut"
            sfn.send_task_failure(taskToken=job.task_token, error=error, cause=detail[:32_000])
    except ClientError as failure:
        code = failure.response["Error"]["Code"]
        if code not in ("TaskTimedOut", "TaskDoesNotExist", "InvalidToken"):
            raise
        logger.info("task token no longer waiting", extra={"job_id": job.job_id, "code": code})


def run_job(
    job: JobRequest,
    creator: Creator,
    jobs: dal.JobRepository,
    articles: dal.ArticleStore,
    timeout: float = 1800,
    hand_back: threading.Event | None = None,
    tasks: dal.TaskRepository | None = None,
    runner_id: str = "",
) -> str:
    """Run one job to its end, record the outcome on the job's status row and, in callback mode,
    report it to the state machine. Returns "succeeded", "failed", "cancelled", "handed_back" or
    "duplicate"."""
    outcome, detail = _run(job, creator, jobs, articles, timeout, hand_back, tasks, runner_id)
    report(job, outcome, detail)
    return outcome


def _run(
    job: JobRequest,
    creator: Creator,
    jobs: dal.JobRepository,
    articles: dal.ArticleStore,
    timeout: float,
    hand_back: threading.Event | None,
    tasks: dal.TaskRepository | None,
    runner_id: str,
) -> tuple[str, str]:
    if not jobs.start(job.job_id, job.task_id, creator.kind, utc_now(), runner_id):
        logger.info("job already finished; duplicate delivery ignored", extra={"job_id": job.job_id})
        return "duplicate", ""

    def progress(percent: int, stage: str) -> None:
        jobs.progress(job.job_id, percent, stage, utc_now())
        if job.task_token and tasks is not None:  # callback mode: no poll copies it to the task
            tasks.update_progress(job.task_id, percent, stage, utc_now())

    cancelled = CancelWatch(job.job_id, jobs, timeout, hand_back=hand_back)
    try:
        article = creator.generate(job, progress, cancelled=cancelled)
    except CreatorError as error:
        if cancelled.reason == CancelWatch.SHUTDOWN:
            jobs.hand_back(job.job_id, utc_now())
            return "handed_back", ""
        if cancelled.reason:
            jobs.fail(job.job_id, f"cancelled: {cancelled.reason}", utc_now())
            return "cancelled", f"cancelled: {cancelled.reason}"
        jobs.fail(job.job_id, error.message, utc_now())
        return "failed", error.message
    except Exception as error:  # a creator bug must still end the job with a reason
        logger.exception("creator crashed", extra={"job_id": job.job_id})
        message = f"creator crashed: {type(error).__name__}: {error}"
        jobs.fail(job.job_id, message, utc_now())
        return "failed", message
    key = result_key(job)
    articles.put(key, article)
    jobs.succeed(job.job_id, key, utc_now())
    return "succeeded", key


class Worker:
    def __init__(self, settings: Settings, creator: Creator | None = None):
        self.settings = settings
        self.queue_url = settings.require("RUNNER_JOBS_QUEUE_URL")
        self.jobs = dal.JobRepository(settings.require("JOBS_TABLE"))
        self.articles = dal.ArticleStore(settings.require("ARTICLES_BUCKET"))
        self.creator = creator or build_creator(settings.CREATOR_KIND, settings)
        self.heartbeats = dal.RunnerHeartbeats(settings.require("COUNTERS_TABLE"))
        self.runner_id = f"{socket.gethostname()}-{os.getpid()}"
        self.active = 0
        self.active_lock = threading.Lock()
        self.slots = threading.BoundedSemaphore(settings.ASYNC_WORKER_COUNT)
        # Global cap across every runner: leased slots, renewed with the heartbeat.
        self.leases = dal.SlotLeases(
            settings.require("COUNTERS_TABLE"),
            settings.ASYNC_MAX_CONCURRENT_TASKS,
            3 * settings.RUNNER_HEARTBEAT_SECONDS,
        )
        self.held: dict[str, int] = {}  # holder id → slot
        self.running_jobs: dict[str, str | None] = {}  # job id → task token (callback mode)
        self.tasks = (
            dal.TaskRepository(settings.TASKS_TABLE, settings.require("COUNTERS_TABLE"))
            if settings.TASKS_TABLE
            else None
        )
        self.handing_back = threading.Event()
        self.held_lock = threading.Lock()
        self.stopping = threading.Event()
        self.pool = ThreadPoolExecutor(max_workers=settings.ASYNC_WORKER_COUNT, thread_name_prefix="job")

    def _handle(self, message: dict[str, Any], holder: str) -> None:
        sqs = aws.client("sqs")
        try:
            try:
                job = JobRequest.from_message(message["Body"])
            except (ValueError, ValidationError) as error:
                # A malformed job can never run; leave it for the queue's redrive to the DLQ.
                logger.error("malformed runner job", extra={"error": str(error), "body": message["Body"][:500]})
                return
            logger.info("job started", extra={"job_id": job.job_id, "task_id": job.task_id})
            with self.active_lock:
                self.active += 1
                self.running_jobs[job.job_id] = job.task_token
            try:
                outcome = run_job(
                    job, self.creator, self.jobs, self.articles, self.settings.ASYNC_TASK_TIMEOUT, self.handing_back,
                    self.tasks, self.runner_id,
                )  # fmt: skip
            finally:
                with self.active_lock:
                    self.active -= 1
                    self.running_jobs.pop(job.job_id, None)
            logger.info("job ended", extra={"job_id": job.job_id, "outcome": outcome})
            if outcome == "handed_back":  # visible again at once, for another runner
                sqs.change_message_visibility(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
            else:
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        except Exception:
            logger.exception("job handling failed; the message becomes visible again")
        finally:
            self._release(holder)
            self.slots.release()

    @staticmethod
    def _send_heartbeat(token: str) -> None:
        try:
            aws.client("stepfunctions").send_task_heartbeat(taskToken=token)
        except ClientError as error:
            logger.info("heartbeat not accepted", extra={"code": error.response["Error"]["Code"]})

    def _take_lease(self) -> str | None:
        holder = f"{self.runner_id}:{uuid.uuid4().hex[:8]}"
        slot = self.leases.acquire(holder, utc_now())
        if slot is None:
            return None
        with self.held_lock:
            self.held[holder] = slot
        return holder

    def _release(self, holder: str) -> None:
        with self.held_lock:
            slot = self.held.pop(holder, None)
        if slot is not None:
            self.leases.release(slot, holder)

    def _renew_leases(self) -> None:
        with self.held_lock:
            held = list(self.held.items())
        for holder, slot in held:
            if not self.leases.renew(slot, holder, utc_now()):
                logger.error("lost a slot lease (expired and taken); the cap may be exceeded briefly",
                             extra={"slot": slot})  # fmt: skip

    def beat_forever(self) -> None:
        """Heartbeat (for /health and the stale-runner alarm) and slot usage, every period."""
        while not self.stopping.is_set():
            try:
                self._renew_leases()
                with self.active_lock:
                    running = list(self.running_jobs.items())
                for job_id, token in running:
                    self.jobs.touch(job_id, utc_now())
                    if token:  # callback mode: the state machine's HeartbeatSeconds
                        self._send_heartbeat(token)
                self.heartbeats.beat(self.runner_id, self.active, self.settings.ASYNC_WORKER_COUNT, utc_now())
                for name, unit, value in (
                    (MetricName.RUNNER_HEARTBEAT, MetricUnit.Count, 1),
                    (MetricName.RUNNER_SLOTS_IN_USE, MetricUnit.Count, self.active),
                ):
                    with single_metric(name=name, unit=unit, value=value, namespace=NAMESPACE,
                                       default_dimensions={"service": SERVICE}):  # fmt: skip
                        pass
            except Exception:
                logger.exception("heartbeat failed")
            self.stopping.wait(self.settings.RUNNER_HEARTBEAT_SECONDS)

    def run(self) -> None:
        threading.Thread(target=self.beat_forever, name="heartbeat", daemon=True).start()
        sqs = aws.client("sqs")
        logger.info("runner started", extra={"slots": self.settings.ASYNC_WORKER_COUNT, "creator": self.creator.kind})
        while not self.stopping.is_set():
            if not self.slots.acquire(timeout=0.5):
                continue  # every local slot busy; look at `stopping` again
            if self.stopping.is_set():
                self.slots.release()
                break
            # A global slot first: while every slot is busy, jobs wait in the queue (pending).
            try:
                holder = self._take_lease()
            except Exception:
                logger.exception("lease acquisition failed; retrying")
                holder = None
            if holder is None:
                self.slots.release()
                self.stopping.wait(0.5)
                continue
            try:
                messages = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=1, WaitTimeSeconds=1).get(
                    "Messages", []
                )
            except Exception:
                logger.exception("receive failed; retrying")
                messages = []
                self.stopping.wait(1)
            if not messages:
                self._release(holder)
                self.slots.release()
                continue
            self.pool.submit(self._handle, messages[0], holder)
        self._drain()
        logger.info("runner stopped")

    def _drain(self) -> None:
        """Graceful shutdown: running jobs get RUNNER_SHUTDOWN_GRACE_SECONDS to finish; the rest
        are stopped and handed back (job queued again, message visible again) — none is lost."""
        deadline = time.monotonic() + self.settings.RUNNER_SHUTDOWN_GRACE_SECONDS
        while time.monotonic() < deadline:
            with self.active_lock:
                if not self.running_jobs:
                    break
            time.sleep(0.1)
        with self.active_lock:
            unfinished = len(self.running_jobs)
        if unfinished:
            logger.warning("handing back unfinished jobs", extra={"jobs": unfinished})
            self.handing_back.set()
        self.pool.shutdown(wait=True)

    def stop(self, *_: Any) -> None:
        self.stopping.set()


def main() -> None:
    try:
        worker = Worker(get_settings())
    except (ContentHubError, ValidationError) as error:
        # A misconfigured container should say why in one line and exit non-zero.
        print(f"contenthub-runner: {getattr(error, 'message', error)}", file=sys.stderr)
        raise SystemExit(2) from error
    signal.signal(signal.SIGTERM, worker.stop)
    signal.signal(signal.SIGINT, worker.stop)
    worker.run()


if __name__ == "__main__":
    main()
