"""The global cap: never more than ASYNC_MAX_CONCURRENT_TASKS jobs generating at once across
runners, and a dead runner's slot frees itself."""

import json
import threading
import time

import boto3
import pytest

from contenthub import dal
from contenthub.models import JobRequest, job_id_for, utc_now
from contenthub.settings import Settings
from contenthub_runner.creators.offline import OfflineCreator
from contenthub_runner.loop import Worker
from tests.conftest import FAKE_CREATOR


class CountingCreator:
    """The offline creator, counting how many generate at the same moment."""

    kind = "offline"

    def __init__(self):
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0
        self.done = 0

    def generate(self, job, progress, cancelled):
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        try:
            time.sleep(0.4)
            return OfflineCreator().generate(job, progress, cancelled)
        finally:
            with self.lock:
                self.now -= 1
                self.done += 1


@pytest.fixture
def deployed_controls(monkeypatch):
    """These runners act on the Settings given here: no live controls (contenthub/logic/controls.py
    falls back to the deployed values, as for a runner the stack gives no parameter path)."""
    monkeypatch.delenv("CONTROLS_PARAMETER_PATH", raising=False)


def test_three_times_more_jobs_than_slots_never_exceed_the_cap(stack, deployed_controls):
    cap, runners, jobs_count = 2, 3, 6
    settings = Settings(
        ASYNC_MAX_CONCURRENT_TASKS=cap, ASYNC_WORKER_COUNT=2, RUNNER_HEARTBEAT_SECONDS=1,
    )  # fmt: skip
    sqs = boto3.client("sqs", region_name="us-east-1")
    for i in range(jobs_count):
        task_id = f"task-cap{i:08x}"
        job = JobRequest(job_id=job_id_for(task_id, 1), task_id=task_id, attempt=1, account_id=49, topic=f"cap {i}")
        sqs.send_message(QueueUrl=stack["RunnerJobsQueueUrl"], MessageBody=job.model_dump_json())
    creator = CountingCreator()
    workers = [Worker(settings, creator) for _ in range(runners)]
    threads = [threading.Thread(target=w.run, daemon=True) for w in workers]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while creator.done < jobs_count and time.monotonic() < deadline:
        time.sleep(0.1)
    for worker in workers:
        worker.stop()
    for thread in threads:
        thread.join(timeout=10)
    print(json.dumps({"cap": cap, "runners": runners, "jobs": jobs_count, "observed_peak": creator.peak}))
    assert creator.done == jobs_count
    assert creator.peak == cap  # reached, never exceeded
    leases = dal.SlotLeases(stack["CountersTable"], cap, 3)
    assert leases.in_use(utc_now()) == 0  # every slot given back
    job_rows = [dal.JobRepository(stack["JobsTable"]).get(job_id_for(f"task-cap{i:08x}", 1)) for i in range(jobs_count)]
    assert [row.status for row in job_rows] == ["succeeded"] * jobs_count


def test_a_dead_holders_slot_expires_and_is_taken_again(stack):
    leases = dal.SlotLeases(stack["CountersTable"], 1, lease_seconds=0.5)
    name_space = dal.SlotLeases(stack["CountersTable"], 1, lease_seconds=0.5)
    assert leases.acquire("crashed-runner:job", utc_now()) == 0
    assert name_space.acquire("live-runner:job", utc_now()) is None  # busy while the lease is fresh
    time.sleep(0.7)  # the crashed runner never renews
    assert name_space.acquire("live-runner:job", utc_now()) == 0
    assert leases.renew(0, "crashed-runner:job", utc_now()) is False  # its lease is gone
    name_space.release(0, "live-runner:job")
    assert name_space.in_use(utc_now()) == 0


def test_sigterm_hands_back_a_job_that_outlives_the_grace_period(stack, tmp_path, monkeypatch, deployed_controls):

    from tests.integration.conftest import drain

    fake = FAKE_CREATOR
    monkeypatch.setenv("FAKE_CREATOR_STATE", str(tmp_path))
    monkeypatch.setenv("CREATOR_ENV_ALLOW", "FAKE_CREATOR_STATE")
    drain(stack["RunnerJobsQueueUrl"])
    settings = Settings(
        ASYNC_MAX_CONCURRENT_TASKS=5, ASYNC_WORKER_COUNT=2, RUNNER_HEARTBEAT_SECONDS=1, RUNNER_SHUTDOWN_GRACE_SECONDS=1,
        CREATOR_KIND="cli", CREATOR_CLI_PATH=fake, CREATOR_MODE="sync", CREATOR_KILL_GRACE_SECONDS=0.5,
    )  # fmt: skip
    sqs = boto3.client("sqs", region_name="us-east-1")
    jobs = dal.JobRepository(stack["JobsTable"])
    long_job = JobRequest(job_id=job_id_for("task-5d0000000001", 1), task_id="task-5d0000000001", attempt=1,
                          account_id=49, topic="hang")  # fmt: skip
    sqs.send_message(QueueUrl=stack["RunnerJobsQueueUrl"], MessageBody=long_job.model_dump_json())
    worker = Worker(settings)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while getattr(jobs.get(long_job.job_id), "status", None) != "running" and time.monotonic() < deadline:
        time.sleep(0.1)
    worker.stop()  # what the SIGTERM handler does
    thread.join(timeout=15)
    assert not thread.is_alive()
    row = jobs.get(long_job.job_id)
    assert row.status == "queued" and row.stage == "handed back by a stopping runner"
    [message] = sqs.receive_message(QueueUrl=stack["RunnerJobsQueueUrl"], WaitTimeSeconds=1)["Messages"]
    assert JobRequest.model_validate_json(message["Body"]).job_id == long_job.job_id  # nothing lost
    sqs.delete_message(QueueUrl=stack["RunnerJobsQueueUrl"], ReceiptHandle=message["ReceiptHandle"])
    assert dal.SlotLeases(stack["CountersTable"], 5, 3).in_use(utc_now()) == 0
