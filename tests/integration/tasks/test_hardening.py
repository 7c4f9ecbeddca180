"""Defects of the hostile review (issue #12) in the submit, batch, schedule and result paths, on the
deployed template's tables in moto. Each test failed before its fix."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from contenthub import dal, services
from contenthub.dal.counters import Counter
from contenthub.errors import QuotaExceeded, TaskStateConflict
from contenthub.logic import batch
from contenthub.logic.results import ResultStores, end_attempt
from contenthub.logic.sweeper import sweep
from contenthub.models import AccountRecord, Article, BatchSubmitRequest, job_id_for, utc_now
from contenthub.settings import get_settings
from contenthub.states import ResultAction, TaskStatus
from tests.integration.conftest import call, drain, queue_messages, reset_caches


@pytest.fixture(scope="module")
def accounts(stack: dict[str, str]) -> dict[str, int]:
    reset_caches()
    ids = {"open": 701, "tight": 702, "pool": 703}
    call("POST", "/accounts", {"account_id": 701, "name": "open", "topics": ["a", "b"]})
    call("POST", "/accounts", {"account_id": 702, "name": "tight", "topics": ["t"], "daily_quota": 10})
    for extra in range(704, 710):
        call("POST", "/accounts", {"account_id": extra, "name": f"big {extra}", "topics": ["x"]})
    return ids


def stores() -> batch.BatchStores:
    return batch.BatchStores(dal.transactions(), dal.accounts(), dal.tasks(), services.intake_queue())


def tasks_of(account_id: int) -> list[dict[str, Any]]:
    return call("GET", "/tasks", query={"account_id": account_id, "limit": 100})[1]["tasks"]


def usage_today(account_id: int) -> int:
    return int(call("GET", f"/accounts/{account_id}")[1]["tasks_today"])


class StaleAccounts:
    """The accounts as a caller read them a moment ago: `stale` ones have since changed."""

    def __init__(self, real: dal.AccountRepository, stale: dict[int, AccountRecord]):
        self.real, self.stale = real, stale

    def get(self, account_id: int) -> AccountRecord | None:
        return self.stale.get(account_id) or self.real.get(account_id)


def test_a_firing_creates_at_most_the_remaining_quota_and_says_what_it_skipped(accounts):
    created = call(
        "POST",
        "/schedules",
        {"name": "big", "cron": "0 6 * * *", "params": {"account_ids": [702], "count_per_account": 8}},
    )
    assert created[0] == 201, created[1]
    schedule_id = created[1]["schedule_id"]
    call("PATCH", "/accounts/702", {"daily_quota": 3})  # lowered after the schedule was made
    status, fired, _ = call("POST", f"/schedules/{schedule_id}/run")
    assert status == 202 and fired["created"] == 3  # before: all 8, the first write of the day let any count in
    assert fired["skipped"] == [{"account_id": 702, "wanted": 8, "created": 3,
                                 "reason": fired["skipped"][0]["reason"]}]  # fmt: skip
    assert "daily quota 3" in fired["skipped"][0]["reason"] and usage_today(702) == 3
    shown = call("GET", f"/schedules/{schedule_id}")[1]
    assert shown["last_firing"]["created"] == 3 and shown["last_firing"]["skipped"][0]["wanted"] == 8
    again = call("POST", f"/schedules/{schedule_id}/run")[1]  # another firing the same day: nothing left
    assert again["created"] == 0 and again["skipped"][0]["created"] == 0 and usage_today(702) == 3


def test_schedules_over_a_quota_or_firing_too_often_are_refused(accounts):
    over = call("POST", "/schedules", {"name": "x", "cron": "0 6 * * *",
                                       "params": {"account_ids": [702], "count_per_account": 20}})  # fmt: skip
    assert over[0] == 422 and "over account 702's daily_quota" in over[1]["error"]["message"]
    every_minute = call("POST", "/schedules", {"name": "x", "cron": "* * * * *",
                                               "params": {"account_ids": [701], "count_per_account": 1}})  # fmt: skip
    assert every_minute[0] == 422 and "SCHEDULE_MIN_INTERVAL_MINUTES" in every_minute[1]["error"]["message"]
    assert "every 1 minute" in every_minute[1]["error"]["message"]
    quarter = call("POST", "/schedules", {"name": "x", "cron": "*/15 * * * *",
                                          "params": {"account_ids": [701], "count_per_account": 1}})  # fmt: skip
    assert quarter[0] == 201, quarter[1]  # every 15 minutes is the minimum, allowed
    call("DELETE", f"/schedules/{quarter[1]['schedule_id']}")


def test_a_batch_refused_for_a_later_account_leaves_nothing_behind(accounts):
    """One transaction: the stale read of 702 (no quota, seen before an operator set one) makes
    the whole transaction fail; 701's tasks and usage must not stay."""
    stale = dal.accounts().get(702).model_copy(update={"daily_quota": None, "usage": {}})  # type: ignore[union-attr]
    before = (len(tasks_of(701)), usage_today(701))
    stale_stores = batch.BatchStores(dal.transactions(), StaleAccounts(dal.accounts(), {702: stale}), dal.tasks(),
                                     services.intake_queue())  # type: ignore[arg-type]  # fmt: skip
    request = BatchSubmitRequest(account_ids=[701, 702], count_per_account=2)
    with pytest.raises((QuotaExceeded, TaskStateConflict)):
        batch.submit_batch(request, get_settings(), stale_stores)
    assert (len(tasks_of(701)), usage_today(701)) == before


