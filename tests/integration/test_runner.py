"""The runner's job loop on moto: outcome rows, cancel and timeout stop the creator and store nothing."""

import threading
import time
from pathlib import Path

import boto3
import pytest

from contenthub import dal
from contenthub.creators import build_creator
from contenthub.models import JobRequest, job_id_for, utc_now
from contenthub.settings import Settings
from contenthub_runner.worker import result_key, run_job

FAKE = str(Path(__file__).resolve().parents[1] / "creators" / "fake_creator.py")


def job(topic, task_hex):
    task_id = f"task-{task_hex}"
    return JobRequest(
        job_id=job_id_for(task_id, 1), task_id=task_id, attempt=1, account_id=49, topic=topic, keywords=["AI"]
    )


@pytest.fixture
def repos(stack):
    return dal.JobRepository(stack["JobsTable"]), dal.ArticleStore(stack["ArticlesBucket"])


def cli_creator(tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_CREATOR_STATE", str(tmp_path))
    return build_creator("cli", Settings(CREATOR_CLI_PATH=FAKE, CREATOR_MODE="sync", CREATOR_KILL_GRACE_SECONDS=1))


def article_exists(stack, key):
    objects = boto3.client("s3", region_name="us-east-1").list_objects_v2(Bucket=stack["ArticlesBucket"], Prefix=key)
    return objects.get("KeyCount", 0) > 0


def test_a_job_succeeds_and_its_article_is_where_poll_reads_it(stack, repos, tmp_path, monkeypatch):
    jobs, articles = repos
    j = job("AI trends", "a00000000001")
    assert run_job(j, cli_creator(tmp_path, monkeypatch), jobs, articles) == "succeeded"
    row = jobs.get(j.job_id)
    assert row["status"] == "succeeded" and row["progress"] == 100 and row["result_key"] == result_key(j)
    assert articles.get(row["result_key"]).title == "About AI trends"
    assert run_job(j, cli_creator(tmp_path, monkeypatch), jobs, articles) == "duplicate"


def test_a_cancel_request_stops_the_creator_within_five_seconds_and_stores_nothing(stack, repos, tmp_path, monkeypatch):
    jobs, articles = repos
    j = job("hang-hard", "a00000000002")
    threading.Timer(0.5, lambda: jobs.request_cancel(j.job_id, "cancelled by operator", utc_now())).start()
    started = time.monotonic()
    assert run_job(j, cli_creator(tmp_path, monkeypatch), jobs, articles) == "cancelled"
    assert time.monotonic() - started < 5
    row = jobs.get(j.job_id)
    assert row["status"] == "failed" and row["error"] == "cancelled: cancelled by operator"
    assert not article_exists(stack, result_key(j))


def test_the_runner_enforces_the_task_timeout_itself(stack, repos, tmp_path, monkeypatch):
    jobs, articles = repos
    j = job("hang", "a00000000003")
    assert run_job(j, cli_creator(tmp_path, monkeypatch), jobs, articles, timeout=0.5) == "cancelled"
    assert jobs.get(j.job_id)["error"] == "cancelled: timed out (ASYNC_TASK_TIMEOUT)"
    assert not article_exists(stack, result_key(j))


def test_a_creator_failure_is_recorded_with_its_message(stack, repos, tmp_path, monkeypatch):
    jobs, articles = repos
    j = job("exit3", "a00000000004")
    assert run_job(j, cli_creator(tmp_path, monkeypatch), jobs, articles) == "failed"
    assert jobs.get(j.job_id)["error"] == "the creator exited with code 3: boom: model unavailable"
