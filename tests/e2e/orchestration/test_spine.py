"""A task from HTTPS submit to stored article, on the local stack running the real template."""

from __future__ import annotations

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.e2e.conftest import FAIL_PREFIX, RunningStack

pytestmark = pytest.mark.e2e


def test_submit_runs_to_a_stored_article(any_stack: RunningStack):
    local_stack = any_stack
    started = time.monotonic()
    submitted = local_stack.submit(auto_publish=True, scheduled_publish_at="2026-12-01T08:00:00+08:00")
    assert re.fullmatch(r"task-[0-9a-f]{12}", submitted["task_id"])
    assert submitted["status"] == "pending"
    task, seen = local_stack.wait_until_done(submitted["task_id"])
    assert task["status"] == "succeeded", task
    assert time.monotonic() - started < 30
    assert any(s["status"] == "running" for s in seen), seen
    assert task["progress"] == 100 and task["content_id"]
    assert task["started_at"] and task["finished_at"] and task["error"] is None

    content = local_stack.content(task["content_id"])
    assert content["generation_task_id"] == submitted["task_id"]
    assert content["status"] == "approved"  # ASYNC_AUTO_APPROVE defaults to true
    assert content["auto_publish"] is True
    assert content["scheduled_publish_at"] == "2026-12-01T00:00:00.000Z"
    assert content["title"].startswith("AI trends")
    assert content["body"].startswith("# AI trends")
    assert "machine learning" in content["body"] and "## AI" in content["body"]
    assert content["metadata"]["creator"] == "offline" and content["metadata"]["offline"] is True


def test_execution_history_shows_the_real_state_machine(any_stack: RunningStack):
    local_stack = any_stack
    task, _ = local_stack.wait_until_done(local_stack.submit()["task_id"])
    execution_arn = (
        local_stack.outputs["StateMachineArn"].replace(":stateMachine:", ":execution:") + f":{task['task_id']}"
    )
    sfn = local_stack.client("stepfunctions")
    # The task is succeeded inside HandleResult; the execution ends a moment later.
    deadline = time.monotonic() + 10
    while sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sfn.describe_execution(executionArn=execution_arn)["status"] == "SUCCEEDED"
    events = sfn.get_execution_history(executionArn=execution_arn)["events"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]
    if local_stack.mode == "poll":
        assert entered[:4] == ["MarkRunning", "DispatchJob", "WaitFirst", "Poll"]
    else:  # the runner's SendTaskSuccess ends DispatchJob: no waits, no polls
        assert entered == ["MarkRunning", "DispatchJob", "HandleResult", "Stored"]
    assert entered[-2:] == ["HandleResult", "Stored"]


def test_not_auto_approved_content_is_a_draft(local_stack: RunningStack):
    task, _ = local_stack.wait_until_done(local_stack.submit(auto_approve=False)["task_id"])
    assert local_stack.content(task["content_id"])["status"] == "draft"


def test_creator_failure_ends_the_task_failed_with_the_message_and_no_content(any_stack: RunningStack):
    local_stack = any_stack
    submitted = local_stack.submit(topic=f"{FAIL_PREFIX} on purpose")
    task, _ = local_stack.wait_until_done(submitted["task_id"])
    assert task["status"] == "failed"
    assert "OFFLINE_CREATOR_FAIL_PATTERN" in task["error"] and "simulated failure" in task["error"]
    assert task["content_id"] is None
    contents = local_stack.client("dynamodb").query(
        TableName=local_stack.outputs["ContentsTable"],
        IndexName="by_task",
        KeyConditionExpression="generation_task_id = :t",
        ExpressionAttributeValues={":t": {"S": submitted["task_id"]}},
    )
    assert contents["Count"] == 0


def test_parallel_submits_all_finish(any_stack: RunningStack):
    local_stack = any_stack
    with ThreadPoolExecutor(max_workers=4) as pool:
        submitted = list(pool.map(lambda i: local_stack.submit(topic=f"parallel topic {i}"), range(4)))
        finished = list(pool.map(lambda s: local_stack.wait_until_done(s["task_id"])[0], submitted))
    assert [t["status"] for t in finished] == ["succeeded"] * 4
    assert len({t["content_id"] for t in finished}) == 4


