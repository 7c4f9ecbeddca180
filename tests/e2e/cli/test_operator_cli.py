"""Every operator command of the old system, run as a user runs it (`contenthub …` in a
subprocess) against the local stack, output checked."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from datetime import datetime

import pytest
import requests

from tests.e2e.conftest import FAIL_PREFIX, RunningStack

pytestmark = pytest.mark.e2e
TASK_ID = re.compile(r"task-[0-9a-f]{12}")


def contenthub(stack: RunningStack, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "contenthub_cli", "--endpoint", stack.api_url, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def ok(stack: RunningStack, *args: str) -> str:
    result = contenthub(stack, *args)
    assert result.returncode == 0, f"{args}: {result.stderr}"
    return result.stdout


def as_json(stack: RunningStack, *args: str) -> dict:
    return json.loads(ok(stack, *args, "--json"))


def test_content_generate_async_then_task_watch(local_stack: RunningStack):
    out = ok(
        local_stack,
        *shlex.split("content generate -a 49 -t '人工智能发展趋势' --keywords 'AI,机器学习' --async --auto-approve"),
    )
    task_id = out.splitlines()[0]
    assert TASK_ID.fullmatch(task_id) and "task watch" in out
    watched = contenthub(local_stack, "task", "watch", task_id, "--interval", "0.2")
    assert watched.returncode == 0, watched.stderr
    assert "succeeded" in watched.stdout and "100%" in watched.stdout and "人工智能发展趋势" in watched.stdout
    assert "%" in watched.stderr  # the live progress bar
    status = as_json(local_stack, "task", "status", task_id)
    assert status["keywords"] == ["AI", "机器学习"] and status["auto_approve"] is True


def test_content_generate_waits_prints_the_article_then_review(local_stack: RunningStack):
    out = ok(
        local_stack,
        *shlex.split("content generate -a 49 -t '云计算成本' --keywords '云,成本' --no-auto-approve --interval 0.2"),
    )
    assert "# 云计算成本" in out and "draft" in out
    content_id = re.search(r"content-[0-9a-f]{12}-\d+", out).group(0)  # type: ignore[union-attr]
    assert content_id in ok(local_stack, "content", "list", "--account", "49", "--status", "draft", "--limit", "100")
    assert "云计算成本" in ok(local_stack, "content", "show", content_id)
    assert f"content {content_id} is approved" in ok(local_stack, "content", "approve", content_id)
    assert f"content {content_id} is rejected" in ok(local_stack, "content", "reject", content_id, "--note", "重复")
    assert as_json(local_stack, "content", "show", content_id)["review_note"] == "重复"


def test_task_list_pages_status_filter_stats_and_cleanup(local_stack: RunningStack):
    ids = [local_stack.submit(topic=f"list page {i}")["task_id"] for i in range(3)]
    first = ok(local_stack, "task", "list", "--account", "49", "--limit", "2")
    assert "TASK_ID" in first and "more: --cursor " in first
    cursor = first.split("more: --cursor ")[1].strip()
    second = ok(local_stack, "task", "list", "--account", "49", "--limit", "2", "--cursor", cursor)
    assert set(TASK_ID.findall(first)).isdisjoint(TASK_ID.findall(second))
    everything = as_json(local_stack, "task", "list", "--account", "49", "--all")["tasks"]
    assert set(ids) <= {t["task_id"] for t in everything}
    for task_id in ids:
        local_stack.wait_until_done(task_id)
    assert ids[0] in ok(local_stack, "task", "list", "--status", "succeeded", "--limit", "100")
    stats = ok(local_stack, "task", "stats")
    assert "success rate" in stats and "succeeded" in stats
    dry = ok(local_stack, "task", "cleanup", "--days", "1")
    assert dry.startswith("dry run: ") and "--yes" in dry
    assert "deleted 0 finished task(s)" in ok(local_stack, "task", "cleanup", "--days", "3650", "--yes")


def test_task_retry_keeps_history(local_stack: RunningStack):
    task_id = local_stack.submit(topic=f"{FAIL_PREFIX} retry me")["task_id"]
    local_stack.wait_until_done(task_id)
    assert f"task {task_id} queued again (attempt 2)" in ok(local_stack, "task", "retry", task_id)
    failed = contenthub(local_stack, "task", "watch", task_id, "--interval", "0.2")
    assert failed.returncode == 5 and f"task {task_id} ended failed" in failed.stderr  # exit 5: the task failed
    status = ok(local_stack, "task", "status", task_id)
    assert "history" in status and "attempt" in status
    assert as_json(local_stack, "task", "status", task_id)["history"][0]["status"] == "failed"
    again = contenthub(local_stack, "task", "cancel", task_id)
    assert again.returncode == 3 and "only pending or running tasks can be cancelled" in again.stderr  # 409


def test_task_cancel_stops_a_running_job(cli_stack: RunningStack):
    task_id = ok(cli_stack, "content", "generate", "-a", "49", "-t", "hang here", "--async").splitlines()[0]
    for _ in range(100):
        if cli_stack.task(task_id)["status"] == "running":
            break
    assert f"task {task_id} cancelled" in ok(cli_stack, "task", "cancel", task_id)
    task = cli_stack.task(task_id)
    assert task["status"] == "cancelled" and task["content_id"] is None
    assert "cancelled" in ok(cli_stack, "task", "status", task_id)


def test_monitor_commands(local_stack: RunningStack):
    failed_id = local_stack.submit(topic=f"{FAIL_PREFIX} for the monitor")["task_id"]
    local_stack.wait_until_done(failed_id)
    assert failed_id in ok(local_stack, "monitor", "recent", "--limit", "50")
    assert failed_id in ok(local_stack, "monitor", "failed")
    pending = ok(local_stack, "monitor", "pending")
    assert pending.startswith(("TASK_ID", "(none)"))
    daily = ok(local_stack, "monitor", "stats", "--days", "3")
    assert datetime.now().astimezone().strftime("%Y-") in daily and "SUCCESS_RATE" in daily
    metrics = ok(local_stack, "monitor", "metrics")
    assert "total tasks" in metrics and "success rate" in metrics and "system status" in metrics


def test_scheduler_lifecycle_and_firing(local_stack: RunningStack):
    # The old system's command, word for word.
    line = """scheduler create --name "每日内容生成" --type async_content_generation --cron "0 8 * * *"
              --params '{"account_ids": [49], "count_per_account": 3}'"""
    created = ok(local_stack, *shlex.split(line))
    schedule_id = re.search(r"batch-[0-9a-f]{10}", created).group(0)  # type: ignore[union-attr]
    assert "cron(0 8 * * ? *)" in created and "每日内容生成" in created
    assert schedule_id in ok(local_stack, "scheduler", "list")
    assert "ENABLED" in ok(local_stack, "scheduler", "show", schedule_id)
    preview = ok(local_stack, "scheduler", "preview", schedule_id, "--count", "3")
    assert preview.count("T08:00:00+00:00") == 3
    assert "T09:30:00+08:00" in ok(
        local_stack, "scheduler", "preview", "--cron", "30 9 * * 1-5", "--timezone", "Asia/Shanghai"
    )
    assert "DISABLED" in ok(local_stack, "scheduler", "pause", schedule_id)
    assert "ENABLED" in ok(local_stack, "scheduler", "resume", schedule_id)
    ran = ok(local_stack, "scheduler", "run-now", schedule_id)
    assert "3 task(s) created" in ran and len(TASK_ID.findall(ran)) == 3

    # The local stack fires due schedules; move its clock to just past the next 08:00 UTC.
    next_fire = datetime.fromisoformat(as_json(local_stack, "scheduler", "show", schedule_id)["next_fire_times"][0])
    clock = requests.post(f"{local_stack.api_url}/_local/scheduler/advance", json={"seconds": 0}, timeout=30).json()
    delta = (next_fire - datetime.fromisoformat(clock["now"])).total_seconds() + 30
    fired = requests.post(f"{local_stack.api_url}/_local/scheduler/advance", json={"seconds": delta}, timeout=60).json()
    assert {"schedule": schedule_id, "scheduled_time": next_fire.strftime("%Y-%m-%dT%H:%M:%SZ")} in fired["fired"]
    scheduled = [
        t
        for t in as_json(local_stack, "task", "list", "--account", "49", "--limit", "100")["tasks"]
        if t["source"] == f"schedule:{schedule_id}"
    ]
    assert len(scheduled) == 6  # run-now's 3 and the 08:00 firing's 3
    assert f"schedule {schedule_id} deleted" in ok(local_stack, "scheduler", "delete", schedule_id)
    gone = contenthub(local_stack, "scheduler", "show", schedule_id)
    assert gone.returncode == 3 and "does not exist" in gone.stderr  # 404


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (
            ["scheduler", "create", "--name", "x", "--cron", "0 8 * * *", "--params", "{account_ids: [49]}"],
            "--params is not valid JSON",
            2,  # a bad option value, caught before any request
        ),
        (
            ["scheduler", "create", "--name", "x", "--cron", "0 25 * * *", "--params", '{"account_ids": [49]}'],
            "invalid cron '0 25 * * *'",
            3,  # the API refused it (422)
        ),
        (
            [
                "scheduler",
                "create",
                "--name",
                "x",
                "--cron",
                "0 8 * * *",
                "--timezone",
                "Mars/Base",
                "--params",
                '{"account_ids": [49]}',
            ],
            "unknown timezone 'Mars/Base'",
            3,
        ),
        (
            [
                "scheduler",
                "create",
                "--name",
                "x",
                "--type",
                "nope",
                "--cron",
                "0 8 * * *",
                "--params",
                '{"account_ids": [49]}',
            ],
            "type",
            3,
        ),
        (["content", "generate", "-a", "987654", "-t", "x", "--async"], "account 987654 does not exist", 3),
        (["account", "show", "987654"], "(HTTP 404, account_not_found)", 3),
        (["account", "update", "49"], "nothing to update", 2),
    ],
)
def test_bad_input_is_one_clear_line(local_stack: RunningStack, args: list[str], message: str, code: int):
    result = contenthub(local_stack, *args)
    assert result.returncode == code and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    as_json = contenthub(local_stack, *args, "--json")
    assert as_json.returncode == code and json.loads(as_json.stdout)["error"]["message"]


def test_account_commands(local_stack: RunningStack):
    line = "account create --id 4901 --name 测试账号 --platform wechat --topics 人工智能,云计算 --daily-quota 5"
    line += " --language zh-CN"
    created = ok(local_stack, *shlex.split(line))
    assert "account 4901 created" in created and "测试账号" in created
    assert "4901" in ok(local_stack, "account", "list", "--all")
    shown = as_json(local_stack, "account", "show", "4901")
    assert shown["topics"] == ["人工智能", "云计算"] and shown["daily_quota"] == 5
    updated = as_json(local_stack, "account", "update", "4901", "--tone", "formal", "--clear", "language")
    assert updated["tone"] == "formal" and updated["language"] is None and updated["platform"] == "wechat"
    duplicate = contenthub(local_stack, "account", "create", "--id", "4901", "--name", "again")
    assert duplicate.returncode == 3 and "exists already" in duplicate.stderr  # 409


def test_idempotency_key_from_the_cli(local_stack: RunningStack):
    args = ["content", "generate", "-a", "49", "-t", "exactly once", "--async", "--idempotency-key", "cli-key-1"]
    assert ok(local_stack, *args).splitlines()[0] == ok(local_stack, *args).splitlines()[0]


def test_batch_history_and_bulk_retry(local_stack: RunningStack):
    account = "4950"
    ok(local_stack, "account", "create", "--id", account, "--name", "批量", "--topics", "人工智能")
    batch = as_json(local_stack, "task", "batch", "--accounts", account, "--count", "2",
                    "--topics", f"{FAIL_PREFIX} one,{FAIL_PREFIX} two", "--no-auto-approve")  # fmt: skip
    ids = [t["task_id"] for t in batch["tasks"]]
    assert batch["created"] == 2 and len(ids) == 2
    for task_id in ids:
        local_stack.wait_until_done(task_id)

    dry = ok(local_stack, "task", "retry", "--status", "failed", "--account", account, "--since", "1h")
    assert dry.startswith("dry run: would retry 2 failed task(s)") and set(ids) <= set(TASK_ID.findall(dry))
    assert {local_stack.task(i)["attempt"] for i in ids} == {1}  # a dry run changes nothing
    done = as_json(local_stack, "task", "retry", "--status", "failed", "--account", account, "--yes")
    assert sorted(t["task_id"] for t in done["done"]) == sorted(ids) and done["failed"] == []
    for task_id in ids:
        local_stack.wait_until_done(task_id)

    history = ok(local_stack, "task", "history", ids[0]).strip().splitlines()
    assert history[0].startswith("ATTEMPT") and [line.split()[0] for line in history[1:3]] == ["1", "2"]
    paths = [line for line in history if line.startswith("attempt ")]  # each attempt's state path
    assert len(paths) == 2 and all("MarkRunning → DispatchJob" in line for line in paths)
    attempts = as_json(local_stack, "task", "history", ids[0])["attempts"]
    assert [a["attempt"] for a in attempts] == [1, 2] and attempts[0]["status"] == "failed"
    # --since with a relative time: these tasks were created within the last hour, none a week ahead
    assert set(ids) <= {
        t["task_id"] for t in as_json(local_stack, "task", "list", "--since", "1h", "--limit", "100")["tasks"]
    }
    assert as_json(local_stack, "task", "list", "--until", "7d")["tasks"] == []


def test_health_exit_code_version_and_completion(local_stack: RunningStack):
    health = contenthub(local_stack, "monitor", "health", "--json")
    assert health.returncode == 0 and json.loads(health.stdout)["status"] in ("healthy", "degraded")
    version = contenthub(local_stack, "--version")
    assert version.returncode == 0 and version.stdout.startswith("contenthub ")
    for shell in ("bash", "zsh", "fish"):
        script = contenthub(local_stack, "completion", shell)
        assert script.returncode == 0 and "_CONTENTHUB_COMPLETE" in script.stdout
