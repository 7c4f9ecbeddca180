"""The runner through the local stack: the `cli` creator in async mode, and a killed runner."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


def test_cli_creator_in_async_mode_produces_the_article(cli_stack: RunningStack):
    task, seen = cli_stack.wait_until_done(cli_stack.submit(topic="AI trends", keywords=["AI", "机器学习"])["task_id"])
    assert task["status"] == "succeeded", task
    content = cli_stack.content(task["content_id"])
    assert content["title"] == "About AI trends" and "## 机器学习" in content["body"]
    assert content["metadata"] == {"creator": "fake-cli"}


def test_cli_creator_failure_reaches_the_task(cli_stack: RunningStack):
    task, _ = cli_stack.wait_until_done(cli_stack.submit(topic="asyncfail please")["task_id"])
    assert task["status"] == "failed" and task["error"] == "the creator's job failed: quota exhausted"


def test_a_killed_runners_job_is_recovered_by_the_other_runner(cli_stack: RunningStack):
    submitted = cli_stack.submit(topic="slow job")
    jobs = cli_stack.client("dynamodb")
    job_key = {"job_id": {"S": f"{submitted['task_id']}#1"}}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        item = jobs.get_item(TableName=cli_stack.outputs["JobsTable"], Key=job_key, ConsistentRead=True).get("Item")
        if item and item["status"]["S"] == "running":
            break
        time.sleep(0.2)
    else:
        raise AssertionError("the job never started")
    # The job row names its runner (<host>-<pid>); kill that process hard, mid-job.
    victim = int(item["runner_id"]["S"].rsplit("-", 1)[1])
    assert victim in cli_stack.runner_pids
    os.kill(victim, signal.SIGKILL)
    task, seen = cli_stack.wait_until_done(submitted["task_id"], timeout=90)
    assert task["status"] == "succeeded", task
    assert any("runner lost" in (s.get("stage") or "") for s in seen), [s.get("stage") for s in seen]
    item = jobs.get_item(TableName=cli_stack.outputs["JobsTable"], Key=job_key, ConsistentRead=True)["Item"]
    assert item["recoveries"]["N"] == "1"
