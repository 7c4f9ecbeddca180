"""GET /tasks/{id}/history: every attempt (earlier ones, then the current one), each with its
execution's state path and its timings (queued, generating, storing)."""

from __future__ import annotations

from datetime import timedelta

import boto3

from contenthub.models import iso, job_id_for, utc_now
from tests.conftest import load_handler, sqs_event
from tests.integration.conftest import call, drain, reset_caches


def test_history_has_each_attempt_with_its_execution_and_timings(stack, lambda_context):
    reset_caches()
    drain(stack["IntakeQueueUrl"])
    _, task, _ = call("POST", "/tasks", {"account_id": 49, "topic": "history"})
    task_id = task["task_id"]
    dispatch = load_handler("dispatch")
    dispatch.main(sqs_event([{"task_id": task_id, "attempt": 1}]), lambda_context)
    # Attempt 1: a runner took the job 2 s after the submit and generated for 3 s; then it was cancelled.
    created = utc_now() - timedelta(seconds=10)
    jobs = boto3.resource("dynamodb", region_name="us-east-1").Table(stack["JobsTable"])
    jobs.put_item(Item={"job_id": job_id_for(task_id, 1), "task_id": task_id, "status": "succeeded",
                        "started_at": iso(created + timedelta(seconds=2)),
                        "finished_at": iso(created + timedelta(seconds=5)), "runner_id": "runner-a"})  # fmt: skip
    tasks = boto3.resource("dynamodb", region_name="us-east-1").Table(stack["TasksTable"])
    tasks.update_item(Key={"task_id": task_id}, UpdateExpression="SET created_at = :c",
                      ExpressionAttributeValues={":c": iso(created)})  # fmt: skip
    assert call("POST", f"/tasks/{task_id}/cancel")[0] == 200
    assert call("POST", f"/tasks/{task_id}/retry")[0] == 202
    dispatch.main(sqs_event([{"task_id": task_id, "attempt": 2}]), lambda_context)

    status, history, _ = call("GET", f"/tasks/{task_id}/history")
    assert status == 200 and history["task_id"] == task_id and history["status"] == "pending"
    first, second = history["attempts"]
    assert (first["attempt"], first["status"], second["attempt"], second["status"]) == (1, "cancelled", 2, "pending")
    assert first["execution_name"] == task_id and second["execution_name"] == f"{task_id}-attempt-2"
    assert first["execution_arn"].endswith(f":execution:{stack['StateMachineArn'].split(':')[-1]}:{task_id}")
    assert second["execution_status"] == "RUNNING"
    assert first["states"] and all(s["name"] and s["entered_at"].endswith("Z") for s in first["states"])
    assert first["timings"]["queued_seconds"] == 2.0 and first["timings"]["generating_seconds"] == 3.0
    assert first["runner_id"] == "runner-a"
    assert second["timings"] == {"queued_seconds": None, "generating_seconds": None, "storing_seconds": None}
    drain(stack["IntakeQueueUrl"])


def test_history_of_an_unknown_task_is_404(stack):
    status, body, _ = call("GET", "/tasks/task-000000000000/history")
    assert status == 404 and body["error"]["code"] == "task_not_found"


def test_a_task_not_dispatched_yet_has_no_execution(stack):
    drain(stack["IntakeQueueUrl"])
    _, task, _ = call("POST", "/tasks", {"account_id": 49, "topic": "not yet"})
    _, history, _ = call("GET", f"/tasks/{task['task_id']}/history")
    [only] = history["attempts"]
    assert only["execution_status"] is None and only["states"] == []
    drain(stack["IntakeQueueUrl"])
