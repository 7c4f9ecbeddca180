"""The operator CLI, run as a user runs it, against the local stack."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.e2e.conftest import Receiver, RunningStack

pytestmark = pytest.mark.e2e


def contenthub(stack: RunningStack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "contenthub_cli", "--endpoint", stack.api_url, *args],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_task_status_shows_details_and_progress(local_stack: RunningStack):
    task, _ = local_stack.wait_until_done(
        local_stack.submit(topic="人工智能发展趋势", keywords=["AI", "机器学习"])["task_id"]
    )
    result = contenthub(local_stack, "task", "status", task["task_id"])
    assert result.returncode == 0, result.stderr
    assert "succeeded" in result.stdout and "100%" in result.stdout and "人工智能发展趋势" in result.stdout
    as_json = json.loads(contenthub(local_stack, "--json", "task", "status", task["task_id"]).stdout)
    assert as_json["content_id"] == task["content_id"] and as_json["keywords"] == ["AI", "机器学习"]


def test_unknown_task_is_one_clear_line_and_a_non_zero_exit(local_stack: RunningStack):
    result = contenthub(local_stack, "task", "status", "task-000000000000")
    assert result.returncode == 3  # the API refused it (404)
    assert result.stderr.strip() == "contenthub: task task-000000000000 does not exist (HTTP 404, task_not_found)"


def test_monitor_metrics_and_health(local_stack: RunningStack):
    metrics = contenthub(local_stack, "monitor", "metrics")
    assert metrics.returncode == 0
    for label in ("total tasks", "tasks today", "success rate", "system status"):
        assert label in metrics.stdout
    health = contenthub(local_stack, "monitor", "health")
    assert health.returncode == 0 and "system healthy, running normally" in health.stdout
    assert "runner_heartbeat" in health.stdout


def test_webhook_deliveries_and_redeliver(local_stack: RunningStack, receiver: Receiver):
    submitted = local_stack.submit(topic="receiver is down for the cli")
    receiver.respond[submitted["task_id"]] = [500]
    local_stack.wait_until_done(submitted["task_id"])
    [*_, last] = receiver.wait_for(submitted["task_id"], 3)
    delivery_id = last["headers"]["webhook-id"]
    for _ in range(50):
        listed = contenthub(local_stack, "webhook", "deliveries", "--status", "dead")
        if delivery_id in listed.stdout:
            break
    assert delivery_id in listed.stdout and "500" in listed.stdout
    receiver.respond[submitted["task_id"]] = [200]
    redelivered = contenthub(local_stack, "webhook", "redeliver", delivery_id)
    assert redelivered.returncode == 0 and f"redelivery of {delivery_id} queued" in redelivered.stdout
    receiver.wait_for(submitted["task_id"], 4)
    again = contenthub(local_stack, "webhook", "redeliver", "msg_000000000000_1_succeeded")
    assert again.returncode == 3 and "does not exist" in again.stderr


def test_unreachable_endpoint_is_a_clear_error():
    result = subprocess.run(
        [sys.executable, "-m", "contenthub_cli", "--endpoint", "http://127.0.0.1:1", "monitor", "metrics"],
        capture_output=True, text=True, timeout=60, env={**os.environ, "CONTENTHUB_RETRIES": "1"},
    )  # fmt: skip
    # exit 4: unreachable; a read is tried again before giving up
    assert result.returncode == 4 and "cannot reach http://127.0.0.1:1" in result.stderr
    assert "gave up after 2 attempts" in result.stderr
