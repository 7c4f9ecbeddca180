"""Reads survive a blip; writes are sent once unless they carry an Idempotency-Key."""

from __future__ import annotations

import json

from tests.unit.cli.conftest import FakeApi, task

UNAVAILABLE = (503, {"message": "Service Unavailable"}, {"Retry-After": "0"})


def test_a_get_is_retried_after_a_503(api: FakeApi, run):
    api.on("GET", "/tasks/task-abc123def456", UNAVAILABLE, (200, task()))
    result = run("task", "status", "task-abc123def456")
    assert result.exit_code == 0, result.stderr
    assert "succeeded" in result.stdout
    assert len(api.requests("GET", "/tasks/task-abc123def456")) == 2


def test_a_get_is_retried_after_429_honouring_retry_after(api: FakeApi, run):
    api.on(
        "GET",
        "/metrics",
        (429, {"message": "Too Many Requests"}, {"Retry-After": "0"}),
        (200, {"total_tasks": 3, "tasks_today": 1, "in_flight": 0, "success_rate": 0.5, "system_status": "ok"}),
    )
    result = run("monitor", "metrics")
    assert result.exit_code == 0 and "50.0%" in result.stdout
    assert len(api.requests("GET", "/metrics")) == 2


def test_a_get_gives_up_after_its_retries(api: FakeApi, run):
    api.on("GET", "/metrics", UNAVAILABLE)
    result = run("monitor", "metrics", env={"CONTENTHUB_RETRIES": "2"})
    assert result.exit_code == 4 and "gave up after 3 attempts" in result.stderr
    assert len(api.requests("GET", "/metrics")) == 3


def test_a_retry_after_beyond_the_budget_is_not_waited_for(api: FakeApi, run):
    api.on("GET", "/metrics", (503, {"message": "down for maintenance"}, {"Retry-After": "3600"}))
    result = run("monitor", "metrics")
    assert result.exit_code == 4 and len(api.requests("GET", "/metrics")) == 1


def test_a_post_without_idempotency_key_is_not_retried(api: FakeApi, run):
    api.on("POST", "/tasks", UNAVAILABLE, (202, task(status="pending")))
    result = run("content", "generate", "-a", "49", "-t", "人工智能", "--async")
    assert result.exit_code == 4
    assert len(api.requests("POST", "/tasks")) == 1


def test_a_post_with_idempotency_key_is_retried_with_the_same_key(api: FakeApi, run):
    api.on("POST", "/tasks", UNAVAILABLE, (202, task(status="pending")))
    result = run("content", "generate", "-a", "49", "-t", "人工智能", "--async", "--idempotency-key", "k-1", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["task_id"] == "task-abc123def456"
    sent = api.requests("POST", "/tasks")
    assert len(sent) == 2 and {s.headers["Idempotency-Key"] for s in sent} == {"k-1"}


def test_a_4xx_is_never_retried(api: FakeApi, run):
    api.on("GET", "/tasks/task-abc123def456", (404, {"error": {"code": "task_not_found", "message": "gone"}}))
    assert run("task", "status", "task-abc123def456").exit_code == 3
    assert len(api.requests("GET")) == 1


def test_signed_calls_are_signed_again_on_each_attempt(api: FakeApi, run, clean_environment):
    clean_environment.write_text('[default]\nsign = true\nregion = "eu-west-1"\n')
    api.on("GET", "/tasks/task-abc123def456", UNAVAILABLE, (200, task()))
    result = run(
        "task",
        "status",
        "task-abc123def456",
        env={"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": None},
    )
    assert result.exit_code == 0, result.stderr
    for seen in api.requests("GET"):
        assert seen.headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=")
        assert "/eu-west-1/execute-api/aws4_request" in seen.headers["Authorization"]
