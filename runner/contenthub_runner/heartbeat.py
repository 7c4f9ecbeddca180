"""The runner's heartbeat, every RUNNER_HEARTBEAT_SECONDS: renew its slot leases, touch each
running job's row (a job whose row goes stale has lost its runner), send the task tokens'
heartbeats (callback mode), write the newest-heartbeat item for /health, emit the runner metrics."""

from __future__ import annotations

import threading
from collections.abc import Callable

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from contenthub import dal
from contenthub.aws.stepfunctions import TaskToken
from contenthub.models import utc_now
from contenthub.observability import NAMESPACE, SERVICE, MetricName, logger
from contenthub_runner.leases import Leases


def emit(name: str, value: float) -> None:
    with single_metric(name=name, unit=MetricUnit.Count, value=value, namespace=NAMESPACE,
                       default_dimensions={"service": SERVICE}):  # fmt: skip
        pass


class Heartbeat:
    def __init__(
        self, runner_id: str, slots: int, period: float, leases: Leases, jobs: dal.JobRepository,
        heartbeats: dal.RunnerHeartbeats, running: Callable[[], dict[str, str | None]],
    ):  # fmt: skip
        self.runner_id, self.slots, self.period = runner_id, slots, period
        self.leases, self.jobs, self.heartbeats = leases, jobs, heartbeats
        self.running = running  # job id → task token (callback mode), of the jobs running now
        self.stopping = threading.Event()

    def beat(self) -> None:
        self.leases.renew()
        running = self.running()
        for job_id, token in running.items():
            try:
                self.jobs.touch(job_id, utc_now())
                if token and not TaskToken(token).heartbeat():  # callback mode: the state's HeartbeatSeconds
                    logger.info("task token no longer waiting", extra={"job_id": job_id})
            except Exception:  # one job's heartbeat must not stop the others'
                logger.exception("job heartbeat failed", extra={"job_id": job_id})
        self.heartbeats.beat(self.runner_id, len(running), self.slots, utc_now())
        emit(MetricName.RUNNER_HEARTBEAT, 1)
        emit(MetricName.RUNNER_SLOTS_IN_USE, len(running))

    def run_forever(self) -> None:
        while not self.stopping.is_set():
            try:
                self.beat()
            except Exception:
                logger.exception("heartbeat failed")
            self.stopping.wait(self.period)

    def start(self) -> None:
        threading.Thread(target=self.run_forever, name="heartbeat", daemon=True).start()

    def stop(self) -> None:
        self.stopping.set()
