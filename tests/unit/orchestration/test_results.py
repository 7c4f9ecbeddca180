"""The end of an attempt (contenthub.logic.results.end_attempt) on the fakes: one Content per
succeeded attempt, one recorded failure, the webhook delivery and the bus announcement."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from contenthub.logic.contents import get_content
from contenthub.logic.results import AttemptResult, end_attempt
from contenthub.logic.tasks import retry_task
from contenthub.logic.webhooks import delivery_id_for
from contenthub.models import INLINE_BODY_LIMIT, StoredContent, content_id_for, iso, job_id_for
from contenthub.settings import Settings
from contenthub.states import ContentStatus, ResultAction, TaskStatus
from tests.fixtures.entities import NOW, TODAY, WEBHOOK, account, article, job, running_task, task
from tests.fixtures.fakes import Fakes

SETTINGS = Settings(WEBHOOK_ENABLED=False, WEBHOOK_URL=None)
TASK_ID = "task-0123456789ab"
CONTENT_ID = content_id_for(TASK_ID, 1)
KEY = f"results/{TASK_ID}/1.json"
STORE = {"task_id": TASK_ID, "attempt": 1, "poll": {"status": "succeeded", "result_key": KEY}}


@pytest.fixture
def fakes() -> Fakes:
    fakes = Fakes()
    fakes.db.add_account(account(49, webhook_url=WEBHOOK))
    fakes.db.add_task(running_task(TASK_ID, started_at=NOW - timedelta(seconds=60), keywords=["AI"]))
    fakes.db.add_job(job(TASK_ID, creator="offline"))
    fakes.articles.put(KEY, article())
    return fakes


def end(fakes: Fakes, action: ResultAction, state: dict[str, Any], now: datetime = NOW) -> AttemptResult:
    return end_attempt(action, state, SETTINGS, fakes.result_stores(), now)


def the_content(fakes: Fakes) -> StoredContent:
    [content_id] = fakes.db.contents
    content = fakes.contents.get(content_id)
    assert content is not None
    return content


def status_of(fakes: Fakes) -> TaskStatus:
    stored = fakes.tasks.get(TASK_ID)
    assert stored is not None
    return stored.status


# -- store ---------------------------------------------------------------------------------------
def test_a_succeeded_attempt_stores_exactly_one_approved_content(fakes: Fakes) -> None:
    result = end(fakes, ResultAction.STORE, STORE)
    assert result.changed and result.status == TaskStatus.SUCCEEDED and result.content_id == CONTENT_ID
    content = the_content(fakes)
    assert content.content_id == CONTENT_ID and content.status == ContentStatus.APPROVED
    assert content.body == article().body and content.body_s3_key == KEY
    assert (content.title, content.topic, content.keywords) == ("AI trends", "AI trends", ["AI"])
    stored = fakes.tasks.get(TASK_ID)
    assert stored is not None and stored.status == TaskStatus.SUCCEEDED
    assert stored.content_id == CONTENT_ID and stored.progress == 100
    assert fakes.db.counter("succeeded") == 1 and fakes.db.counter(f"succeeded:{TODAY}") == 1
    assert fakes.generation_times.recent("offline") == [60.0]  # started → stored


def test_without_auto_approve_the_content_is_a_draft(fakes: Fakes) -> None:
    fakes.db.add_task(running_task(TASK_ID, auto_approve=False))
    end(fakes, ResultAction.STORE, STORE)
    assert the_content(fakes).status == ContentStatus.DRAFT


@pytest.mark.parametrize(("body", "inline"), [
    ("x" * INLINE_BODY_LIMIT, True),
    ("x" * (INLINE_BODY_LIMIT + 1), False),
    ("é" * (INLINE_BODY_LIMIT // 2 + 1), False),  # the limit is in bytes, not characters
])  # fmt: skip
def test_a_body_over_the_inline_limit_stays_in_s3_only(fakes: Fakes, body: str, inline: bool) -> None:
    fakes.articles.put(KEY, article(body))
    end(fakes, ResultAction.STORE, STORE)
    content = the_content(fakes)
    assert (content.body is not None) == inline and content.body_s3_key == KEY
    assert get_content(CONTENT_ID, fakes.contents, fakes.articles).body == body  # type: ignore[arg-type]


def test_a_repeated_store_changes_nothing_and_counts_nothing(fakes: Fakes) -> None:
    end(fakes, ResultAction.STORE, STORE)
    before = copy.deepcopy(fakes.db)
    again = end(fakes, ResultAction.STORE, STORE, NOW + timedelta(seconds=5))
    assert not again.changed and again.status == TaskStatus.SUCCEEDED and again.content_id == CONTENT_ID
    assert fakes.db == before  # one content, one count, one generation sample, one delivery
    # The delivery may be queued again while no attempt was made (a lost first queueing); the
    # deliverer claims attempts, so it is still sent once.
    assert {body["delivery_id"] for body in fakes.webhook_queue.bodies} == {
        delivery_id_for(TASK_ID, 1, "task.succeeded")
    }


def test_a_result_for_a_task_cancelled_meanwhile_stores_nothing(fakes: Fakes) -> None:
    fakes.transactions.finish(TASK_ID, 1, TaskStatus.CANCELLED, NOW, error="cancelled by an operator")
    result = end(fakes, ResultAction.STORE, STORE)
    assert not result.changed and result.status == TaskStatus.CANCELLED
    assert fakes.db.contents == {} and fakes.db.counter("succeeded") == 0


# -- fail ----------------------------------------------------------------------------------------
def test_a_failure_is_recorded_once_with_its_reason(fakes: Fakes) -> None:
    failed = {"task_id": TASK_ID, "attempt": 1, "poll": {"status": "failed", "error": "the creator exited with code 3"}}
    result = end(fakes, ResultAction.FAIL, failed)
    assert result.changed and result.status == TaskStatus.FAILED
    stored = fakes.tasks.get(TASK_ID)
    assert stored is not None and stored.status == TaskStatus.FAILED
    assert stored.error == "the creator exited with code 3" and stored.finished_at == iso(NOW)
    assert fakes.db.counter("failed") == 1

    late = {**failed, "poll": {"status": "timed_out", "error": "no result after 1801 s"}}
    again = end(fakes, ResultAction.FAIL, late, NOW + timedelta(seconds=5))
    assert not again.changed
    stored = fakes.tasks.get(TASK_ID)
    assert (
        stored is not None and stored.status == TaskStatus.FAILED and stored.error == "the creator exited with code 3"
    )
    assert fakes.db.counter("failed") == 1 and fakes.db.counter("timed_out") == 0
    assert fakes.db.contents == {}


@pytest.mark.parametrize(("error", "status"), [
    ("CreatorError", TaskStatus.FAILED),
    ("JobCancelled", TaskStatus.CANCELLED),
    ("JobTimedOut", TaskStatus.TIMED_OUT),
])  # fmt: skip
def test_a_runner_error_in_callback_mode_maps_to_its_status(fakes: Fakes, error: str, status: TaskStatus) -> None:
    state = {"task_id": TASK_ID, "attempt": 1, "error": {"Error": error, "Cause": "what the runner said"}}
    result = end(fakes, ResultAction.FAIL, state)
    assert result.status == status and result.error == "what the runner said"
    stored = fakes.tasks.get(TASK_ID)
    assert stored is not None and stored.status == status and stored.error == "what the runner said"
    assert fakes.db.counter(status.value) == 1


def test_a_runner_error_without_its_cause_takes_the_reason_from_the_job_row(fakes: Fakes) -> None:
    fakes.jobs.fail(job_id_for(TASK_ID, 1), "the creator exited with code 3", NOW)
    end(fakes, ResultAction.FAIL, {"task_id": TASK_ID, "attempt": 1, "error": {"Error": "CreatorError"}})
    stored = fakes.tasks.get(TASK_ID)
    assert stored is not None and stored.error == "the creator exited with code 3"


# -- what follows: webhook, announcement ---------------------------------------------------------
def test_a_finished_task_gets_its_delivery_queued_to_the_account_s_webhook(fakes: Fakes) -> None:
    end(fakes, ResultAction.STORE, STORE)
    delivery_id = delivery_id_for(TASK_ID, 1, "task.succeeded")
    delivery = fakes.deliveries.get(delivery_id)
    assert delivery is not None and delivery.url == WEBHOOK
    payload = json.loads(delivery.payload)
    assert payload["type"] == "task.succeeded" and payload["data"]["content_id"] == CONTENT_ID
    assert payload["data"]["summary"] == article().summary
    assert [(m.body["delivery_id"], m.body["attempt"]) for m in fakes.webhook_queue.sent] == [(delivery_id, 1)]


def test_a_failed_task_without_any_webhook_queues_nothing(fakes: Fakes) -> None:
    fakes.db.add_account(account(49))
    end(fakes, ResultAction.FAIL, {"task_id": TASK_ID, "attempt": 1, "poll": {"status": "failed", "error": "x"}})
    assert fakes.db.deliveries == {} and fakes.webhook_queue.sent == []


def test_approved_auto_published_content_is_announced_once(fakes: Fakes) -> None:
    fakes.db.add_task(running_task(TASK_ID, auto_publish=True))
    end(fakes, ResultAction.STORE, STORE)
    end(fakes, ResultAction.STORE, STORE, NOW + timedelta(seconds=5))
    [event] = fakes.bus.events
    assert (event.source, event.detail_type) == ("contenthub", "content.approved")
    assert event.detail["content_id"] == CONTENT_ID and event.detail["status"] == "approved"
    assert the_content(fakes).announced_at == iso(NOW)
    assert fakes.publish_schedules.created == {}


def test_a_future_publish_time_is_scheduled_and_a_past_one_is_due_at_once(fakes: Fakes) -> None:
    future = iso(NOW + timedelta(days=1))
    fakes.db.add_task(running_task(TASK_ID, auto_publish=True, scheduled_publish_at=future))
    end(fakes, ResultAction.STORE, STORE)
    [scheduled] = fakes.publish_schedules.created.values()
    assert scheduled.detail_type == "content.publish_due" and scheduled.due == datetime.fromisoformat(future)
    assert [e.detail_type for e in fakes.bus.events] == ["content.approved"]

    other = Fakes()
    other.db.add_task(running_task(TASK_ID, auto_publish=True, scheduled_publish_at=iso(NOW - timedelta(hours=1))))
    other.db.add_account(account(49))
    other.articles.put(KEY, article())
    end(other, ResultAction.STORE, STORE)
    assert [e.detail_type for e in other.bus.events] == ["content.approved", "content.publish_due"]
    assert other.publish_schedules.created == {}


def test_a_draft_is_not_announced_even_with_auto_publish(fakes: Fakes) -> None:
    fakes.db.add_task(running_task(TASK_ID, auto_publish=True, auto_approve=False))
    end(fakes, ResultAction.STORE, STORE)
    assert fakes.bus.events == []


@pytest.mark.parametrize(("action", "state"), [
    (ResultAction.STORE, STORE),
    (ResultAction.FAIL, {"task_id": TASK_ID, "attempt": 1, "poll": {"status": "timed_out", "error": "too late"}}),
])  # fmt: skip
def test_a_late_result_of_an_earlier_attempt_does_not_end_the_current_one(
    fakes: Fakes, action: ResultAction, state: dict[str, Any]
) -> None:
    fakes.db.add_task(task(TASK_ID, status=TaskStatus.CANCELLED, error="cancelled by an operator"))
    retry_task(TASK_ID, fakes.tasks, fakes.transactions, fakes.intake, now=NOW)  # type: ignore[arg-type]
    end(fakes, action, state, NOW + timedelta(seconds=1))
    stored = fakes.tasks.get(TASK_ID)
    assert stored is not None and stored.attempt == 2 and stored.status == TaskStatus.PENDING
    assert fakes.db.contents == {}
