"""The runner's loop: take a global slot, receive one job, run it on a local slot; at most
ASYNC_WORKER_COUNT jobs at once. Both numbers are live controls (SSM, read every loop with a short
cache), so an operator's change reaches every runner within seconds. On SIGTERM, running jobs get
RUNNER_SHUTDOWN_GRACE_SECONDS to finish, then the rest are handed back to the queue — none is lost."""

from __future__ import annotations

import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pydantic import ValidationError

from contenthub import dal, resources
from contenthub.aws.parameters import ParameterTree
from contenthub.aws.s3 import ArticleStore
from contenthub.aws.sqs import Queue
from contenthub.logic import controls
from contenthub.models import JobRequest
from contenthub.models.controls import MAX_CAP, Controls
from contenthub.observability import logger
from contenthub.settings import Settings
from contenthub.states import RunnerOutcome
from contenthub_runner.creators import Creator, build_creator
from contenthub_runner.heartbeat import Heartbeat
from contenthub_runner.job import run_job
from contenthub_runner.leases import Leases


class Worker:
    def __init__(self, settings: Settings, creator: Creator | None = None):
        self.settings = settings
        self.queue = Queue(settings.resource(resources.RUNNER_JOBS_QUEUE_URL))
        self.jobs = dal.JobRepository(settings.resource(resources.JOBS_TABLE))
        self.articles = ArticleStore(settings.resource(resources.ARTICLES_BUCKET))
        self.tasks = dal.TaskRepository(settings.resource(resources.TASKS_TABLE))
        self.creator = creator or build_creator(settings.CREATOR_KIND, settings)
        self.runner_id = f"{socket.gethostname()}-{os.getpid()}"
        counters = settings.resource(resources.COUNTERS_TABLE)
        self.leases = Leases(
            dal.SlotLeases(counters, settings.ASYNC_MAX_CONCURRENT_TASKS, 3 * settings.RUNNER_HEARTBEAT_SECONDS),
            self.runner_id,
        )
        self.running_jobs: dict[str, str | None] = {}  # job id → task token (callback mode)
        self.running_lock = threading.Lock()
        self.heartbeat = Heartbeat(
            self.runner_id, settings.ASYNC_WORKER_COUNT, settings.RUNNER_HEARTBEAT_SECONDS, self.leases, self.jobs,
            dal.RunnerHeartbeats(counters), self.running,
        )  # fmt: skip
        path = settings.optional(resources.CONTROLS_PARAMETER_PATH)
        self.controls_tree = ParameterTree(path) if path else None
        self.busy = 0  # jobs taken and not yet handled (at most the live ASYNC_WORKER_COUNT)
        self.shutdown = threading.Event()  # running jobs are handed back
        self.stopping = threading.Event()  # no new jobs
        # Threads are made on demand; the live slot count, not the pool, bounds the jobs at once.
        self.pool = ThreadPoolExecutor(max_workers=MAX_CAP, thread_name_prefix="job")

    def running(self) -> dict[str, str | None]:
        with self.running_lock:
            return dict(self.running_jobs)

    def _handle(self, message: dict[str, Any], holder: str) -> None:
        try:
            try:
                job = JobRequest.from_message(message["Body"])
            except (ValueError, ValidationError) as error:
                # A malformed job can never run; leave it for the queue's redrive to the DLQ.
                logger.error("malformed runner job", extra={"error": str(error), "body": message["Body"][:500]})
                return
            logger.info("job started", extra={"job_id": job.job_id, "task_id": job.task_id})
            with self.running_lock:
                self.running_jobs[job.job_id] = job.task_token
            try:
                outcome = run_job(
                    job, self.creator, self.jobs, self.articles, self.settings.ASYNC_TASK_TIMEOUT, self.shutdown,
                    self.tasks, self.runner_id,
                )  # fmt: skip
            finally:
                with self.running_lock:
                    self.running_jobs.pop(job.job_id, None)
            logger.info("job ended", extra={"job_id": job.job_id, "outcome": outcome.value})
            if outcome == RunnerOutcome.HANDED_BACK:  # visible again at once, for another runner
                self.queue.release(message["ReceiptHandle"])
            else:
                self.queue.delete(message["ReceiptHandle"])
        except Exception:
            logger.exception("job handling failed; the message becomes visible again")
        finally:
            self.leases.release(holder)
            with self.running_lock:
                self.busy -= 1

    def _next(self) -> tuple[dict[str, Any], str] | None:
        """A global slot, then one job to run on it; None when either is not available now."""
        try:
            holder = self.leases.take()
        except Exception:
            logger.exception("lease acquisition failed; retrying")
            holder = None
        if holder is None:  # every global slot busy: jobs wait in the queue (tasks show it)
            self.stopping.wait(0.5)
            return None
        try:
            message = self.queue.receive_one(wait_seconds=1)
        except Exception:
            logger.exception("receive failed; retrying")
            message = None
            self.stopping.wait(1)
        if message is None:
            self.leases.release(holder)
            return None
        return message, holder

    def live(self) -> Controls:
        """The live controls (cached a few seconds), applied to the leases and the heartbeat."""
        current = controls.read(self.settings, self.controls_tree)
        self.leases.resize(current.max_concurrent_tasks)
        self.heartbeat.slots = current.runner_slots
        return current

    def run(self) -> None:
        self.heartbeat.start()
        logger.info("runner started", extra={"slots": self.live().runner_slots, "creator": self.creator.kind})
        while not self.stopping.is_set():
            slots = self.live().runner_slots
            with self.running_lock:
                free = self.busy < slots
            if not free:
                self.stopping.wait(0.2)  # every local slot busy; look at `stopping` and the controls again
                continue
            taken = self._next()
            if taken is None:
                continue
            with self.running_lock:
                self.busy += 1
            self.pool.submit(self._handle, *taken)
        self._drain()
        self.heartbeat.stop()
        logger.info("runner stopped")

    def _drain(self) -> None:
        deadline = time.monotonic() + self.settings.RUNNER_SHUTDOWN_GRACE_SECONDS
        while time.monotonic() < deadline and self.running():
            time.sleep(0.1)
        if unfinished := len(self.running()):
            logger.warning("handing back unfinished jobs", extra={"jobs": unfinished})
            self.shutdown.set()
        self.pool.shutdown(wait=True)

    def stop(self, *_: Any) -> None:
        self.stopping.set()
