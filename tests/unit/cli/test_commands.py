"""Commands against the fake API: the seed's command lines verbatim, and the new script-friendly ones."""

from __future__ import annotations

import json
import shlex
from datetime import UTC, datetime, timedelta

import pytest

from tests.unit.cli.conftest import FakeApi, task

SCHEDULE = {"schedule_id": "batch-1a2b3c4d5e", "name": "每日内容生成", "type": "async_content_generation",
            "state": "ENABLED", "cron": "0 8 * * *", "timezone": "UTC", "expression": "cron(0 8 * * ? *)",
            "params": {"account_ids": [49], "count_per_account": 3},
            "next_fire_times": ["2026-12-01T08:00:00+00:00"], "last_fired_at": None, "created_at": "x"}  # fmt: skip


def test_seed_generate_async_auto_approve(api: FakeApi, run):
    api.on("POST", "/tasks", (202, task(status="pending")))
    line = 'content generate -a 49 -t "人工智能" --keywords "AI,机器学习" --async --auto-approve'
    result = run(*shlex.split(line))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "task-abc123def456" and "task watch" in result.stdout
    [sent] = api.requests("POST", "/tasks")
    assert sent.body == {"account_id": 49, "topic": "人工智能", "keywords": ["AI", "机器学习"], "auto_approve": True}


def test_seed_generate_no_auto_approve_waits_and_prints_the_article(api: FakeApi, run):
    api.on("POST", "/tasks", (202, task(status="pending")))
    api.on("GET", "/tasks/task-abc123def456", (200, task(status="running")), (200, task()))
    article = {"content_id": "content-abc123def456-1", "status": "draft", "account_id": 49, "title": "人工智能",
               "body": "正文", "generation_task_id": "task-abc123def456", "created_at": "x"}  # fmt: skip
    api.on("GET", "/contents/content-abc123def456-1", (200, article))
    result = run(*shlex.split('content generate -a 49 -t "人工智能" --no-auto-approve --interval 0.01'))
    assert result.exit_code == 0, result.stderr
    assert "# 人工智能" in result.stdout and "正文" in result.stdout and "draft" in result.stdout
    assert "waiting for the article" in result.stderr and "100%" in result.stderr  # the bar, on stderr
    assert api.requests("POST", "/tasks")[0].body["auto_approve"] is False


def test_seed_scheduler_create(api: FakeApi, run):
    api.on("POST", "/schedules", (201, SCHEDULE))
    line = """scheduler create --name "每日内容生成" --type async_content_generation --cron "0 8 * * *"
              --params '{"account_ids": [49], "count_per_account": 3}'"""
    result = run(*shlex.split(line))
    assert result.exit_code == 0 and "schedule batch-1a2b3c4d5e created" in result.stdout
    assert "cron(0 8 * * ? *)" in result.stdout
    assert api.requests("POST", "/schedules")[0].body == {
        "name": "每日内容生成", "type": "async_content_generation", "cron": "0 8 * * *", "timezone": "UTC",
        "params": {"account_ids": [49], "count_per_account": 3}, "enabled": True,
    }  # fmt: skip


@pytest.mark.parametrize("command", ["metrics", "recent", "failed", "pending", "stats", "health"])
def test_seed_monitor_commands(api: FakeApi, run, command: str):
    api.on("GET", "/metrics", (200, {"total_tasks": 9, "tasks_today": 2, "in_flight": 1, "success_rate": 0.75,
                                     "system_status": "healthy"}))  # fmt: skip
    api.on("GET", "/tasks", (200, {"tasks": [task(status="failed")], "next_cursor": None}))
    api.on("GET", "/stats", (200, {"days": [{"date": "2026-11-30", "submitted": 4, "succeeded": 3, "failed": 1,
                                             "timed_out": 0, "cancelled": 0, "success_rate": 0.75}]}))  # fmt: skip
    api.on("GET", "/health", (200, {"status": "healthy", "message": "system healthy, running normally",
                                    "checks": {"tasks_table": {"status": "ok", "detail": "ACTIVE"}}}))  # fmt: skip
    result = run("monitor", command)
    assert result.exit_code == 0, result.stderr
    expected = {"metrics": "success rate   75.0%", "recent": "task-abc123def456", "failed": "task-abc123def456",
                "pending": "task-abc123def456", "stats": "SUCCESS_RATE", "health": "system healthy"}  # fmt: skip
    assert expected[command] in result.stdout


