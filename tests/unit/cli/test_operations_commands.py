"""control, dlq, task history and webhook endpoint commands against the fake API."""

from __future__ import annotations

import json

from tests.unit.cli.conftest import FakeApi

CONTROLS = {"generation_enabled": True, "max_concurrent_tasks": 5, "runner_slots": 5,
            "deployed": {"generation_enabled": True, "max_concurrent_tasks": 5, "runner_slots": 5},
            "parameters": {"generation_enabled": "/ContentHub/controls/ASYNC_CONTENT_GENERATION_ENABLED",
                           "max_concurrent_tasks": "/ContentHub/controls/ASYNC_MAX_CONCURRENT_TASKS",
                           "runner_slots": "/ContentHub/controls/ASYNC_WORKER_COUNT"},
            "takes_effect_within_seconds": 15, "as_of": "2026-11-30T08:00:00.000Z"}  # fmt: skip


def test_control_show_lists_each_control_with_its_deployed_value(api: FakeApi, run):
    api.on("GET", "/controls", (200, CONTROLS))
    result = run("control", "show")
    assert result.exit_code == 0
    assert "max concurrent tasks (cap)" in result.stdout and "/ContentHub/controls/ASYNC_WORKER_COUNT" in result.stdout


def test_pause_cap_and_slots_send_one_change_with_the_reason(api: FakeApi, run):
    change = {"at": "x", "who": "local", "control": "generation_enabled", "setting": "S", "old": "true", "new": "false"}
    api.on("PUT", "/controls", (200, {**CONTROLS, "generation_enabled": False, "changes": [change]}))
    result = run("control", "pause", "--reason", "provider outage")
    assert result.exit_code == 0 and "generation_enabled true → false" in result.stdout
    assert "within 15 s" in result.stdout
    assert run("control", "cap", "2").exit_code == 0
    assert run("control", "slots", "3").exit_code == 0
    assert run("control", "resume").exit_code == 0
    bodies = [seen.body for seen in api.requests("PUT", "/controls")]
    assert bodies == [{"generation_enabled": False, "reason": "provider outage"}, {"max_concurrent_tasks": 2},
                      {"runner_slots": 3}, {"generation_enabled": True}]  # fmt: skip
    assert run("control", "cap", "0").exit_code == 2  # usage: at least 1, before any request
    assert len(api.requests("PUT", "/controls")) == 4


def test_control_history_and_a_refusal_exit_3_with_the_json_error(api: FakeApi, run):
    api.on("GET", "/controls/history", (200, {"changes": [
        {"at": "2026-11-30T08:00:00.000Z", "who": "arn:aws:iam::1:user/alice", "control": "runner_slots",
         "setting": "ASYNC_WORKER_COUNT", "old": "5", "new": "3", "reason": None}]}))  # fmt: skip
    result = run("control", "history", "--limit", "5")
    assert result.exit_code == 0 and "arn:aws:iam::1:user/alice" in result.stdout
    assert api.requests("GET", "/controls/history")[0].query == {"limit": "5"}
    api.on("PUT", "/controls", (422, {"error": {"code": "validation_error", "message": "runner_slots: too big"}}))
    refused = run("--json", "control", "slots", "999")
    assert refused.exit_code == 3 and json.loads(refused.stdout)["error"]["code"] == "validation_error"


LETTER = {"message_id": "m-1", "queue": "intake", "task_id": "task-abc123def456", "attempt": 1, "delivery_id": None,
          "task_status": "pending", "receive_count": 3, "source": "ContentHub-Intake",
          "reason": "received 3 time(s) from ContentHub-Intake without being processed", "sent_at": "x",
          "age_seconds": 42, "body": "{}"}  # fmt: skip


def test_dlq_list_and_peek(api: FakeApi, run):
    api.on("GET", "/dlq", (200, {"queues": [{"name": "intake", "source": "ContentHub-Intake", "count": 1,
                                             "in_flight": 0, "can_fail_tasks": True}]}))  # fmt: skip
    api.on("GET", "/dlq/intake/messages", (200, {"queue": "intake", "count": 1, "messages": [LETTER]}))
    listed = run("dlq", "list")
    assert listed.exit_code == 0 and "ContentHub-Intake" in listed.stdout
    peeked = run("dlq", "peek", "intake")
    assert peeked.exit_code == 0 and "task-abc123def456" in peeked.stdout and "received 3 time(s)" in peeked.stdout
    assert run("dlq", "peek", "nowhere").exit_code == 2


