"""Schedules API on EventBridge Scheduler (moto), and firings through the local Scheduler adapter
with a moved clock: a schedule fires at its cron time, and the same firing delivered twice creates
nothing new."""

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from contenthub_local.scheduler import SchedulerAdapter
from tests.conftest import FakeLambdaContext, load_handler
from tests.integration.conftest import call, reset_caches

DAILY = {
    "name": "每日内容生成",
    "type": "async_content_generation",
    "cron": "0 8 * * *",
    "params": {"account_ids": [401], "count_per_account": 3},
}


@pytest.fixture(scope="module")
def api(stack):
    reset_caches()
    call(
        "POST",
        "/accounts",
        {"account_id": 401, "name": "scheduled", "topics": ["AI", "机器学习", "云", "数据"]},
    )
    call("POST", "/accounts", {"account_id": 402, "name": "no pool"})
    return load_handler("schedules"), load_handler("batch")


def test_create_show_list_pause_resume_delete(api):
    schedules, _ = api
    status, created, headers = call("POST", "/schedules", {**DAILY, "timezone": "Asia/Shanghai"})
    assert status == 201 and created["expression"] == "cron(0 8 * * ? *)" and created["state"] == "ENABLED"
    assert created["name"] == "每日内容生成" and created["next_fire_times"][0].endswith("T08:00:00+08:00")
    schedule_id = created["schedule_id"]
    remote = boto3.client("scheduler", region_name="us-east-1").get_schedule(Name=schedule_id)
    assert (
        remote["ScheduleExpression"] == "cron(0 8 * * ? *)" and remote["ScheduleExpressionTimezone"] == "Asia/Shanghai"
    )
    assert remote["Target"]["Arn"].endswith("ScheduledBatch") or ":function:" in remote["Target"]["Arn"]
    assert "<aws.scheduler.scheduled-time>" in remote["Target"]["Input"]
    assert schedule_id in [s["schedule_id"] for s in call("GET", "/schedules")[1]["schedules"]]
    paused = call("POST", f"/schedules/{schedule_id}/pause")[1]
    assert paused["state"] == "DISABLED" and paused["next_fire_times"] == []
    assert boto3.client("scheduler", region_name="us-east-1").get_schedule(Name=schedule_id)["State"] == "DISABLED"
    assert call("POST", f"/schedules/{schedule_id}/resume")[1]["state"] == "ENABLED"
    assert call("GET", f"/schedules/{schedule_id}")[1]["params"]["count_per_account"] == 3
    assert call("DELETE", f"/schedules/{schedule_id}")[0] == 204
    assert call("GET", f"/schedules/{schedule_id}")[0] == 404
    assert call("DELETE", f"/schedules/{schedule_id}")[0] == 404


@pytest.mark.parametrize(
    ("change", "status", "fragment"),
    [
        ({"cron": "0 8 * *"}, 422, "expected 5"),
        ({"cron": "61 8 * * *"}, 422, "invalid cron"),
        ({"cron": "0 8 1 * 1"}, 422, "only one of them"),
        ({"timezone": "Mars/Olympus"}, 422, "unknown timezone"),
        ({"type": "sync_generation"}, 422, "type"),
        ({"params": {"account_ids": [999997], "count_per_account": 3}}, 404, "account 999997 does not exist"),
        ({"params": {"account_ids": [402], "count_per_account": 1}}, 422, "no topic pool"),
        ({"params": {"account_ids": [401], "count_per_account": 0}}, 422, "count_per_account"),
        ({"name": "x" * 101}, 422, "name"),
    ],
)
def test_invalid_schedules_are_refused_at_create_time(api, change, status, fragment):
    schedules, _ = api
    before = len(call("GET", "/schedules")[1]["schedules"])
    got, body, _ = call("POST", "/schedules", {**DAILY, **change})
    assert got == status and fragment in body["error"]["message"], body
    assert len(call("GET", "/schedules")[1]["schedules"]) == before


