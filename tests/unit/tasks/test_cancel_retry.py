"""Operator actions on a task: cancel and retry (contenthub.logic.tasks) on the fakes."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest

from contenthub.errors import QueueUnavailable, TaskNotFound, TaskStateConflict
from contenthub.logic.tasks import cancel_task, retry_task
from contenthub.logic.webhooks import delivery_id_for
from contenthub.models import AttemptRecord, Task, iso, job_id_for
from contenthub.settings import Settings
from contenthub.states import DeliveryState, StopReason, TaskStatus
from tests.fixtures.entities import NOW, WEBHOOK, account, job, running_task, task
from tests.fixtures.fakes import Fakes

SETTINGS = Settings(WEBHOOK_ENABLED=False, WEBHOOK_URL=None)
TASK_ID = "task-0123456789ab"
JOB_ID = job_id_for(TASK_ID, 1)


@pytest.fixture
def fakes() -> Fakes:
    fakes = Fakes()
    fakes.db.add_account(account(49, webhook_url=WEBHOOK))
    return fakes


def start_running(fakes: Fakes) -> None:
    """A task as the pipeline leaves it mid-run: execution started, task running, job running."""
    fakes.db.add_task(running_task(TASK_ID, started_at=NOW - timedelta(minutes=2)))
    fakes.orchestrator.start(TASK_ID, {"task_id": TASK_ID, "attempt": 1})
    fakes.db.add_job(job(TASK_ID, progress=40, stage="writing"))


def cancel(fakes: Fakes, task_id: str = TASK_ID) -> Task:
    return cancel_task(task_id, SETTINGS, fakes.cancel_stores(), now=NOW)


def retry(fakes: Fakes, task_id: str = TASK_ID) -> Task:
    return retry_task(task_id, fakes.tasks, fakes.transactions, fakes.intake, now=NOW)  # type: ignore[arg-type]


def failed_task(attempt: int = 1, error: str = "the creator exited with code 3") -> Task:
    return task(TASK_ID, status=TaskStatus.FAILED, attempt=attempt, error=error, started_at="2026-11-28T08:01:00.000Z",
                finished_at="2026-11-28T08:02:00.000Z")  # fmt: skip


# -- cancel --------------------------------------------------------------------------------------
def test_cancelling_a_running_task_ends_it_stops_its_work_and_tells_its_webhook(fakes: Fakes) -> None:
    start_running(fakes)
    cancelled = cancel(fakes)
    assert cancelled.status == TaskStatus.CANCELLED and cancelled.error == StopReason.CANCELLED.value
    assert cancelled.finished_at == iso(NOW) and fakes.tasks.get(TASK_ID) == cancelled
    assert fakes.jobs.stop_requested(JOB_ID) == StopReason.CANCELLED
    execution = fakes.orchestrator.executions[TASK_ID]
    assert execution.status == "ABORTED" and execution.cause == StopReason.CANCELLED.value
    delivery_id = delivery_id_for(TASK_ID, 1, "task.cancelled")
    delivery = fakes.deliveries.get(delivery_id)
    assert delivery is not None and delivery.url == WEBHOOK and delivery.status == DeliveryState.PENDING
    assert json.loads(delivery.payload)["data"]["status"] == "cancelled"
    assert [body["delivery_id"] for body in fakes.webhook_queue.bodies] == [delivery_id]
    assert fakes.db.counter("cancelled") == 1


def test_a_pending_task_cancelled_before_it_started_is_never_run(fakes: Fakes) -> None:
    fakes.db.add_task(task(TASK_ID))
    assert cancel(fakes).status == TaskStatus.CANCELLED
    assert fakes.orchestrator.executions == {}  # nothing to stop yet
    # A runner that receives the job later refuses it.
    assert fakes.jobs.start(JOB_ID, TASK_ID, "offline", NOW) is False


def test_without_a_webhook_cancel_queues_no_delivery(fakes: Fakes) -> None:
    fakes.db.add_account(account(49))
    start_running(fakes)
    cancel(fakes)
    assert fakes.db.deliveries == {} and fakes.webhook_queue.sent == []


@pytest.mark.parametrize("status", [TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.CANCELLED])
def test_cancelling_a_finished_task_is_a_conflict_and_changes_nothing(fakes: Fakes, status: TaskStatus) -> None:
    start_running(fakes)
    fakes.db.tasks[TASK_ID]["status"] = status.value
    before = copy.deepcopy(fakes)
    with pytest.raises(TaskStateConflict, match=f"already {status}"):
        cancel(fakes)
    assert fakes.db == before.db
    assert fakes.orchestrator.executions[TASK_ID].status == "RUNNING"
    assert fakes.webhook_queue.sent == []


def test_cancelling_an_unknown_task(fakes: Fakes) -> None:
    with pytest.raises(TaskNotFound):
        cancel(fakes, "task-ffffffffffff")


# -- retry ---------------------------------------------------------------------------------------
def test_retry_starts_attempt_two_keeps_the_first_in_history_and_queues_it(fakes: Fakes) -> None:
    fakes.db.add_task(failed_task())
    retried = retry(fakes)
    assert retried.status == TaskStatus.PENDING and retried.attempt == 2 and retried.progress == 0
    assert retried.error is None and retried.started_at is None and retried.finished_at is None
    assert retried.history == [
        AttemptRecord(attempt=1, status=TaskStatus.FAILED, error="the creator exited with code 3",
                      started_at="2026-11-28T08:01:00.000Z", finished_at="2026-11-28T08:02:00.000Z"),
    ]  # fmt: skip
    assert fakes.tasks.get(TASK_ID) == retried
    assert fakes.intake.bodies == [{"task_id": TASK_ID, "attempt": 2}]
    assert fakes.db.counter("retried") == 1


def test_every_ended_attempt_stays_in_history(fakes: Fakes) -> None:
    fakes.db.add_task(failed_task())
    retry(fakes)
    fakes.transactions.finish(TASK_ID, 2, TaskStatus.TIMED_OUT, NOW, error="no result after 1801 s")
    third = retry(fakes)
    assert third.attempt == 3
    assert [(h.attempt, h.status, h.error) for h in third.history] == [
        (1, TaskStatus.FAILED, "the creator exited with code 3"),
        (2, TaskStatus.TIMED_OUT, "no result after 1801 s"),
    ]
    assert fakes.intake.bodies == [{"task_id": TASK_ID, "attempt": 2}, {"task_id": TASK_ID, "attempt": 3}]
    assert fakes.db.counter("retried") == 2


@pytest.mark.parametrize("status", [TaskStatus.PENDING, TaskStatus.RUNNING, TaskStatus.SUCCEEDED])
def test_retry_of_an_active_or_succeeded_task_is_refused(fakes: Fakes, status: TaskStatus) -> None:
    fakes.db.add_task(task(TASK_ID, status=status))
    before = copy.deepcopy(fakes.db)
    with pytest.raises(TaskStateConflict, match="only failed, timed_out or cancelled"):
        retry(fakes)
    assert fakes.db == before and fakes.intake.sent == []


def test_a_queue_failure_on_retry_does_not_leave_the_task_pending(fakes: Fakes) -> None:
    fakes.db.add_task(failed_task())
    fakes.intake.unavailable = "the intake queue does not answer"
    with pytest.raises(QueueUnavailable) as refused:
        retry(fakes)
    assert refused.value.http_status == 503
    stored = fakes.tasks.get(TASK_ID)
    assert stored is not None and stored.status != TaskStatus.PENDING
    # The new attempt ended failed with the reason, at the retry's time; the first stays in history.
    assert (stored.status, stored.attempt, stored.finished_at) == (TaskStatus.FAILED, 2, iso(NOW))
    assert stored.error == "could not enqueue the message: the intake queue does not answer"
    assert [h.attempt for h in stored.history] == [1]
    assert fakes.intake.sent == [] and fakes.db.counter("failed") == 1
    # Once the queue is back, the task can be retried again.
    fakes.intake.unavailable = None
    assert retry(fakes).attempt == 3
    assert fakes.intake.bodies == [{"task_id": TASK_ID, "attempt": 3}]
