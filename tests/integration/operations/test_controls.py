"""Live controls (SSM Parameter Store): read, changed by PUT /controls, recorded with who changed
them, and acted on by submit (the kill switch) and by the runner (the cap and its slots)."""

from __future__ import annotations

import json
import threading
import time

import boto3
import pytest

from contenthub.models import JobRequest, job_id_for
from contenthub.settings import Settings
from contenthub_runner.loop import Worker
from tests.conftest import FakeLambdaContext, api_event
from tests.integration.conftest import call, drain, handler_for, reset_caches
from tests.integration.runner.test_runner_cap import CountingCreator

DEPLOYED = {"generation_enabled": True, "max_concurrent_tasks": 5, "runner_slots": 5}


@pytest.fixture
def controls(stack):
    """Every test starts and ends with the deployed values."""
    reset_caches()
    call("PUT", "/controls", DEPLOYED)
    yield
    call("PUT", "/controls", DEPLOYED)
    reset_caches()


def put_as(body: dict, user_arn: str) -> tuple[int, dict]:
    module, resource, _ = handler_for("PUT", "/controls")
    event = api_event("PUT", "/controls", body=body, resource=resource)
    event["requestContext"]["identity"].update({"userArn": user_arn, "caller": "AROAEXAMPLE:alice"})
    response = module.main(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])


def test_controls_start_at_the_deployed_values_stored_in_ssm(stack, controls):
    status, body, _ = call("GET", "/controls")
    assert status == 200
    assert {k: body[k] for k in DEPLOYED} == DEPLOYED and body["deployed"] == DEPLOYED
    ssm = boto3.client("ssm", region_name="us-east-1")
    name = body["parameters"]["max_concurrent_tasks"]
    assert name == f"{stack['ControlsParameterPath']}/ASYNC_MAX_CONCURRENT_TASKS"
    assert ssm.get_parameter(Name=name)["Parameter"]["Value"] == "5"


def test_a_change_is_stored_recorded_with_who_and_listed_newest_first(stack, controls):
    status, body = put_as({"max_concurrent_tasks": 2, "runner_slots": 3, "reason": "load test"},
                          "arn:aws:sts::123456789012:assumed-role/operator/alice")  # fmt: skip
    assert status == 200, body
    assert body["max_concurrent_tasks"] == 2 and body["runner_slots"] == 3 and body["generation_enabled"] is True
    assert [(c["control"], c["old"], c["new"]) for c in body["changes"]] == [
        ("max_concurrent_tasks", "5", "2"), ("runner_slots", "5", "3"),
    ]  # fmt: skip
    status, history, _ = call("GET", "/controls/history", query={"limit": 2})
    assert status == 200
    newest = history["changes"]
    assert {c["control"] for c in newest} == {"max_concurrent_tasks", "runner_slots"}
    assert all(c["who"] == "arn:aws:sts::123456789012:assumed-role/operator/alice" for c in newest)
    assert all(c["reason"] == "load test" and c["at"].endswith("Z") for c in newest)
    # Without a signed identity (the local stack), the change is recorded as "local".
    call("PUT", "/controls", {"generation_enabled": False})
    _, history, _ = call("GET", "/controls/history", query={"limit": 1})
    assert history["changes"][0] | {"at": None} == {
        "at": None, "who": "local", "control": "generation_enabled", "setting": "ASYNC_CONTENT_GENERATION_ENABLED",
        "old": "true", "new": "false", "reason": None,
    }  # fmt: skip


def test_setting_a_control_to_its_current_value_records_nothing(stack, controls):
    _, before, _ = call("GET", "/controls/history", query={"limit": 100})
    status, body, _ = call("PUT", "/controls", {"runner_slots": 5})
    assert status == 200 and body["changes"] == []
    _, after, _ = call("GET", "/controls/history", query={"limit": 100})
    assert len(after["changes"]) == len(before["changes"])


@pytest.mark.parametrize(
    "body",
    [{}, {"max_concurrent_tasks": 0}, {"runner_slots": "2"}, {"generation_enabled": 0}, {"paused": True},
     {"reason": "only a reason"}],
)  # fmt: skip
def test_bad_changes_are_422_and_change_nothing(stack, controls, body):
    status, error, _ = call("PUT", "/controls", body)
    assert status == 422 and error["error"]["code"] == "validation_error"
    assert {k: call("GET", "/controls")[1][k] for k in DEPLOYED} == DEPLOYED


def test_pause_refuses_submits_with_503_and_resume_accepts_them(stack, controls):
    drain(stack["IntakeQueueUrl"])
    call("PUT", "/controls", {"generation_enabled": False})
    reset_caches()  # a new function instance; a warm one sees it when its 10 s cache expires
    status, body, _ = call("POST", "/tasks", {"account_id": 49, "topic": "paused"})
    assert status == 503 and body["error"]["code"] == "service_disabled"
    call("PUT", "/controls", {"generation_enabled": True})
    reset_caches()
    status, body, _ = call("POST", "/tasks", {"account_id": 49, "topic": "resumed"})
    assert status == 202 and body["status"] == "pending"
    drain(stack["IntakeQueueUrl"])


def test_an_unreadable_parameter_falls_back_to_the_deployed_value(stack, controls, settings_env):
    settings_env.setenv("CONTROLS_PARAMETER_PATH", "/no/such/path")
    from contenthub import services
    from contenthub.logic import controls as live

    tree = services.control_parameters()
    assert tree is not None and tree.path == "/no/such/path"
    current = live.current(Settings(ASYNC_WORKER_COUNT=7), tree)
    assert current.ASYNC_WORKER_COUNT == 7 and current.ASYNC_CONTENT_GENERATION_ENABLED is True


def test_the_runner_takes_its_cap_and_slots_from_the_controls(stack, controls):
    """Deployed: 5 slots, cap 5. Live: cap 1 — the runner never runs two jobs at once."""
    call("PUT", "/controls", {"max_concurrent_tasks": 1, "runner_slots": 4})
    drain(stack["RunnerJobsQueueUrl"])
    sqs = boto3.client("sqs", region_name="us-east-1")
    for i in range(3):
        task_id = f"task-c0c0{i:08x}"
        job = JobRequest(job_id=job_id_for(task_id, 1), task_id=task_id, attempt=1, account_id=49, topic=f"c {i}")
        sqs.send_message(QueueUrl=stack["RunnerJobsQueueUrl"], MessageBody=job.model_dump_json())
    creator = CountingCreator()
    worker = Worker(Settings(RUNNER_HEARTBEAT_SECONDS=1), creator)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while creator.done < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    worker.stop()
    thread.join(30)
    assert creator.done == 3 and creator.peak == 1
    assert worker.heartbeat.slots == 4 and worker.leases.slots.slots == 1