def test_preview_lists_next_fire_times(api):
    schedules, _ = api
    body = call("GET", "/schedules/preview", query={"cron": "30 9 * * 1-5", "timezone": "UTC", "count": 3})[1]
    times = [datetime.fromisoformat(t) for t in body["fire_times"]]
    assert len(times) == 3 and all(t.weekday() < 5 and (t.hour, t.minute) == (9, 30) for t in times)
    assert call("GET", "/schedules/preview", query={"cron": "bad cron x y"})[0] == 422


def mine_fired(fired, schedule_id):
    return [f for f in fired if f[0] == schedule_id]  # other tests' one-time schedules may fire too


def test_schedule_fires_at_its_time_once_even_when_delivered_twice(api, stack):
    schedules, batch = api
    created = call("POST", "/schedules", DAILY)[1]
    schedule_id = created["schedule_id"]

    def invoke(arn, payload):
        return batch.main(payload, FakeLambdaContext(aws_request_id="scheduler"))

    adapter = SchedulerAdapter(boto3.client("scheduler", region_name="us-east-1"), invoke)
    start = datetime.now(UTC)
    adapter.tick(start)  # the adapter sees the schedule now; nothing is due yet
    assert not [f for f in adapter.fired if f[0] == schedule_id]
    eight = datetime.fromisoformat(created["next_fire_times"][0])
    fired = adapter.tick(eight + timedelta(seconds=30))  # the clock moves past 08:00 UTC
    assert (schedule_id, eight.strftime("%Y-%m-%dT%H:%M:%SZ")) in fired
    tasks = call("GET", "/tasks", query={"account_id": 401, "limit": 100})[1]["tasks"]
    mine = [t for t in tasks if t["source"] == f"schedule:{schedule_id}"]
    assert len(mine) == 3 and sorted(t["topic"] for t in mine) == sorted(["AI", "机器学习", "云"])
    assert mine_fired(adapter.tick(eight + timedelta(seconds=45)), schedule_id) == []  # same minute: nothing new

    # Scheduler is at-least-once: the same firing delivered again creates nothing.
    again = batch.main(
        {"schedule_id": schedule_id, "scheduled_time": eight.strftime("%Y-%m-%dT%H:%M:%SZ"), "execution_id": "another"},
        FakeLambdaContext(aws_request_id="again"),
    )
    assert again["created"] == 0 and sorted(again["task_ids"]) == sorted(t["task_id"] for t in mine)
    tasks = call("GET", "/tasks", query={"account_id": 401, "limit": 100})[1]["tasks"]
    assert len([t for t in tasks if t["source"] == f"schedule:{schedule_id}"]) == 3

    # The next day's firing uses the least recently used topics first.
    adapter.tick(eight + timedelta(days=1, seconds=30))
    tasks = call("GET", "/tasks", query={"account_id": 401, "limit": 100})[1]["tasks"]
    newest = [t for t in tasks if t["source"] == f"schedule:{schedule_id}"][:3]
    assert newest[-1]["topic"] == "数据" or "数据" in [t["topic"] for t in newest]
    assert call("GET", f"/schedules/{schedule_id}")[1]["last_fired_at"].startswith(
        (eight + timedelta(days=1)).strftime("%Y-%m-%dT08:00")
    )

    # Paused: the clock passes 08:00 and nothing fires.
    call("POST", f"/schedules/{schedule_id}/pause")
    assert mine_fired(adapter.tick(eight + timedelta(days=2, seconds=30)), schedule_id) == []


def test_run_now_fires_through_the_same_path(api):
    schedules, batch = api
    schedule_id = call(
        "POST",
        "/schedules",
        {**DAILY, "params": {"account_ids": [401], "count_per_account": 1, "topics": ["即时"]}},
    )[1]["schedule_id"]
    status, result, _ = call("POST", f"/schedules/{schedule_id}/run")
    assert status == 202 and result["created"] == 1 and result["tasks"][0]["topic"] == "即时"
    assert result["tasks"][0]["source"] == f"schedule:{schedule_id}"
    assert call("POST", "/schedules/batch-0000000000/run")[0] == 404
