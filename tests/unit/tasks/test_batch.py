"""POST /tasks/batch (contenthub.logic.batch.submit_batch, all or nothing) and schedule firings
(fire_batch, at most each account's remaining quota) on the fakes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from contenthub.dal import AccountTasks
from contenthub.dal.transactions import MAX_ITEMS, transaction_size
from contenthub.errors import AccountNotFound, QueueUnavailable, QuotaExceeded
from contenthub.logic.batch import fire_batch, submit_batch
from contenthub.models import BatchResult, BatchSubmitRequest, FiringSkip, iso
from contenthub.settings import Settings
from contenthub.states import TaskStatus
from tests.fixtures.entities import NOW, TODAY, account, task
from tests.fixtures.fakes import Fakes

SETTINGS = Settings(ASYNC_CONTENT_GENERATION_ENABLED=True, ASYNC_AUTO_APPROVE=True)
FIRING = "batch-0123456789@2026-11-28T08:00:00.000Z"
SOURCE = "schedule:batch-0123456789"


@pytest.fixture
def fakes() -> Fakes:
    fakes = Fakes()
    # Account 1's pool: "c" never used, then "b" (used longest ago), then "a".
    fakes.db.add_account(
        account(
            1,
            topics=["a", "b", "c"],
            topic_last_used={"a": "2026-11-27T08:00:00.000Z", "b": "2026-11-26T08:00:00.000Z"},
        )  # fmt: skip
    )
    fakes.db.add_account(account(2, topics=["x", "y"]))
    return fakes


def request(**body: object) -> BatchSubmitRequest:
    return BatchSubmitRequest.model_validate({"account_ids": [1, 2], "count_per_account": 2, **body})


def batch(fakes: Fakes, request_key: str | None = None, **body: object) -> BatchResult:
    return submit_batch(request(**body), SETTINGS, fakes.batch_stores(), NOW, request_key=request_key)


def fire(fakes: Fakes, firing: str = FIRING, **body: object) -> BatchResult:
    return fire_batch(request(**body), SETTINGS, fakes.batch_stores(), firing, SOURCE, NOW)


def stored_tasks(fakes: Fakes) -> list[tuple[str, int, TaskStatus]]:
    found = [fakes.tasks.get(task_id) for task_id in fakes.db.tasks]
    return [(t.task_id, t.account_id, t.status) for t in found if t is not None]


def topics_of(fakes: Fakes, account_id: int) -> list[str]:
    stored = [fakes.tasks.get(task_id) for task_id in fakes.db.tasks]
    return [t.topic for t in stored if t is not None and t.account_id == account_id]


def queued_ids(fakes: Fakes) -> list[str]:
    return [str(body["task_id"]) for body in fakes.intake.bodies]


def assert_nothing_accepted(fakes: Fakes, *account_ids: int) -> None:
    """No task, no queued message, no usage and no count: as if the batch had never come."""
    assert fakes.db.tasks == {} and fakes.intake.sent == []
    assert fakes.db.counter("submitted") == 0 and fakes.db.counter(f"submitted:{TODAY}") == 0
    assert {a: fakes.accounts.require(a).used_on(TODAY) for a in account_ids} == dict.fromkeys(account_ids, 0)


def another_submit_takes_the_quota(fakes: Fakes, account_id: int) -> Callable[[], None]:
    """Between the batch's checks and its writes, another submit uses up `account_id`'s quota: the
    transaction that includes that account is refused. Returns a check that it happened."""
    submit = fakes.transactions.submit
    raced: list[bool] = []

    def racing(groups: list[AccountTasks], now: object) -> bool:
        if not raced and any(g.account_id == account_id for g in groups):
            limit = fakes.db.accounts[account_id]["daily_quota"]
            fakes.db.accounts[account_id]["usage"][TODAY] = limit
            raced.append(True)
        return submit(groups, now)  # type: ignore[arg-type]

    fakes.transactions.submit = racing  # type: ignore[method-assign]
    return lambda: None if raced == [True] else pytest.fail("the race never happened")


# -- POST /tasks/batch ---------------------------------------------------------------------------
def test_accounts_times_count_tasks_with_pool_topics_least_recently_used_first(fakes: Fakes) -> None:
    result = batch(fakes)
    assert result.created == 4 and len(result.tasks) == 4 and result.skipped == []
    assert all(t.status == TaskStatus.PENDING and t.source == "batch" for t in result.tasks)
    assert topics_of(fakes, 1) == ["c", "b"] and topics_of(fakes, 2) == ["x", "y"]
    assert queued_ids(fakes) == [t.task_id for t in result.tasks]
    assert fakes.accounts.require(1).used_on(TODAY) == 2 and fakes.db.counter("submitted") == 4
    # The topics just used go to the back of the pool: the next batch starts with "a".
    assert fakes.accounts.require(1).topic_last_used == {
        "a": "2026-11-27T08:00:00.000Z", "b": "2026-11-28T09:00:00.001Z", "c": iso(NOW),
    }  # fmt: skip
    batch(fakes, account_ids=[1])
    assert topics_of(fakes, 1)[2:] == ["a", "c"]


def test_given_topics_are_used_in_turn_and_leave_the_pool_untouched(fakes: Fakes) -> None:
    result = batch(fakes, account_ids=[2], count_per_account=3, topics=["p", "q"])
    assert [t.topic for t in result.tasks] == ["p", "q", "p"]
    assert fakes.accounts.require(2).topic_last_used == {}


def test_a_missing_account_refuses_the_whole_batch_before_anything_is_created(fakes: Fakes) -> None:
    with pytest.raises(AccountNotFound, match="999"):
        batch(fakes, account_ids=[1, 999])
    assert_nothing_accepted(fakes, 1)


def test_an_account_over_quota_refuses_the_whole_batch_before_anything_is_created(fakes: Fakes) -> None:
    fakes.db.add_account(account(2, topics=["x"], daily_quota=3, usage={TODAY: 2}))
    with pytest.raises(QuotaExceeded, match="account 2"):
        batch(fakes)
    assert_nothing_accepted(fakes, 1)
    assert fakes.accounts.require(2).used_on(TODAY) == 2


def test_a_batch_refused_for_a_later_account_leaves_nothing_for_the_earlier_ones(fakes: Fakes) -> None:
    """One transaction (the batch fits in MAX_ITEMS): refused as a whole."""
    fakes.db.add_account(account(2, topics=["x", "y"], daily_quota=5))
    raced = another_submit_takes_the_quota(fakes, 2)
    with pytest.raises(QuotaExceeded, match="account 2"):
        batch(fakes)
    raced()
    assert_nothing_accepted(fakes, 1)
    assert fakes.accounts.require(1).topic_last_used == {
        "a": "2026-11-27T08:00:00.000Z", "b": "2026-11-26T08:00:00.000Z",
    }  # fmt: skip


def pools_of_20(fakes: Fakes, *account_ids: int) -> None:
    """Accounts whose topic pool has a topic for each of 20 tasks (some used before)."""
    for account_id in account_ids:
        used = {"t0": "2026-11-20T08:00:00.000Z", "t7": "2026-11-21T08:00:00.000Z"}
        fakes.db.add_account(account(account_id, topics=[f"t{n}" for n in range(20)], topic_last_used=used))


def test_a_batch_over_one_transaction_refused_for_a_later_account_withdraws_the_earlier_ones(fakes: Fakes) -> None:
    """Over MAX_ITEMS: one transaction per account, the stored ones withdrawn when a later one is refused."""
    ids = [3, 4, 6, 7, 5]
    pools_of_20(fakes, 3, 4, 6, 7)
    fakes.db.add_account(account(5, topics=["only"], daily_quota=20))
    assert transaction_size([AccountTasks([task(account_id=a)] * 20) for a in ids]) > MAX_ITEMS
    raced = another_submit_takes_the_quota(fakes, 5)
    with pytest.raises(QuotaExceeded, match="account 5"):
        batch(fakes, account_ids=ids, count_per_account=20)
    raced()
    assert_nothing_accepted(fakes, 3, 4, 6, 7)
    # The pool topics' last use is put back as it was.
    assert {fakes.accounts.require(a).topic_last_used["t7"] for a in (3, 4, 6, 7)} == {"2026-11-21T08:00:00.000Z"}
    assert {len(fakes.accounts.require(a).topic_last_used) for a in (3, 4, 6, 7)} == {2}


def test_a_refused_batch_is_withdrawn_when_a_pool_topic_was_used_twice(fakes: Fakes) -> None:
    ids = [1, 2, 3, 4, 5]  # accounts 1 and 2 have pools of 3 and 2 topics for 20 tasks each
    pools_of_20(fakes, 3, 4)
    fakes.db.add_account(account(5, topics=["only"], daily_quota=20))
    raced = another_submit_takes_the_quota(fakes, 5)
    with pytest.raises(QuotaExceeded, match="account 5"):
        batch(fakes, account_ids=ids, count_per_account=20)
    raced()
    assert_nothing_accepted(fakes, 1, 2, 3, 4)
    assert fakes.accounts.require(1).topic_last_used == {
        "a": "2026-11-27T08:00:00.000Z", "b": "2026-11-26T08:00:00.000Z",
    }  # fmt: skip


def test_a_batch_retried_with_the_same_request_key_creates_nothing_new(fakes: Fakes) -> None:
    first = batch(fakes, request_key="batch:key-1")
    sent = len(fakes.intake.sent)
    fakes.db.tasks[first.tasks[0].task_id]["status"] = TaskStatus.RUNNING.value  # dispatched meanwhile
    again = batch(fakes, request_key="batch:key-1")
    assert first.created == 4 and again.created == 0
    assert [t.task_id for t in again.tasks] == [t.task_id for t in first.tasks]
    assert len(fakes.db.tasks) == 4 and fakes.db.counter("submitted") == 4
    assert fakes.accounts.require(1).used_on(TODAY) == 2 and fakes.accounts.require(2).used_on(TODAY) == 2
    # What still waits is queued again (the dispatcher ignores repeats); the running one is not.
    assert queued_ids(fakes)[sent:] == [t.task_id for t in first.tasks[1:]]
    # Another key is another batch.
    assert batch(fakes, request_key="batch:key-2").created == 4


UNAVAILABLE = "could not enqueue the message: the intake queue does not answer"


def test_a_queue_failure_in_a_batch_leaves_no_task_pending_with_nothing_queued(fakes: Fakes) -> None:
    fakes.intake.unavailable = "the intake queue does not answer"
    with pytest.raises(QueueUnavailable) as failed:
        batch(fakes, account_ids=[1], count_per_account=3)
    assert failed.value.http_status == 503
    assert "0 of 3 tasks were queued" in failed.value.message
    stored = [fakes.tasks.get(task_id) for task_id in fakes.db.tasks]
    assert len(stored) == 3
    stranded = [t.task_id for t in stored if t is not None and t.status == TaskStatus.PENDING]
    assert stranded == [], f"pending, never queued: {stranded}"
    # Each ended failed with the reason, at the batch's time, as a single submit's task does.
    assert {(t.status, t.error, t.finished_at) for t in stored if t is not None} == {
        (TaskStatus.FAILED, UNAVAILABLE, iso(NOW))
    }
    assert fakes.db.counter("failed") == 3 and fakes.db.counter("submitted") == 3


def test_when_the_queue_fails_mid_batch_the_queued_tasks_run_and_the_rest_end_failed(fakes: Fakes) -> None:
    send = fakes.intake.send

    def failing_after_one(body: dict[str, object], delay_seconds: int = 0) -> None:
        if fakes.intake.sent:
            fakes.intake.unavailable = "the intake queue does not answer"
        send(body, delay_seconds)

    fakes.intake.send = failing_after_one  # type: ignore[method-assign]
    with pytest.raises(QueueUnavailable, match="1 of 4 tasks were queued and will run, the other 3 ended failed"):
        batch(fakes)
    [queued] = queued_ids(fakes)
    statuses = {task_id: (t.status, t.error) for task_id in fakes.db.tasks if (t := fakes.tasks.get(task_id))}
    assert statuses.pop(queued) == (TaskStatus.PENDING, None)
    assert set(statuses.values()) == {(TaskStatus.FAILED, UNAVAILABLE)} and len(statuses) == 3


# -- schedule firings ----------------------------------------------------------------------------
def test_a_repeated_firing_creates_nothing_new_and_returns_the_same_tasks(fakes: Fakes) -> None:
    first = fire(fakes)
    assert first.created == 4 and all(t.source == SOURCE for t in first.tasks)
    # One task has been dispatched meanwhile; the others still wait.
    started = first.tasks[0].task_id
    fakes.db.tasks[started]["status"] = TaskStatus.RUNNING.value
    sent_before = len(fakes.intake.sent)

    again = fire(fakes)
    assert again.created == 0 and again.skipped == []
    assert [t.task_id for t in again.tasks] == [t.task_id for t in first.tasks]
    assert len(fakes.db.tasks) == 4 and fakes.db.counter("submitted") == 4
    assert fakes.accounts.require(1).used_on(TODAY) == 2
    # Still-pending tasks are queued again (the dispatcher ignores repeats); the running one is not.
    assert queued_ids(fakes)[sent_before:] == [t.task_id for t in first.tasks[1:]]


def test_another_firing_of_the_same_schedule_creates_new_tasks(fakes: Fakes) -> None:
    first = fire(fakes)
    second = fire(fakes, "batch-0123456789@2026-11-29T08:00:00.000Z")
    assert second.created == 4
    assert not {t.task_id for t in first.tasks} & {t.task_id for t in second.tasks}


def test_a_firing_creates_at_most_the_remaining_quota_and_reports_the_rest(fakes: Fakes) -> None:
    fakes.db.add_account(account(1, topics=["a", "b"], daily_quota=3))
    result = fire(fakes, count_per_account=20)
    assert result.created == 23 and [t.account_id for t in result.tasks].count(1) == 3
    assert result.skipped == [
        FiringSkip(account_id=1, wanted=20, created=3, reason=f"daily quota 3 reached for {TODAY} (UTC)")
    ]
    assert fakes.accounts.require(1).used_on(TODAY) == 3 and fakes.accounts.require(2).used_on(TODAY) == 20
    assert queued_ids(fakes) == [t.task_id for t in result.tasks]


def test_a_firing_over_quota_skips_that_account_only(fakes: Fakes) -> None:
    fakes.db.add_account(account(1, topics=["a"], daily_quota=2, usage={TODAY: 2}))
    result = fire(fakes)
    assert result.created == 2 and {t.account_id for t in result.tasks} == {2}
    assert [(s.account_id, s.wanted, s.created) for s in result.skipped] == [(1, 2, 0)]
    assert topics_of(fakes, 1) == [] and fakes.accounts.require(1).used_on(TODAY) == 2
    assert queued_ids(fakes) == [t.task_id for t in result.tasks]
