"""Defence in depth (issue #12, Medium #5): a job row holding a huge stage or error (an older
runner, a bug) must not reach Step Functions state (256 KB: States.DataLimitExceeded, which no
Catch handles) nor the task. functions/poll and functions/handle_result bound what they read."""

import json

import boto3
import pytest

from contenthub.models import job_id_for, utc_now
from tests.conftest import api_event, load_handler
from tests.integration.conftest import ddb_item, reset_caches

REGION = "us-east-1"
FEW_KB = 4096
HUGE = 300_000  # as big as a job row can hold a text (items are at most 400 KB)


@pytest.fixture
def handlers(stack):
    reset_caches()
    return {name: load_handler(name) for name in ("submit", "poll", "handle_result")}


@pytest.fixture
def running_task(stack, handlers, lambda_context):
    response = handlers["submit"].main(api_event("POST", "/tasks", body={"account_id": 49, "topic": "AI"}),
                                       lambda_context)  # fmt: skip
    task_id = json.loads(response["body"])["task_id"]
    boto3.resource("dynamodb", region_name=REGION).Table(stack["TasksTable"]).update_item(
        Key={"task_id": task_id}, UpdateExpression="SET #s = :r, started_at = :now",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":r": "running", ":now": utc_now().isoformat()},
    )  # fmt: skip
    return task_id


def write_job_row(stack, task_id, **fields):
    """The job row as a runner wrote it, byte for byte (no clipping on the way)."""
    item = {"job_id": job_id_for(task_id, 1), "task_id": task_id, "creator": "cli", "progress": 40,
            "heartbeat_at": utc_now().isoformat(), "started_at": utc_now().isoformat(), **fields}  # fmt: skip
    boto3.resource("dynamodb", region_name=REGION).Table(stack["JobsTable"]).put_item(Item=item)


def poll(handlers, lambda_context, task_id):
    event = {"task_id": task_id, "attempt": 1, "started_at": utc_now().isoformat()}
    return handlers["poll"].main(event, lambda_context)


def bounded(text, starts):
    return text.startswith(starts) and len(text.encode()) <= FEW_KB and "truncated" in text


def test_poll_bounds_a_huge_stage_it_reads(stack, handlers, running_task, lambda_context):
    write_job_row(stack, running_task, status="running", stage="s" * HUGE)
    outcome = poll(handlers, lambda_context, running_task)
    assert outcome["status"] == "running" and bounded(outcome["stage"], "sss")
    assert len(json.dumps(outcome)) <= FEW_KB
    assert bounded(ddb_item(stack["TasksTable"], {"task_id": running_task})["stage"], "sss")


def test_poll_bounds_a_huge_error_it_reads(stack, handlers, running_task, lambda_context):
    write_job_row(stack, running_task, status="failed", error="r" * HUGE)
    outcome = poll(handlers, lambda_context, running_task)
    assert outcome["status"] == "failed" and bounded(outcome["error"], "rrr")
    assert len(json.dumps(outcome)) <= FEW_KB


def test_handle_result_bounds_a_huge_failure_it_records(stack, handlers, running_task, lambda_context):
    state = {"task_id": running_task, "attempt": 1, "poll": {"status": "failed", "error": "r" * HUGE}}
    result = handlers["handle_result"].main({"action": "fail", "input": state}, lambda_context)
    assert result["status"] == "failed" and bounded(result["error"], "rrr")
    assert len(json.dumps(result)) <= FEW_KB
    task = ddb_item(stack["TasksTable"], {"task_id": running_task})
    assert task["status"] == "failed" and bounded(task["error"], "rrr")


def test_handle_result_bounds_a_runner_cause_and_the_job_row_error(stack, handlers, running_task, lambda_context):
    # Callback mode: the runner's SendTaskFailure (moto drops the cause: the job row's error is read).
    write_job_row(stack, running_task, status="failed", error="c" * HUGE)
    state = {"task_id": running_task, "attempt": 1, "error": {"Error": "CreatorError"}}
    result = handlers["handle_result"].main({"action": "fail", "input": state}, lambda_context)
    assert result["status"] == "failed" and bounded(result["error"], "ccc")
    assert bounded(ddb_item(stack["TasksTable"], {"task_id": running_task})["error"], "ccc")
