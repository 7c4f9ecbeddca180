"""GET /health checks every dependency and says which one is broken."""

import json

import boto3
import pytest

from contenthub import dal
from contenthub.models import utc_now
from tests.conftest import api_event, load_handler
from tests.integration.conftest import drain, reset_caches


def health(lambda_context):
    reset_caches()
    response = load_handler("metrics").main(api_event("GET", "/health"), lambda_context)
    return response["statusCode"], json.loads(response["body"])


@pytest.fixture
def health_env(stack, settings_env):
    settings_env.setenv("INTAKE_DLQ_URL", stack["IntakeDlqUrl"])
    settings_env.setenv("RUNNER_JOBS_QUEUE_URL", stack["RunnerJobsQueueUrl"])
    settings_env.setenv("RUNNER_JOBS_DLQ_URL", stack["RunnerJobsDlqUrl"])
    return settings_env


def test_healthy_when_everything_answers(stack, health_env, lambda_context):
    status, body = health(lambda_context)
    assert status == 200 and body["status"] == "healthy", body
    assert body["checks"]["tasks_table"] == {"status": "ok", "detail": "ACTIVE"}
    assert body["checks"]["state_machine"]["status"] == "ok"


def test_unhealthy_names_the_missing_table(stack, health_env, lambda_context):
    health_env.setenv("CONTENTS_TABLE", "no-such-table")
    status, body = health(lambda_context)
    assert status == 503 and body["status"] == "unhealthy"
    assert body["checks"]["contents_table"]["status"] == "error"
    assert "contents_table" in body["message"]


def test_degraded_when_a_dlq_holds_messages(stack, health_env, lambda_context):
    sqs = boto3.client("sqs", region_name="us-east-1")
    sqs.send_message(QueueUrl=stack["RunnerJobsDlqUrl"], MessageBody="{}")
    try:
        status, body = health(lambda_context)
        assert status == 200 and body["status"] == "degraded"
        assert body["checks"]["runner_jobs_dlq"] == {"status": "warn", "detail": "1 dead-lettered message(s)"}
    finally:
        drain(stack["RunnerJobsDlqUrl"])


def test_degraded_when_jobs_wait_and_no_runner_beats(stack, health_env, lambda_context):
    sqs = boto3.client("sqs", region_name="us-east-1")
    sqs.send_message(QueueUrl=stack["RunnerJobsQueueUrl"], MessageBody="{}")
    try:
        _, body = health(lambda_context)
        assert body["status"] == "degraded" and body["checks"]["runner_heartbeat"]["status"] == "warn"
        dal.RunnerHeartbeats(stack["CountersTable"]).beat("runner-1", 2, 5, utc_now())
        _, body = health(lambda_context)
        assert body["checks"]["runner_heartbeat"]["status"] == "ok"
        assert "2/5 slots busy" in body["checks"]["runner_heartbeat"]["detail"]
    finally:
        drain(stack["RunnerJobsQueueUrl"])
