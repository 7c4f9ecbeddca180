"""Faults injected into the local stack, and duplicate deliveries of every message a task sends:
each scenario ends in one terminal state, at most one Content, and the invariants of
tests/e2e/invariants.py.

Lambda faults use the local stack's `POST /_local/faults/lambda` (the stand-in for AWS Fault
Injection Service's Lambda actions): the Invoke API answering a service error or a throttle, or
the function failing without running its code. The state machine's own Retry/Catch handle them.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

import pytest
import requests

from tests.e2e import invariants
from tests.e2e.conftest import Receiver, RunningStack

pytestmark = pytest.mark.e2e


def inject(stack: RunningStack, function: str, kind: str, task_id: str, count: int = 1, **extra: str) -> None:
    response = requests.post(
        f"{stack.api_url}/_local/faults/lambda",
        json={"function": function, "kind": kind, "count": count, "match": task_id, **extra},
        timeout=10,
    )
    assert response.status_code == 200, response.text


def history(stack: RunningStack, task_id: str) -> list[dict[str, Any]]:
    sfn = stack.client("stepfunctions")
    arn = stack.outputs["StateMachineArn"].replace(":stateMachine:", ":execution:") + f":{task_id}"
    deadline = time.monotonic() + 15
    while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.2)
    return sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]


def lambda_calls(events: list[dict[str, Any]], state: str) -> list[tuple[datetime, str | None]]:
    """(scheduled at, error or None) of each Lambda call a state made, in order."""
    calls: list[tuple[datetime, str | None]] = []
    current = None
    for event in events:
        if event["type"] == "TaskStateEntered":
            current = event["stateEnteredEventDetails"]["name"]
        elif event["type"] == "TaskStateExited":
            current = None
        elif current == state and event["type"] == "LambdaFunctionScheduled":
            calls.append((event["timestamp"], None))
        elif current == state and event["type"] == "LambdaFunctionFailed":
            calls[-1] = (calls[-1][0], event["lambdaFunctionFailedEventDetails"]["error"])
    return calls


def contents_of(stack: RunningStack, task_id: str) -> int:
    return int(
        stack.client("dynamodb").query(
            TableName=stack.outputs["ContentsTable"],
            IndexName="by_task",
            KeyConditionExpression="generation_task_id = :t",
            ExpressionAttributeValues={":t": {"S": task_id}},
            Select="COUNT",
        )["Count"]
    )


def test_transient_lambda_errors_and_timeouts_are_retried_with_backoff_and_the_task_succeeds(local_stack: RunningStack):
    task_id = local_stack.submit(topic="transient errors")["task_id"]  # its first poll comes ≥ 1 s later
    inject(local_stack, "Poll", "service_error", task_id)
    inject(local_stack, "Poll", "throttle", task_id)
    inject(local_stack, "Poll", "function_error", task_id, error_type="Sandbox.Timedout",
           message="Task timed out after 10.00 seconds")  # fmt: skip
    task, _ = local_stack.wait_until_done(task_id)
    assert task["status"] == "succeeded", task["error"]
    assert contents_of(local_stack, task_id) == 1

    calls = lambda_calls(history(local_stack, task_id), "Poll")
    errors = [error for _, error in calls]
    assert errors[:4] == ["Lambda.ServiceException", "Lambda.TooManyRequestsException", "Sandbox.Timedout", None]
    # Retry: interval 1 s, backoff rate 2 → each retry waits twice as long as the one before.
    gaps = [(later[0] - earlier[0]).total_seconds() for earlier, later in zip(calls[:3], calls[1:4], strict=True)]
    assert gaps[0] >= 0.9 and gaps[1] >= 1.9 and gaps[2] >= 3.9, gaps
    invariants.check(local_stack)


def test_transient_errors_past_the_retry_limit_fail_the_task_with_the_reason(
    local_stack: RunningStack, receiver: Receiver
):
    task_id = local_stack.submit(topic="lambda keeps failing")["task_id"]
    inject(local_stack, "Poll", "service_error", task_id, count=4, message="Lambda is having a bad day")
    task, _ = local_stack.wait_until_done(task_id, timeout=90)
    assert task["status"] == "failed"
    assert "Lambda.ServiceException" in task["error"] and "Lambda is having a bad day" in task["error"], task
    assert task["content_id"] is None and contents_of(local_stack, task_id) == 0
    errors = [error for _, error in lambda_calls(history(local_stack, task_id), "Poll")]
    assert errors == ["Lambda.ServiceException"] * 4  # the first call and its 3 retries
    [hook] = receiver.wait_for(task_id, 1)
    assert json.loads(hook["body"])["type"] == "task.failed"
    invariants.check(local_stack)


def test_a_permanent_error_is_caught_not_retried_and_marks_the_task_failed(local_stack: RunningStack):
    invariants.check(local_stack)  # quiet: nothing else ends while this runs
    before = requests.get(f"{local_stack.api_url}/metrics", timeout=10).json()
    task_id = local_stack.submit(topic="handler bug")["task_id"]
    # The first fault hits HandleResult (store); the second hits MarkFailed, which retries it.
    inject(local_stack, "HandleResult", "function_error", task_id, count=2,
           error_type="KeyError", message="'title' missing from the stored article")  # fmt: skip
    task, _ = local_stack.wait_until_done(task_id)
    assert task["status"] == "failed", task
    assert task["error"].startswith("KeyError") and "'title' missing" in task["error"], task
    assert task["content_id"] is None and contents_of(local_stack, task_id) == 0

    events = history(local_stack, task_id)
    assert [error for _, error in lambda_calls(events, "HandleResult")] == ["KeyError"]  # never retried
    assert [error for _, error in lambda_calls(events, "MarkFailed")] == ["KeyError", None]
    assert events[-1]["type"] == "ExecutionFailed"
    invariants.check(local_stack)
    after = requests.get(f"{local_stack.api_url}/metrics", timeout=10).json()
    assert after["by_status"]["failed"] == before["by_status"]["failed"] + 1  # counted once
    assert after["by_status"]["succeeded"] == before["by_status"]["succeeded"]


def test_fault_injection_refuses_an_unknown_function_or_kind(local_stack: RunningStack):
    url = f"{local_stack.api_url}/_local/faults/lambda"
    unknown = requests.post(url, json={"function": "Nope", "kind": "throttle"}, timeout=10)
    assert unknown.status_code == 400 and "no function Nope" in unknown.json()["message"]
    bad_kind = requests.post(url, json={"function": "Poll", "kind": "meteor"}, timeout=10)
    assert bad_kind.status_code == 400 and "fault kind must be one of" in bad_kind.json()["message"]


def runner_job_message(stack: RunningStack, task_id: str) -> str:
    """The runner job the state machine sent for the task (from its execution history)."""
    for event in history(stack, task_id):
        details = event.get("taskScheduledEventDetails")
        if details and details["resourceType"] == "sqs":
            body = json.loads(details["parameters"])["MessageBody"]
            return body if isinstance(body, str) else json.dumps(body)
    raise AssertionError("no DispatchJob in the history")


def test_duplicate_runner_job_deliveries_run_nothing_twice(local_stack: RunningStack):
    task_id = local_stack.submit(topic="duplicate jobs")["task_id"]
    task, _ = local_stack.wait_until_done(task_id)
    assert task["status"] == "succeeded"
    before = requests.get(f"{local_stack.api_url}/metrics", timeout=10).json()
    job = runner_job_message(local_stack, task_id)
    sqs = local_stack.client("sqs")
    for _ in range(3):
        sqs.send_message(QueueUrl=local_stack.outputs["RunnerJobsQueueUrl"], MessageBody=job)

    # The runner takes each copy, finds the job already finished and drops it.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        attributes = sqs.get_queue_attributes(
            QueueUrl=local_stack.outputs["RunnerJobsQueueUrl"],
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        if not any(int(v) for v in attributes.values()):
            break
        time.sleep(0.2)
    assert local_stack.task(task_id) == task
    assert contents_of(local_stack, task_id) == 1
    after = requests.get(f"{local_stack.api_url}/metrics", timeout=10).json()
    assert after["by_status"] == before["by_status"] and after["total_tasks"] == before["total_tasks"]
    log = "".join(p.read_text() for p in local_stack.log_dir.glob("runner-*.log"))
    assert log.count("duplicate delivery ignored") >= 3
    invariants.check(local_stack)


def test_repeated_handle_result_stores_and_counts_once(local_stack: RunningStack):
    """The state machine's HandleResult input, invoked again (a redelivered Lambda invoke)."""
    task_id = local_stack.submit(topic="stored twice?")["task_id"]
    task, _ = local_stack.wait_until_done(task_id)
    before = requests.get(f"{local_stack.api_url}/metrics", timeout=10).json()
    events = history(local_stack, task_id)
    [scheduled] = [
        e["lambdaFunctionScheduledEventDetails"]
        for e in events
        if "lambdaFunctionScheduledEventDetails" in e
        and json.loads(e["lambdaFunctionScheduledEventDetails"]["input"]).get("action") == "store"
    ]
    lambda_client = local_stack.client("lambda")
    for _ in range(2):
        response = lambda_client.invoke(FunctionName=scheduled["resource"], Payload=scheduled["input"].encode())
        assert "FunctionError" not in response, response["Payload"].read()
    assert local_stack.task(task_id)["content_id"] == task["content_id"]
    assert contents_of(local_stack, task_id) == 1
    after = requests.get(f"{local_stack.api_url}/metrics", timeout=10).json()
    assert after["by_status"] == before["by_status"]
    invariants.check(local_stack)


