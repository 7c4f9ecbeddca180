"""One documented exit code per kind of outcome, and the error shapes scripts rely on."""

from __future__ import annotations

import _thread
import json
import socket
import threading

from tests.unit.cli.conftest import FakeApi, task

NOT_FOUND = {"error": {"code": "task_not_found", "message": "task task-000000000000 does not exist"}}


def test_exit_0_on_success(api: FakeApi, run):
    api.on("GET", "/tasks/task-abc123def456", (200, task()))
    result = run("task", "status", "task-abc123def456")
    assert result.exit_code == 0, result.stderr
    assert "task-abc123def456" in result.stdout and "succeeded" in result.stdout and "100%" in result.stdout
    assert result.stderr == ""


def test_exit_2_on_a_usage_error_before_any_request(api: FakeApi, run):
    bad_choice = run("task", "list", "--status", "nope")
    assert bad_choice.exit_code == 2 and "nope" in bad_choice.stderr
    bad_json = run("scheduler", "create", "--name", "x", "--cron", "0 8 * * *", "--params", "{account_ids: [49]}")
    assert bad_json.exit_code == 2
    assert bad_json.stderr.strip().startswith("contenthub: --params is not valid JSON")
    missing = run("content", "generate", "-t", "no account")
    assert missing.exit_code == 2 and "-a" in missing.stderr
    assert api.seen == []


def test_exit_3_when_the_api_refuses(api: FakeApi, run):
    api.on("GET", "/tasks/task-000000000000", (404, NOT_FOUND))
    result = run("task", "status", "task-000000000000")
    assert result.exit_code == 3
    assert result.stderr == "contenthub: task task-000000000000 does not exist (HTTP 404, task_not_found)\n"
    assert result.stdout == ""


def test_exit_4_when_the_service_fails_or_cannot_be_reached(api: FakeApi, run):
    api.on("POST", "/tasks/task-abc123def456/cancel", (500, {"message": "Internal server error"}))
    failing = run("task", "cancel", "task-abc123def456")
    assert failing.exit_code == 4 and "Internal server error (HTTP 500)" in failing.stderr

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    unreachable = run("--endpoint", f"http://127.0.0.1:{port}", "monitor", "metrics",
                      env={"CONTENTHUB_RETRIES": "0"}, endpoint=False)  # fmt: skip
    assert unreachable.exit_code == 4 and f"cannot reach http://127.0.0.1:{port}" in unreachable.stderr


def test_exit_5_when_the_watched_task_fails(api: FakeApi, run):
    failed = task(status="failed", error="creator exited with 1", progress=40)
    api.on("GET", "/tasks/task-abc123def456", (200, task(status="running")), (200, failed))
    result = run("task", "watch", "task-abc123def456", "--interval", "0.01")
    assert result.exit_code == 5
    assert "task task-abc123def456 ended failed: creator exited with 1" in result.stderr


def test_exit_5_when_a_waiting_generate_ends_cancelled(api: FakeApi, run):
    api.on("POST", "/tasks", (202, task(status="pending")))
    api.on("GET", "/tasks/task-abc123def456", (200, task(status="cancelled", error="cancelled by an operator")))
    result = run("content", "generate", "-a", "49", "-t", "人工智能", "--interval", "0.01")
    assert result.exit_code == 5 and "ended cancelled" in result.stderr


def test_exit_6_when_the_timeout_passes_while_waiting(api: FakeApi, run):
    api.on("GET", "/tasks/task-abc123def456", (200, task(status="running")))
    result = run("task", "watch", "task-abc123def456", "--interval", "0.05", "--timeout", "0.2")
    assert result.exit_code == 6
    assert "still running after 0.2 s (it keeps running)" in result.stderr


def test_exit_130_when_interrupted(api: FakeApi, run):
    api.on("GET", "/tasks/task-abc123def456", (200, task(status="running")))
    threading.Timer(0.3, _thread.interrupt_main).start()
    result = run("task", "watch", "task-abc123def456", "--interval", "0.05")
    assert result.exit_code == 130 and "interrupted" in result.stderr


def test_json_failure_prints_the_api_error_object_on_stdout(api: FakeApi, run):
    api.on("GET", "/tasks/task-000000000000", (404, NOT_FOUND))
    for args in (["--json", "task", "status", "task-000000000000"], ["task", "status", "task-000000000000", "--json"]):
        result = run(*args)
        assert result.exit_code == 3
        assert json.loads(result.stdout) == {
            "error": {"code": "task_not_found", "message": "task task-000000000000 does not exist", "http_status": 404}
        }
        assert result.stderr.count("\n") == 1 and "does not exist" in result.stderr


def test_json_failure_without_an_api_body_still_has_code_message_and_status(api: FakeApi, run):
    api.on("GET", "/tasks/task-abc123def456", (200, task(status="timed_out", error="no result after 1800 s")))
    watched = run("--json", "task", "watch", "task-abc123def456")
    assert watched.exit_code == 5
    error = json.loads(watched.stdout)["error"]
    assert error["code"] == "task_timed_out" and error["http_status"] is None
    assert "ended timed_out" in error["message"] and error["task"]["status"] == "timed_out"
    assert "%" not in watched.stderr  # no progress bar with --json

    usage = run("--json", "task", "list", "--status", "nope")
    assert usage.exit_code == 2 and json.loads(usage.stdout)["error"]["code"] == "usage_error"


def test_monitor_health_503_prints_the_report_and_exits_4(api: FakeApi, run):
    report = {
        "status": "unhealthy",
        "message": "a dependency is failing: tasks_table",
        "checks": {"tasks_table": {"status": "error", "reason": "ResourceNotFoundException"},
                   "intake_queue": {"status": "ok", "detail": "0 waiting"}},
        "as_of": "2026-11-30T08:00:00Z",
    }  # fmt: skip
    api.on("GET", "/health", (503, report, {"Retry-After": "0"}))
    result = run("monitor", "health", env={"CONTENTHUB_RETRIES": "0"})
    assert result.exit_code == 4
    assert "a dependency is failing: tasks_table" in result.stdout and "ResourceNotFoundException" in result.stdout
    assert "CHECK" in result.stdout and "intake_queue" in result.stdout
    assert "system unhealthy" in result.stderr

    as_json = run("monitor", "health", "--json", env={"CONTENTHUB_RETRIES": "0"})
    assert as_json.exit_code == 4 and json.loads(as_json.stdout) == report


def test_monitor_health_ok_exits_0(api: FakeApi, run):
    report = {
        "status": "healthy",
        "message": "system healthy, running normally",
        "checks": {"runner_heartbeat": {"status": "ok", "detail": "last heartbeat 3 s ago"}},
        "as_of": "x",
    }
    api.on("GET", "/health", (200, report))
    result = run("monitor", "health")
    assert result.exit_code == 0 and "system healthy, running normally" in result.stdout