def test_bad_input_over_http_is_a_clear_4xx(local_stack: RunningStack):
    response = requests.post(f"{local_stack.api_url}/tasks", json={"account_id": 49, "topic": ""}, timeout=10)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error" and "topic" in error["message"]
    response = requests.post(
        f"{local_stack.api_url}/tasks", data="{oops", timeout=10, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert requests.get(f"{local_stack.api_url}/tasks/task-000000000000", timeout=10).status_code == 404
    # What API Gateway answers for a path it has no resource for.
    missing = requests.get(f"{local_stack.api_url}/nowhere", timeout=10)
    assert missing.status_code == 403 and missing.json() == {"message": "Missing Authentication Token"}


def test_metrics_and_health(local_stack: RunningStack):
    before = requests.get(f"{local_stack.api_url}/metrics", timeout=10).json()
    local_stack.wait_until_done(local_stack.submit()["task_id"])
    after = requests.get(f"{local_stack.api_url}/metrics", timeout=10).json()
    assert after["total_tasks"] == before["total_tasks"] + 1
    assert after["by_status"]["succeeded"] == before["by_status"]["succeeded"] + 1
    assert 0 < after["success_rate"] <= 1
    health = requests.get(f"{local_stack.api_url}/health", timeout=10)
    assert health.status_code == 200 and health.json()["status"] == "healthy", health.json()
    checks = health.json()["checks"]
    assert {"tasks_table", "intake_queue", "intake_dlq", "state_machine", "runner_heartbeat"} <= set(checks)
    assert "slots busy" in checks["runner_heartbeat"]["detail"]


def test_an_intake_message_that_always_fails_ends_in_the_dlq(local_stack: RunningStack):
    """The event source adapter leaves failed messages to the queue's redrive policy. The intake
    queue's visibility timeout is the dispatcher's timeout (30 s: AWS refuses an event source whose
    queue's visibility is shorter), so three failed receives take about 90 s."""
    sqs = local_stack.client("sqs")
    sqs.send_message(QueueUrl=local_stack.outputs["IntakeQueueUrl"], MessageBody="this is not json")
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=local_stack.outputs["IntakeDlqUrl"], WaitTimeSeconds=1).get(
            "Messages", []
        )
        if messages:
            assert messages[0]["Body"] == "this is not json"
            sqs.change_message_visibility(
                QueueUrl=local_stack.outputs["IntakeDlqUrl"],
                ReceiptHandle=messages[0]["ReceiptHandle"],
                VisibilityTimeout=0,
            )
            health = requests.get(f"{local_stack.api_url}/health", timeout=10)
            assert health.status_code == 200
            assert health.json()["status"] == "degraded" and "intake_dlq" in health.json()["message"]
            sqs.purge_queue(QueueUrl=local_stack.outputs["IntakeDlqUrl"])
            assert requests.get(f"{local_stack.api_url}/health", timeout=10).json()["status"] == "healthy"
            return
    raise AssertionError("the poison message never reached the intake DLQ")


def test_a_duplicate_intake_delivery_starts_no_second_execution(local_stack: RunningStack):
    task, _ = local_stack.wait_until_done(local_stack.submit()["task_id"])
    sqs = local_stack.client("sqs")
    sqs.send_message(
        QueueUrl=local_stack.outputs["IntakeQueueUrl"],
        MessageBody=json.dumps({"task_id": task["task_id"], "attempt": 1}),
    )
    time.sleep(3)
    sfn = local_stack.client("stepfunctions")
    names = [
        e["name"] for e in sfn.list_executions(stateMachineArn=local_stack.outputs["StateMachineArn"])["executions"]
    ]
    assert names.count(task["task_id"]) == 1
    assert local_stack.task(task["task_id"])["status"] == "succeeded"