def test_the_invariant_checker_names_a_second_content_and_a_lost_task(local_stack: RunningStack):
    """The checker itself can fail: a duplicate Content and a pending task with nothing behind it."""
    task, _ = local_stack.wait_until_done(local_stack.submit(topic="checked")["task_id"])
    dynamodb = local_stack.client("dynamodb")
    content = dynamodb.get_item(TableName=local_stack.outputs["ContentsTable"],
                                Key={"content_id": {"S": task["content_id"]}})["Item"]  # fmt: skip
    duplicate = {**content, "content_id": {"S": task["content_id"] + "-copy"}}
    lost = {"task_id": {"S": "task-00000000dead"}, "status": {"S": "pending"}, "attempt": {"N": "1"}}
    dynamodb.put_item(TableName=local_stack.outputs["ContentsTable"], Item=duplicate)
    dynamodb.put_item(TableName=local_stack.outputs["TasksTable"], Item=lost)
    try:
        problems = invariants.violations(local_stack, invariants.Snapshot(local_stack))
    finally:
        dynamodb.delete_item(
            TableName=local_stack.outputs["ContentsTable"], Key={"content_id": duplicate["content_id"]}
        )
        dynamodb.delete_item(TableName=local_stack.outputs["TasksTable"], Key={"task_id": lost["task_id"]})
    assert f"{task['task_id']}: succeeded with 2 contents" in problems
    assert "task-00000000dead: pending but its execution is None and nothing is queued" in problems
    assert any(p.startswith("/metrics in_flight=") for p in problems), problems
    invariants.check(local_stack)
