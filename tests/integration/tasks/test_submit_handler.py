"""POST /tasks and GET /tasks/{id} through the submit handler, on the deployed template's tables."""

import json

import boto3
import pytest

from tests.conftest import api_event, load_handler
from tests.integration.conftest import call, ddb_item, drain, reset_caches

VALID = {"account_id": 49, "topic": "AI trends", "keywords": ["AI", "machine learning"]}


@pytest.fixture
def submit(stack):
    reset_caches()
    return load_handler("submit")


def post(submit, lambda_context, body=None, raw_body=None):
    response = submit.main(api_event("POST", "/tasks", body=body, raw_body=raw_body), lambda_context)
    return response["statusCode"], json.loads(response["body"])


def test_valid_submit_is_accepted_pending_stored_and_queued(stack, submit, lambda_context):
    drain(stack["IntakeQueueUrl"])
    status, body = post(submit, lambda_context, VALID)
    assert status == 202
    assert body["status"] == "pending" and body["progress"] == 0
    task_id = body["task_id"]
    stored = ddb_item(stack["TasksTable"], {"task_id": task_id})
    assert stored["status"] == "pending" and stored["account_id"] == 49
    assert stored["keywords"] == ["AI", "machine learning"]
    assert stored["auto_approve"] is True  # ASYNC_AUTO_APPROVE default
    sqs = boto3.client("sqs", region_name="us-east-1")
    messages = sqs.receive_message(QueueUrl=stack["IntakeQueueUrl"], MaxNumberOfMessages=10)["Messages"]
    assert {"task_id": task_id, "attempt": 1} in [json.loads(m["Body"]) for m in messages]
    for m in messages:
        sqs.delete_message(QueueUrl=stack["IntakeQueueUrl"], ReceiptHandle=m["ReceiptHandle"])


def test_get_returns_the_task(submit, lambda_context):
    _, created = post(submit, lambda_context, {**VALID, "auto_approve": False})
    status, task, _ = call("GET", f"/tasks/{created['task_id']}")
    assert status == 200
    assert task["task_id"] == created["task_id"] and task["auto_approve"] is False


def test_unknown_task_is_404(stack):
    status, body, _ = call("GET", "/tasks/task-000000000000")
    assert status == 404 and body["error"]["code"] == "task_not_found"


def test_malformed_task_id_is_422(stack):
    status, body, _ = call("GET", "/tasks/nope")
    assert status == 422 and body["error"]["code"] == "validation_error"


@pytest.mark.parametrize(
    ("body", "raw", "needle"),
    [
        ({"account_id": 49, "topic": ""}, None, "topic"),
        ({"account_id": 49, "topic": "x" * 201}, None, "topic"),
        ({"account_id": 49, "topic": "ok", "keywords": [f"k{i}" for i in range(21)]}, None, "keywords"),
        ({"account_id": 49, "topic": "ok", "priority": "high"}, None, "priority"),
        ({"topic": "ok"}, None, "account_id"),
        (None, "{not json", ""),
        (None, "[1, 2]", ""),
        # Found by fuzzing: pydantic alone reads these as values; the API refuses them.
        ({"account_id": 49, "topic": "ok", "scheduled_publish_at": 0}, None, "ISO 8601"),
        ({"account_id": 49, "topic": "ok", "auto_publish": 0}, None, "auto_publish"),
        ({"account_id": 49, "topic": "ok", "auto_approve": "yes"}, None, "auto_approve"),
    ],
)
def test_invalid_submits_are_4xx_with_a_clear_message_and_store_nothing(
    stack, submit, lambda_context, body, raw, needle
):
    table = boto3.resource("dynamodb", region_name="us-east-1").Table(stack["TasksTable"])
    before = table.scan(Select="COUNT")["Count"]
    status, payload = post(submit, lambda_context, body=body, raw_body=raw)
    assert 400 <= status < 500
    assert payload["error"]["code"] == "validation_error"
    assert needle in payload["error"]["message"]
    assert table.scan(Select="COUNT")["Count"] == before


def test_a_body_that_is_not_json_is_415_and_stores_nothing(stack, submit, lambda_context):
    table = boto3.resource("dynamodb", region_name="us-east-1").Table(stack["TasksTable"])
    before = table.scan(Select="COUNT")["Count"]
    for media_type in ("multipart/form-data", "application/x-www-form-urlencoded", "text/plain; charset=utf-8"):
        event = api_event("POST", "/tasks", raw_body='{"account_id": 49, "topic": "ok"}',
                          headers={"Content-Type": media_type})  # fmt: skip
        response = submit.main(event, lambda_context)
        assert response["statusCode"] == 415, media_type
        assert json.loads(response["body"])["error"]["code"] == "unsupported_media_type"
    assert table.scan(Select="COUNT")["Count"] == before


def test_a_list_window_given_as_a_number_is_422(stack):
    status, body, _ = call("GET", "/tasks", query={"until": "0.5"})
    assert status == 422 and "ISO 8601" in body["error"]["message"]


def test_disabled_generation_is_503(settings_env, lambda_context):
    # The kill switch is a live control (SSM); the deployed value is only its default.
    assert call("PUT", "/controls", {"generation_enabled": False})[0] == 200
    try:
        reset_caches()
        submit = load_handler("submit")
        status, payload = post(submit, lambda_context, VALID)
        assert status == 503
        assert "ASYNC_CONTENT_GENERATION_ENABLED" in payload["error"]["message"]
        batch = call("POST", "/tasks/batch", {"account_ids": [49], "count_per_account": 2})
        assert batch[0] == 503 and batch[1]["error"]["code"] == "service_disabled"
    finally:
        assert call("PUT", "/controls", {"generation_enabled": True})[0] == 200


def test_queue_failure_ends_the_task_failed_not_pending(stack, settings_env, lambda_context):
    settings_env.setenv("INTAKE_QUEUE_URL", stack["IntakeQueueUrl"] + "-missing")
    reset_caches()
    submit = load_handler("submit")
    status, payload = post(submit, lambda_context, VALID)
    assert status == 503 and payload["error"]["code"] == "queue_unavailable"
    table = boto3.resource("dynamodb", region_name="us-east-1").Table(stack["TasksTable"])
    pending = [i for i in table.scan()["Items"] if i["status"] == "pending" and i["topic"] == VALID["topic"]]
    failed = [i for i in table.scan()["Items"] if i["status"] == "failed" and "could not enqueue" in i.get("error", "")]
    assert failed, "the task whose enqueue failed must be recorded as failed with the reason"
    assert all(i["task_id"] not in {f["task_id"] for f in failed} for i in pending)