def test_a_batch_over_100_items_is_withdrawn_when_a_later_account_is_refused(accounts, stack):
    """6 accounts × 20 tasks: one transaction per account; the last is refused, so the first five
    are withdrawn — no task, no usage, no count left."""
    call("PATCH", "/accounts/709", {"daily_quota": 25})
    stale = dal.accounts().get(709).model_copy(update={"daily_quota": None})  # type: ignore[union-attr]
    stale_stores = batch.BatchStores(dal.transactions(), StaleAccounts(dal.accounts(), {709: stale}), dal.tasks(),
                                     services.intake_queue())  # type: ignore[arg-type]  # fmt: skip
    counters = dal.counters()
    submitted = counters.read([Counter.SUBMITTED], utc_now())[Counter.SUBMITTED]
    before = {a: (len(tasks_of(a)), usage_today(a)) for a in range(704, 710)}
    drain(stack["IntakeQueueUrl"])
    request = BatchSubmitRequest(account_ids=list(range(704, 710)), count_per_account=20, topics=["x"])
    with pytest.raises((QuotaExceeded, TaskStateConflict)):
        batch.submit_batch(request, get_settings(), stale_stores)
    assert {a: (len(tasks_of(a)), usage_today(a)) for a in range(704, 710)} == before
    assert counters.read([Counter.SUBMITTED], utc_now())[Counter.SUBMITTED] == submitted
    assert queue_messages(stack["IntakeQueueUrl"]) == []  # nothing was queued


def test_a_batch_retried_with_the_same_key_creates_nothing_new(accounts):
    request = BatchSubmitRequest(account_ids=[701], count_per_account=2)
    first = batch.submit_batch(request, get_settings(), stores(), request_key="batch:order-1")
    again = batch.submit_batch(request, get_settings(), stores(), request_key="batch:order-1")
    assert first.created == 2 and again.created == 0
    assert [t.task_id for t in again.tasks] == [t.task_id for t in first.tasks]


def test_a_late_result_of_a_cancelled_attempt_does_not_end_the_retry(accounts, stack):
    task_id = call("POST", "/tasks", {"account_id": 701, "topic": "late"})[1]["task_id"]
    assert call("POST", f"/tasks/{task_id}/cancel")[0] == 200
    assert call("POST", f"/tasks/{task_id}/retry")[1]["attempt"] == 2
    key = f"articles/{task_id}/attempt-1.json"
    services.articles().put(key, Article(title="late", body="# late"))
    result_stores = ResultStores(
        dal.tasks(), dal.transactions(), dal.jobs(), dal.accounts(), dal.contents(), services.articles(),
        dal.generation_times(), dal.deliveries(), services.webhook_queue(),
    )  # fmt: skip
    state = {"task_id": task_id, "attempt": 1, "poll": {"status": "succeeded", "result_key": key}}
    result = end_attempt(ResultAction.STORE, state, get_settings(), result_stores)
    assert result.changed is False
    task = call("GET", f"/tasks/{task_id}")[1]
    assert task["status"] == "pending" and task["attempt"] == 2 and task["content_id"] is None
    assert dal.contents().get(f"content-{task_id[5:]}-1") is None  # attempt 1 stored nothing
    failed = end_attempt(ResultAction.FAIL, {"task_id": task_id, "attempt": 1, "poll": {"status": "failed",
                                                                                       "error": "late"}},
                         get_settings(), result_stores)  # fmt: skip
    assert failed.changed is False and call("GET", f"/tasks/{task_id}")[1]["status"] == "pending"
    assert dal.jobs().get(job_id_for(task_id, 2)) is None


def test_the_sweeper_requeues_a_lost_pending_task_then_fails_it_with_the_reason(accounts, stack):
    from contenthub.dal.transactions import AccountTasks
    from contenthub.logic.submit import new_task
    from contenthub.models import new_task_id

    now = utc_now()
    lost = new_task(new_task_id(), 701, "lost in transit", [], True, now)
    assert dal.transactions().submit([AccountTasks([lost])], now)  # stored, but its message never sent
    drain(stack["IntakeQueueUrl"])
    later = now + timedelta(minutes=20)
    settings = get_settings()
    args = (settings, dal.tasks(), dal.transactions(), services.orchestrator(), services.intake_queue())
    first = sweep(*args, now=later)
    assert lost.task_id in first.requeued
    bodies = [m["Body"] for m in queue_messages(stack["IntakeQueueUrl"])]
    assert any(lost.task_id in body for body in bodies)
    assert dal.tasks().get(lost.task_id).stage == "queued again: its intake message was lost"  # type: ignore[union-attr]
    second = sweep(*args, now=later + timedelta(minutes=20))
    assert lost.task_id in second.requeued
    third = sweep(*args, now=later + timedelta(minutes=40))
    assert lost.task_id in third.failed
    task = dal.tasks().get(lost.task_id)
    assert task is not None and task.status == TaskStatus.FAILED and "intake message was lost" in (task.error or "")