def test_dlq_redrive_needs_ids_or_yes_and_fail_tasks_sends_the_reason(api: FakeApi, run):
    api.on("POST", "/dlq/intake/redrive", (200, {"queue": "intake", "moved": ["m-1"], "not_found": ["m-9"]}))
    api.on("POST", "/dlq/intake/fail", (200, {"queue": "intake", "not_found": [], "tasks": [
        {"message_id": "m-1", "task_id": "task-abc123def456", "outcome": "failed"}]}))  # fmt: skip
    refused = run("dlq", "redrive", "intake")
    assert refused.exit_code == 2 and "--yes" in refused.stderr and not api.requests("POST")
    some = run("dlq", "redrive", "intake", "--ids", "m-1,m-9")
    assert some.exit_code == 0 and "1 message(s) sent back" in some.stdout and "m-9" in some.stdout
    assert run("dlq", "redrive", "intake", "--yes").exit_code == 0
    failed = run("dlq", "redrive", "intake", "--fail-tasks", "--reason", "bad brief", "--yes")
    assert failed.exit_code == 0 and "1 task(s) failed" in failed.stdout
    assert [s.body for s in api.requests("POST")] == [
        {"message_ids": ["m-1", "m-9"]}, {"all": True}, {"all": True, "reason": "bad brief"},
    ]  # fmt: skip


def test_task_history_shows_each_attempt_with_its_state_path(api: FakeApi, run):
    names = ["MarkRunning", "DispatchJob", "WaitFirst", "Poll", "WaitPoll", "Poll", "HandleResult"]
    states = [{"name": n, "type": "Task", "entered_at": "x", "exited_at": "x"} for n in names]
    attempt = {"attempt": 1, "status": "succeeded", "error": None, "started_at": "x", "finished_at": "y",
               "execution_name": "task-abc123def456", "execution_arn": "arn", "execution_status": "SUCCEEDED",
               "states": states, "states_truncated": False, "runner_id": "r",
               "timings": {"queued_seconds": 1.5, "generating_seconds": 2.25, "storing_seconds": 0.1}}  # fmt: skip
    api.on("GET", "/tasks/task-abc123def456/history", (200, {"task_id": "task-abc123def456", "status": "succeeded",
                                                             "created_at": "x", "attempts": [attempt]}))  # fmt: skip
    result = run("task", "history", "task-abc123def456")
    assert result.exit_code == 0, result.stderr
    assert "MarkRunning → DispatchJob → WaitFirst → Poll ×2 → WaitPoll → HandleResult" in result.stdout
    assert "2.25" in result.stdout


def test_webhook_endpoint_list_and_enable(api: FakeApi, run):
    key = "0123456789abcdef01234567"
    gone = {"key": key, "url": "https://hooks.example.com/x", "disabled_at": "x", "reason": "HTTP 410 Gone"}
    api.on("GET", "/webhooks/endpoints", (200, {"endpoints": [gone]}))
    api.on("POST", f"/webhooks/endpoints/{key}/enable",
           (200, {"key": key, "url": "https://hooks.example.com/x", "enabled": True,
                  "disabled_deliveries": ["msg_abc123def456_1_succeeded"]}))  # fmt: skip
    listed = run("webhook", "endpoint", "list")
    assert listed.exit_code == 0 and key in listed.stdout
    enabled = run("webhook", "endpoint", "enable", key)
    assert enabled.exit_code == 0 and "contenthub webhook redeliver msg_abc123def456_1_succeeded" in enabled.stdout
    api.on("POST", "/webhooks/endpoints/ffffffffffffffffffffffff/enable",
           (404, {"error": {"code": "endpoint_not_disabled", "message": "no disabled webhook endpoint"}}))  # fmt: skip
    assert run("webhook", "endpoint", "enable", "ffffffffffffffffffffffff").exit_code == 3
