"""The runner's job loop on moto: outcome rows, cancel and timeout stop the creator and store nothing."""

import threading
import time

import boto3
import pytest

from contenthub import dal
from contenthub.aws.s3 import ArticleStore
from contenthub.aws.sqs import Queue
from contenthub.models import JobRequest, job_id_for, utc_now
from contenthub.settings import Settings
from contenthub.states import CreatorKind, JobState, StopReason
from contenthub_runner.creators import build_creator
from contenthub_runner.job import result_key, run_job
from tests.conftest import FAKE_CREATOR
from tests.integration.conftest import drain


def job(topic, task_hex):
    task_id = f"task-{task_hex}"
    return JobRequest(
        job_id=job_id_for(task_id, 1), task_id=task_id, attempt=1, account_id=49, topic=topic, keywords=["AI"]
    )


@pytest.fixture
def repos(stack):
    return dal.JobRepository(stack["JobsTable"]), ArticleStore(stack["ArticlesBucket"])


def cli_creator(tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_CREATOR_STATE", str(tmp_path))
    monkeypatch.setenv("CREATOR_ENV_ALLOW", "FAKE_CREATOR_STATE")
    return build_creator(
        CreatorKind.CLI, Settings(CREATOR_CLI_PATH=FAKE_CREATOR, CREATOR_MODE="sync", CREATOR_KILL_GRACE_SECONDS=1)
    )


def article_exists(stack, key):
    objects = boto3.client("s3", region_name="us-east-1").list_objects_v2(Bucket=stack["ArticlesBucket"], Prefix=key)
    return objects.get("KeyCount", 0) > 0


def test_a_job_succeeds_and_its_article_is_where_poll_reads_it(stack, repos, tmp_path, monkeypatch):
    jobs, articles = repos
    j = job("AI trends", "a00000000001")
    assert run_job(j, cli_creator(tmp_path, monkeypatch), jobs, articles) == "succeeded"
    row = jobs.get(j.job_id)
    assert row.status == JobState.SUCCEEDED and row.progress == 100 and row.result_key == result_key(j)
    assert articles.get(row.result_key).title == "About AI trends"
    assert run_job(j, cli_creator(tmp_path, monkeypatch), jobs, articles) == "duplicate"


def test_a_cancel_request_stops_the_creator_within_five_seconds_and_stores_nothing(stack, repos, tmp_path, monkeypatch):
    jobs, articles = repos
    j = job("hang-hard", "a00000000002")
    threading.Timer(0.5, lambda: jobs.request_stop(j.job_id, StopReason.CANCELLED, utc_now())).start()
    started = time.monotonic()
    assert run_job(j, cli_creator(tmp_path, monkeypatch), jobs, articles) == "cancelled"
    assert time.monotonic() - started < 5
    row = jobs.get(j.job_id)
    assert row.status == JobState.FAILED and row.error == "cancelled: cancelled by an operator"
    assert not article_exists(stack, result_key(j))


def test_the_runner_enforces_the_task_timeout_itself(stack, repos, tmp_path, monkeypatch):
    jobs, articles = repos
    j = job("hang", "a00000000003")
    assert run_job(j, cli_creator(tmp_path, monkeypatch), jobs, articles, timeout=0.5) == "timed_out"
    assert jobs.get(j.job_id).error == "cancelled: timed out (ASYNC_TASK_TIMEOUT)"
    assert not article_exists(stack, result_key(j))


def test_a_creator_failure_is_recorded_with_its_message(stack, repos, tmp_path, monkeypatch):
    jobs, articles = repos
    j = job("exit3", "a00000000004")
    assert run_job(j, cli_creator(tmp_path, monkeypatch), jobs, articles) == "failed"
    assert jobs.get(j.job_id).error == "the creator exited with code 3: boom: model unavailable"


def test_a_dead_runners_job_is_retried_once_on_another_runner_then_fails(
    stack, repos, tmp_path, monkeypatch, lambda_context
):
    """A runner dies mid-job (its heartbeats stop): poll queues the job again; a second death fails it."""
    from datetime import timedelta

    from contenthub.logic.poll import poll_task
    from tests.conftest import api_event, load_handler
    from tests.integration.conftest import reset_caches

    jobs, articles = repos
    reset_caches()
    submitted = load_handler("submit").main(
        api_event("POST", "/tasks", body={"account_id": 49, "topic": "AI trends", "keywords": ["AI"]}), lambda_context
    )
    task_id = __import__("json").loads(submitted["body"])["task_id"]
    job_id = job_id_for(task_id, 1)
    settings = Settings(RUNNER_HEARTBEAT_SECONDS=1)
    tasks = dal.TaskRepository(stack["TasksTable"])
    queue = Queue(stack["RunnerJobsQueueUrl"])
    sqs = boto3.client("sqs", region_name="us-east-1")
    drain(stack["RunnerJobsQueueUrl"])

    long_ago = utc_now() - timedelta(seconds=10)
    jobs.start(job_id, task_id, "cli", long_ago)  # the first runner took it, then died
    outcome = poll_task(task_id, 1, utc_now(), settings, tasks, jobs, runner_jobs=queue)
    assert outcome.status == "running" and "runner lost" in outcome.stage
    assert jobs.get(job_id).status == JobState.QUEUED and jobs.get(job_id).recoveries == 1
    [message] = sqs.receive_message(QueueUrl=stack["RunnerJobsQueueUrl"], MaxNumberOfMessages=10)["Messages"]
    requeued = JobRequest.model_validate_json(message["Body"])
    assert requeued.job_id == job_id and requeued.topic == "AI trends"

    # Another runner picks it up, and dies too.
    assert jobs.start(job_id, task_id, "cli", long_ago) is True
    jobs.progress(job_id, 10, "drafting", long_ago)
    outcome = poll_task(task_id, 1, utc_now(), settings, tasks, jobs, runner_jobs=queue)
    assert outcome.status == "failed" and "dead runner" in outcome.error

    # A late duplicate delivery of the job never runs it twice.
    assert run_job(requeued, cli_creator(tmp_path, monkeypatch), jobs, articles) == "duplicate"


def test_a_live_runners_heartbeat_keeps_its_job(stack, repos):
    from contenthub.logic.poll import poll_task

    jobs, _ = repos
    task_id = "task-b00000000001"
    jobs.start(job_id_for(task_id, 1), task_id, "cli", utc_now())
    jobs.touch(job_id_for(task_id, 1), utc_now())
    tasks = dal.TaskRepository(stack["TasksTable"])
    outcome = poll_task(task_id, 1, utc_now(), Settings(RUNNER_HEARTBEAT_SECONDS=1), tasks, jobs,
                        runner_jobs=Queue(stack["RunnerJobsQueueUrl"]))  # fmt: skip
    assert outcome.status == "running" and jobs.get(job_id_for(task_id, 1)).status == JobState.RUNNING
