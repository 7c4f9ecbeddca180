"""POST /tasks (contenthub.logic.submit.submit_task) on the in-memory fakes."""

from __future__ import annotations

import pytest

from contenthub.errors import AccountNotFound, QueueUnavailable, QuotaExceeded, ServiceDisabled
from contenthub.logic.submit import submit_task
from contenthub.models import SubmitTaskRequest, Task, iso
from contenthub.settings import Settings
from contenthub.states import TaskStatus
from tests.fixtures.entities import NOW, TODAY, account
from tests.fixtures.fakes import Fakes

SETTINGS = Settings(ASYNC_CONTENT_GENERATION_ENABLED=True, ASYNC_AUTO_APPROVE=True)


@pytest.fixture
def fakes() -> Fakes:
    fakes = Fakes()
    fakes.db.add_account(account(49))
    return fakes


def submit(fakes: Fakes, settings: Settings = SETTINGS, request_key: str | None = None, **body: object) -> Task:
    request = SubmitTaskRequest.model_validate({"account_id": 49, "topic": "AI trends", **body})
    return submit_task(
        request, settings, fakes.transactions, fakes.intake, fakes.accounts, fakes.tasks,  # type: ignore[arg-type]
        now=NOW, request_key=request_key,
    )  # fmt: skip


def assert_nothing_accepted(fakes: Fakes) -> None:
    assert fakes.db.tasks == {}
    assert fakes.intake.sent == []
    assert fakes.db.counter("submitted") == 0


def test_an_accepted_task_is_pending_stored_and_queued_once(fakes: Fakes) -> None:
    task = submit(fakes, keywords=["AI", "cloud"])
    assert task.status == TaskStatus.PENDING and task.attempt == 1 and task.keywords == ["AI", "cloud"]
    assert fakes.tasks.get(task.task_id) == task
    assert fakes.intake.bodies == [{"task_id": task.task_id, "attempt": 1}]
    assert fakes.accounts.require(49).used_on(TODAY) == 1
    assert fakes.db.counter("submitted") == 1 and fakes.db.counter(f"submitted:{TODAY}") == 1


def test_auto_approve_defaults_to_the_setting_unless_the_request_says(fakes: Fakes) -> None:
    reviewing = Settings(ASYNC_AUTO_APPROVE=False)
    assert submit(fakes, reviewing).auto_approve is False
    assert submit(fakes, reviewing, auto_approve=True).auto_approve is True


def test_an_unknown_account_is_refused_and_nothing_is_stored_or_queued(fakes: Fakes) -> None:
    with pytest.raises(AccountNotFound, match="account 7 does not exist"):
        submit(fakes, account_id=7)
    assert_nothing_accepted(fakes)


def test_the_daily_quota_counts_every_task_and_refuses_the_one_over_it(fakes: Fakes) -> None:
    fakes.db.add_account(account(50, daily_quota=2, usage={TODAY: 1}))
    submit(fakes, account_id=50)
    assert fakes.accounts.require(50).used_on(TODAY) == 2
    with pytest.raises(QuotaExceeded) as refused:
        submit(fakes, account_id=50)
    # 09:00 UTC: the quota resets at midnight UTC, 15 hours later.
    assert refused.value.headers == {"Retry-After": str(15 * 3600)}
    assert "2 of 2 tasks used today" in refused.value.message
    assert len(fakes.db.tasks) == 1 and len(fakes.intake.sent) == 1
    assert fakes.accounts.require(50).used_on(TODAY) == 2


def test_over_quota_from_the_start_stores_nothing(fakes: Fakes) -> None:
    fakes.db.add_account(account(49, daily_quota=3, usage={TODAY: 3}))
    with pytest.raises(QuotaExceeded):
        submit(fakes)
    assert_nothing_accepted(fakes)


def test_disabled_service_refuses_before_anything_is_written(fakes: Fakes) -> None:
    with pytest.raises(ServiceDisabled):
        submit(fakes, Settings(ASYNC_CONTENT_GENERATION_ENABLED=False))
    assert_nothing_accepted(fakes)
    assert fakes.accounts.require(49).used_on(TODAY) == 0


def test_a_queue_failure_ends_the_task_failed_with_the_reason(fakes: Fakes) -> None:
    fakes.intake.unavailable = "the intake queue does not answer"
    with pytest.raises(QueueUnavailable):
        submit(fakes)
    [stored] = [fakes.tasks.get(task_id) for task_id in fakes.db.tasks]
    assert stored is not None and stored.status == TaskStatus.FAILED  # not left pending with nothing queued
    assert stored.error == "could not enqueue the message: the intake queue does not answer"
    assert fakes.intake.sent == []
    assert fakes.db.counter("failed") == 1


def test_a_queue_failure_is_recorded_at_the_submit_s_time(fakes: Fakes) -> None:
    fakes.intake.unavailable = "the intake queue does not answer"
    with pytest.raises(QueueUnavailable):
        submit(fakes)
    [stored] = [fakes.tasks.get(task_id) for task_id in fakes.db.tasks]
    assert stored is not None and stored.finished_at == iso(NOW) and stored.updated_at == iso(NOW)
    assert fakes.db.counter(f"failed:{TODAY}") == 1


def test_a_submit_retried_with_the_same_request_key_returns_the_first_task(fakes: Fakes) -> None:
    first = submit(fakes, request_key="submit:key-1")
    again = submit(fakes, request_key="submit:key-1")
    assert again == first and list(fakes.db.tasks) == [first.task_id]
    assert fakes.accounts.require(49).used_on(TODAY) == 1 and fakes.db.counter("submitted") == 1
    assert fakes.intake.bodies == [{"task_id": first.task_id, "attempt": 1}]
    assert submit(fakes, request_key="submit:key-2").task_id != first.task_id


def test_a_request_key_does_not_hide_a_refusal(fakes: Fakes) -> None:
    fakes.db.add_account(account(49, daily_quota=1, usage={TODAY: 1}))
    with pytest.raises(QuotaExceeded):
        submit(fakes, request_key="submit:key-1")
    assert_nothing_accepted(fakes)
