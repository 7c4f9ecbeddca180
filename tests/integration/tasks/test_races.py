"""Every conditional write that guards quota or exactly-once, raced: both sides run at once, many
times, and the outcome is always one of the legal ones (issue #12, "the testing that finds the
next ones"). moto's writes are atomic here as DynamoDB's are (contenthub_local.moto_seams)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from contenthub import dal, services
from contenthub.dal.counters import Counter
from contenthub.errors import ContentHubError
from contenthub.logic import batch, submit
from contenthub.logic.results import ResultStores, end_attempt
from contenthub.logic.tasks import CancelStores, cancel_task, retry_task
from contenthub.models import Article, BatchSubmitRequest, SubmitTaskRequest, content_id_for, utc_now
from contenthub.settings import get_settings
from contenthub.states import ResultAction, TaskStatus
from contenthub_local import moto_seams
from tests.integration.conftest import call, reset_caches

ROUNDS = 8


def race(*sides: Callable[[], Any]) -> list[Any]:
    """Run every side at once (released together); each result, or the exception it raised."""
    start = threading.Barrier(len(sides))
    results: list[Any] = [None] * len(sides)

    def run(index: int, side: Callable[[], Any]) -> None:
        start.wait()
        try:
            results[index] = side()
        except Exception as error:  # noqa: BLE001 - a refusal is one of the outcomes
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, side)) for i, side in enumerate(sides)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture(scope="module")
def accounts(stack: dict[str, str]) -> None:
    reset_caches()
    for account_id in range(801, 801 + ROUNDS):
        call("POST", "/accounts", {"account_id": account_id, "name": f"race {account_id}", "topics": ["r"],
                                   "daily_quota": 3})  # fmt: skip
    call("POST", "/accounts", {"account_id": 899, "name": "race open", "topics": ["r"]})


def batch_stores() -> batch.BatchStores:
    return batch.BatchStores(dal.transactions(), dal.accounts(), dal.tasks(), services.intake_queue())


def result_stores() -> ResultStores:
    return ResultStores(
        dal.tasks(), dal.transactions(), dal.jobs(), dal.accounts(), dal.contents(), services.articles(),
        dal.generation_times(), dal.deliveries(), services.webhook_queue(),
    )  # fmt: skip


def cancel_stores() -> CancelStores:
    return CancelStores(dal.tasks(), dal.transactions(), dal.jobs(), services.orchestrator(), dal.accounts(),
                        dal.deliveries(), services.webhook_queue())  # fmt: skip


def test_the_daily_quota_holds_when_submits_race(accounts):
    for account_id in range(801, 801 + ROUNDS):
        request = SubmitTaskRequest(account_id=account_id, topic="race")

        def one(request: SubmitTaskRequest = request) -> Any:
            return submit.submit_task(request, get_settings(), dal.transactions(), services.intake_queue(),
                                      dal.accounts(), dal.tasks())  # fmt: skip

        results = race(*[one] * 5)
        accepted = [r for r in results if not isinstance(r, Exception)]
        refused = [r for r in results if isinstance(r, ContentHubError)]
        assert len(accepted) == 3 and len(refused) == 2, results  # never more than the quota
        assert {r.code for r in refused} == {"quota_exceeded"}
        assert call("GET", f"/accounts/{account_id}")[1]["tasks_today"] == 3


def test_two_batches_racing_for_the_last_quota_one_wins_whole(accounts):
    for round_ in range(ROUNDS):
        account_id = 801 + round_
        call("PATCH", f"/accounts/{account_id}", {"daily_quota": 5})  # 3 used above: room for one batch of 2
        request = BatchSubmitRequest(account_ids=[account_id, 899], count_per_account=2)
        side = partial(batch.submit_batch, request, get_settings(), batch_stores())
        results = race(side, side)
        won = [r for r in results if not isinstance(r, Exception)]
        assert len(won) == 1 and won[0].created == 4, results  # all or nothing, for both accounts
        assert call("GET", f"/accounts/{account_id}")[1]["tasks_today"] == 5


def running_task_with_result(account_id: int) -> tuple[str, dict[str, Any]]:
    task_id = call("POST", "/tasks", {"account_id": account_id, "topic": "race"})[1]["task_id"]
    key = f"articles/{task_id}/attempt-1.json"
    services.articles().put(key, Article(title="race", body="# race"))
    return task_id, {"task_id": task_id, "attempt": 1, "poll": {"status": "succeeded", "result_key": key}}


def test_cancel_racing_the_result_ends_in_exactly_one_state(accounts):
    for _ in range(ROUNDS):
        task_id, state = running_task_with_result(899)
        race(partial(cancel_task, task_id, get_settings(), cancel_stores()),
             partial(end_attempt, ResultAction.STORE, state, get_settings(), result_stores()))  # fmt: skip
        task = dal.tasks().get(task_id)
        assert task is not None and task.status in (TaskStatus.CANCELLED, TaskStatus.SUCCEEDED)
        content = dal.contents().get(content_id_for(task_id, 1))
        assert (content is not None) == (task.status == TaskStatus.SUCCEEDED)  # content iff succeeded


def test_a_retry_racing_a_late_result_never_lets_the_old_attempt_finish_the_new(accounts):
    for _ in range(ROUNDS):
        task_id, state = running_task_with_result(899)
        cancel_task(task_id, get_settings(), cancel_stores())
        race(partial(retry_task, task_id, dal.tasks(), dal.transactions(), services.intake_queue()),
             partial(end_attempt, ResultAction.STORE, state, get_settings(), result_stores()))  # fmt: skip
        task = dal.tasks().get(task_id)
        assert task is not None and task.attempt == 2 and task.status == TaskStatus.PENDING
        assert dal.contents().get(content_id_for(task_id, 1)) is None


def test_a_firing_delivered_twice_at_once_creates_its_tasks_once(accounts):
    for round_ in range(ROUNDS):
        request = BatchSubmitRequest(account_ids=[899], count_per_account=2)
        firing = f"batch-race@2026-11-28T{round_:02d}:00:00.000Z"
        side = partial(batch.fire_batch, request, get_settings(), batch_stores(), firing, "schedule:race", utc_now())
        results = race(side, side)
        ids = [sorted(t.task_id for t in r.tasks) for r in results if not isinstance(r, Exception)]
        created = sum(r.created for r in results if not isinstance(r, Exception))
        assert created == 2 and ids and all(i == ids[0] for i in ids), results


def test_concurrent_submits_conflict_on_counter_shards_retry_and_count_exactly_once(accounts):
    """With DynamoDB's TransactionConflict modelled (each transaction holds its items 30 ms), 20
    submits at once for 20 accounts collide on the 10 counter shards: every one is retried until
    it applies, none fails, and the sharded counts rise by exactly 20 (issue #15)."""
    for account_id in range(1101, 1121):
        call("POST", "/accounts", {"account_id": account_id, "name": f"shards {account_id}", "topics": ["r"]})
    counters, now = dal.counters(), utc_now()
    before = counters.read([Counter.SUBMITTED], now)[Counter.SUBMITTED]
    undo = moto_seams.make_dynamodb_atomic(hold_ms=30)
    try:
        sides = [partial(submit.submit_task, SubmitTaskRequest(account_id=account_id, topic="shards"), get_settings(),
                         dal.transactions(), services.intake_queue(), dal.accounts(), dal.tasks())
                 for account_id in range(1101, 1121)]  # fmt: skip
        results = race(*sides)
    finally:
        undo()
    assert [r for r in results if isinstance(r, Exception)] == []
    assert counters.read([Counter.SUBMITTED], now)[Counter.SUBMITTED] == before + 20