def test_since_24h_becomes_an_iso_time_in_the_query(api: FakeApi, run):
    api.on("GET", "/tasks", (200, {"tasks": [], "next_cursor": None}))
    assert run("task", "list", "--since", "24h", "--until", "30m", "--status", "failed").exit_code == 0
    [seen] = api.requests("GET", "/tasks")
    since = datetime.strptime(seen.query["since"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    until = datetime.strptime(seen.query["until"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    now = datetime.now(UTC)
    assert abs((now - timedelta(hours=24) - since).total_seconds()) < 60
    assert abs((now - timedelta(minutes=30) - until).total_seconds()) < 60
    assert seen.query["status"] == "failed"


def test_iso_since_is_passed_on_unchanged(api: FakeApi, run):
    api.on("GET", "/tasks", (200, {"tasks": [], "next_cursor": None}))
    run("task", "list", "--since", "2026-11-01T00:00:00Z")
    assert api.requests("GET", "/tasks")[0].query["since"] == "2026-11-01T00:00:00Z"


def test_task_history_lists_every_attempt(api: FakeApi, run):
    def attempt(n: int, status: str, error: str | None) -> dict:
        return {"attempt": n, "status": status, "error": error, "started_at": "a", "finished_at": "b",
                "execution_name": "e", "execution_arn": "arn", "execution_status": None, "states": [],
                "states_truncated": False, "runner_id": None,
                "timings": {"queued_seconds": None, "generating_seconds": None, "storing_seconds": None}}  # fmt: skip

    attempts = [attempt(1, "failed", "creator exited with 1"), attempt(2, "succeeded", None)]
    found = {"task_id": "task-abc123def456", "status": "succeeded", "created_at": "x", "attempts": attempts}
    api.on("GET", "/tasks/task-abc123def456/history", (200, found))
    human = run("task", "history", "task-abc123def456")
    assert human.exit_code == 0
    lines = human.stdout.splitlines()
    assert lines[0].split()[:2] == ["ATTEMPT", "STATUS"] and "creator exited with 1" in lines[1]
    assert lines[2].split()[:2] == ["2", "succeeded"]
    data = json.loads(run("task", "history", "task-abc123def456", "--json").stdout)
    assert [a["attempt"] for a in data["attempts"]] == [1, 2]


def test_task_batch_posts_the_batch(api: FakeApi, run):
    created = [task(f"task-00000000000{i}", "pending") for i in range(4)]
    api.on("POST", "/tasks/batch", (202, {"tasks": created, "created": 4}))
    result = run("task", "batch", "--accounts", "49,50", "--count", "2", "--topics", "人工智能,云计算",
                 "--keywords", "AI", "--no-auto-approve")  # fmt: skip
    assert result.exit_code == 0 and "4 task(s) created" in result.stdout and "task-000000000003" in result.stdout
    assert api.requests("POST", "/tasks/batch")[0].body == {
        "account_ids": [49, 50], "count_per_account": 2, "topics": ["人工智能", "云计算"], "keywords": ["AI"],
        "auto_approve": False,
    }  # fmt: skip
    assert run("task", "batch", "--accounts", "49,x").exit_code == 2


def _two_pages(api: FakeApi, status: str) -> None:
    first = [task("task-000000000001", status), task("task-000000000002", status)]
    api.on("GET", "/tasks", (200, {"tasks": first, "next_cursor": "page2"}),
           (200, {"tasks": [task("task-000000000003", status)], "next_cursor": None}))  # fmt: skip


def test_bulk_retry_without_yes_only_says_what_it_would_do(api: FakeApi, run):
    _two_pages(api, "failed")
    result = run("task", "retry", "--status", "failed", "--account", "49", "--since", "24h")
    assert result.exit_code == 0
    assert result.stdout.startswith("dry run: would retry 3 failed task(s)") and "task-000000000003" in result.stdout
    assert api.requests("POST") == []
    listed = api.requests("GET", "/tasks")
    assert [s.query.get("cursor") for s in listed] == [None, "page2"]
    assert listed[0].query["account_id"] == "49" and listed[0].query["status"] == "failed"


def test_bulk_retry_with_yes_retries_each_and_reports_refusals(api: FakeApi, run):
    _two_pages(api, "failed")
    for i in (1, 3):
        api.on("POST", f"/tasks/task-00000000000{i}/retry", (202, task(f"task-00000000000{i}", "pending", attempt=2)))
    api.on("POST", "/tasks/task-000000000002/retry",
           (409, {"error": {"code": "task_state_conflict", "message": "already retried"}}))  # fmt: skip
    result = run("task", "retry", "--status", "failed", "--yes", "--json")
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert [t["task_id"] for t in data["done"]] == ["task-000000000001", "task-000000000003"]
    assert data["failed"][0]["task_id"] == "task-000000000002"
    assert "task-000000000002: already retried" in result.stderr


def test_bulk_cancel(api: FakeApi, run):
    api.on("GET", "/tasks", (200, {"tasks": [task("task-000000000001", "running")], "next_cursor": None}))
    api.on("POST", "/tasks/task-000000000001/cancel", (200, task("task-000000000001", "cancelled")))
    result = run("task", "cancel", "--status", "running", "--yes")
    assert result.exit_code == 0 and "1 of 1 running task(s) cancelled" in result.stdout


def test_cancel_needs_an_id_or_a_status(api: FakeApi, run):
    assert run("task", "cancel").exit_code == 2
    assert run("task", "cancel", "task-abc123def456", "--status", "running").exit_code == 2
    assert run("task", "cancel", "--status", "failed").exit_code == 2  # only running or pending
    assert api.seen == []


def test_global_options_before_and_after_the_command(api: FakeApi, run):
    api.on("GET", "/tasks/stats", (200, {"total_tasks": 1, "by_status": {"succeeded": 1}, "retried": 0,
                                         "today": {"submitted": 1, "succeeded": 1}, "success_rate": 1.0}))  # fmt: skip
    for args in (["--json", "task", "stats"], ["task", "stats", "--json"], ["task", "--json", "stats"]):
        assert json.loads(run(*args).stdout)["total_tasks"] == 1
    after = run("task", "stats", "--endpoint", api.url, endpoint=False)
    assert after.exit_code == 0 and "success rate" in after.stdout


def test_account_update_sends_only_the_given_fields(api: FakeApi, run):
    account = {"account_id": 49, "name": "科技博客", "tone": "formal", "language": None}
    api.on("PATCH", "/accounts/49", (200, account))
    result = run(*shlex.split("account update 49 --tone formal --clear language --no-webhook-enabled"))
    assert result.exit_code == 0 and "account 49 updated" in result.stdout
    assert api.requests("PATCH")[0].body == {"tone": "formal", "webhook_enabled": False, "language": None}
    assert run("account", "update", "49").exit_code == 2
