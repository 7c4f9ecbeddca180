"""Webhook deliveries (contenthub.logic.webhooks: notify, deliver, redeliver) on the fakes, with a
fake receiver in place of the HTTP POST and a resolver that answers a public address."""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from contenthub.errors import DeliveryNotFound, DeliveryNotRedeliverable, QueueUnavailable
from contenthub.logic import webhooks
from contenthub.models import StoredDelivery, Task, iso
from contenthub.settings import Settings
from contenthub.states import DeliveryOutcome, DeliveryState, TaskStatus
from contenthub.webhook_http import AttemptResult, Target
from tests.fixtures.entities import NOW, WEBHOOK, account, task
from tests.fixtures.fakes import Fakes

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
SETTINGS = Settings(WEBHOOK_RETRY_SCHEDULE="5,300,1800", WEBHOOK_ALLOW_PRIVATE_TARGETS=False)
TASK = task(status=TaskStatus.SUCCEEDED, content_id="content-0123456789ab-1", finished_at=iso(NOW))
DELIVERY_ID = webhooks.delivery_id_for(TASK.task_id, 1, "task.succeeded")


def public(host: str, port: int) -> list[str]:
    return ["93.184.216.34"]


def private(host: str, port: int) -> list[str]:
    return ["10.0.0.5"]


@dataclass
class Request:
    target: Target
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """The webhook endpoint: answers in turn (the last one repeats) and keeps what it received."""

    answers: list[AttemptResult] = field(default_factory=lambda: [AttemptResult(200, 12)])
    received: list[Request] = field(default_factory=list)

    def post(self, target: Target, headers: dict[str, str], body: bytes, timeout: float) -> AttemptResult:
        self.received.append(Request(target, headers, body))
        return self.answers[min(len(self.received), len(self.answers)) - 1]


def http(status: int, retry_after: int | None = None) -> AttemptResult:
    return AttemptResult(status, 15, error=None if 200 <= status < 300 else f"HTTP {status}", retry_after=retry_after)


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Receiver:
    receiver = Receiver()
    monkeypatch.setattr(webhooks, "post", receiver.post)
    return receiver


@pytest.fixture
def fakes() -> Fakes:
    fakes = Fakes()
    fakes.db.add_account(account(49, webhook_url=WEBHOOK))
    return fakes


def notify(fakes: Fakes, finished: Task = TASK) -> str | None:
    return webhooks.notify(finished, "the summary", SETTINGS, fakes.deliveries, fakes.webhook_queue, NOW,  # type: ignore[arg-type]
                           fakes.accounts.get(49))  # fmt: skip


def deliver(fakes: Fakes, message: dict[str, Any], settings: Settings = SETTINGS, resolver: Any = public,
            now: datetime = NOW, redelivered: bool = False) -> DeliveryOutcome:  # fmt: skip
    return webhooks.deliver(message, settings, fakes.deliveries, fakes.webhook_queue, lambda: [SECRET], resolver, now,  # type: ignore[arg-type]
                            redelivered=redelivered)  # fmt: skip


def last_message(fakes: Fakes, due: bool = True) -> dict[str, Any]:
    """The newest queued message; `due`: as SQS hands it over once its delay has passed."""
    message = dict(fakes.webhook_queue.sent[-1].body)
    if due:
        message["due_at"] = time.time()
    return message


def stored(fakes: Fakes, delivery_id: str = DELIVERY_ID) -> StoredDelivery:
    delivery = fakes.deliveries.get(delivery_id)
    assert delivery is not None
    return delivery


def test_notify_creates_one_delivery_per_task_attempt_and_event(fakes: Fakes) -> None:
    assert notify(fakes) == DELIVERY_ID
    assert notify(fakes) == DELIVERY_ID
    assert list(fakes.db.deliveries) == [DELIVERY_ID]
    delivery = stored(fakes)
    assert delivery.status == DeliveryState.PENDING and delivery.url == WEBHOOK and delivery.attempt_count == 0
    # Queued again by the repeat while nothing was attempted (the first queueing may have been lost).
    assert [m.body["attempt"] for m in fakes.webhook_queue.sent] == [1, 1]


def test_a_repeated_notify_after_an_attempt_queues_nothing(fakes: Fakes, receiver: Receiver) -> None:
    notify(fakes)
    deliver(fakes, last_message(fakes))
    sent = len(fakes.webhook_queue.sent)
    notify(fakes)
    assert len(fakes.webhook_queue.sent) == sent


def test_a_2xx_answer_delivers_a_signed_payload(fakes: Fakes, receiver: Receiver) -> None:
    notify(fakes)
    assert deliver(fakes, last_message(fakes)) == DeliveryOutcome.DELIVERED
    delivery = stored(fakes)
    assert delivery.status == DeliveryState.DELIVERED and delivery.attempt_count == 1
    assert [(a.attempt, a.status, a.at) for a in delivery.attempts] == [(1, 200, iso(NOW))]
    [request] = receiver.received
    assert request.target.address == "93.184.216.34" and request.target.host == "hooks.example.com"
    assert request.headers["webhook-id"] == DELIVERY_ID
    assert Webhook(SECRET).verify(request.body, request.headers)["data"]["task_id"] == TASK.task_id
    assert len(fakes.webhook_queue.sent) == 1  # nothing more to send


def test_a_5xx_answer_schedules_the_next_attempt_on_the_retry_schedule(fakes: Fakes, receiver: Receiver) -> None:
    receiver.answers = [http(503), http(500), http(200)]
    notify(fakes)
    assert deliver(fakes, last_message(fakes)) == DeliveryOutcome.RETRYING
    delivery = stored(fakes)
    assert delivery.status == DeliveryState.PENDING and delivery.attempt_count == 1
    assert delivery.next_attempt_at == iso(NOW + timedelta(seconds=5))
    retry = fakes.webhook_queue.sent[-1]
    assert retry.delay_seconds == 5 and retry.body["attempt"] == 2

    later = NOW + timedelta(seconds=5)
    assert deliver(fakes, last_message(fakes), now=later) == DeliveryOutcome.RETRYING
    assert fakes.webhook_queue.sent[-1].delay_seconds == 300 and fakes.webhook_queue.sent[-1].body["attempt"] == 3
    assert stored(fakes).next_attempt_at == iso(later + timedelta(seconds=300))

    assert deliver(fakes, last_message(fakes), now=later + timedelta(seconds=300)) == DeliveryOutcome.DELIVERED
    assert [a.status for a in stored(fakes).attempts] == [503, 500, 200]


@pytest.mark.parametrize(("retry_after", "delay"), [(120, 120), (2, 5), (None, 5)])
def test_retry_after_on_429_is_honoured_when_longer_than_the_schedule(
    fakes: Fakes, receiver: Receiver, retry_after: int | None, delay: int
) -> None:
    receiver.answers = [http(429, retry_after)]
    notify(fakes)
    assert deliver(fakes, last_message(fakes)) == DeliveryOutcome.RETRYING
    assert fakes.webhook_queue.sent[-1].delay_seconds == delay
    assert stored(fakes).next_attempt_at == iso(NOW + timedelta(seconds=delay))


def test_a_delay_beyond_sqs_s_15_minutes_waits_again_until_due(fakes: Fakes, receiver: Receiver) -> None:
    receiver.answers = [http(500)]
    notify(fakes)
    for _ in range(3):  # after attempt 3 the schedule says 1800 s
        deliver(fakes, last_message(fakes))
    fourth = fakes.webhook_queue.sent[-1]
    assert fourth.delay_seconds == 900  # SQS's maximum
    # SQS hands it over after 900 s, still 900 s early: queued again, nothing sent.
    early = {**fourth.body, "due_at": time.time() + 900}
    assert deliver(fakes, early) == DeliveryOutcome.WAITING
    assert 898 <= fakes.webhook_queue.sent[-1].delay_seconds <= 900
    assert fakes.webhook_queue.sent[-1].body["attempt"] == 4
    assert len(receiver.received) == 3 and stored(fakes).attempt_count == 3


def test_after_the_last_retry_the_delivery_is_dead(fakes: Fakes, receiver: Receiver) -> None:
    receiver.answers = [http(500)]
    notify(fakes)
    outcomes = [deliver(fakes, last_message(fakes)) for _ in range(4)]  # 3 delays: 4 attempts
    assert outcomes == [DeliveryOutcome.RETRYING] * 3 + [DeliveryOutcome.DEAD]
    delivery = stored(fakes)
    assert delivery.status == DeliveryState.DEAD and delivery.attempt_count == 4 and len(delivery.attempts) == 4
    assert len(receiver.received) == 4
    assert [m.body["attempt"] for m in fakes.webhook_queue.sent] == [1, 2, 3, 4]  # no fifth


def test_410_gone_disables_the_endpoint_for_every_later_delivery(fakes: Fakes, receiver: Receiver) -> None:
    receiver.answers = [http(410)]
    notify(fakes)
    assert deliver(fakes, last_message(fakes)) == DeliveryOutcome.DISABLED
    assert stored(fakes).status == DeliveryState.DISABLED
    assert fakes.deliveries.endpoint_disabled(webhooks.endpoint_key(WEBHOOK))
    assert len(fakes.webhook_queue.sent) == 1  # no retry

    other = task("task-ba9876543210", status=TaskStatus.FAILED, error="boom")
    other_id = notify(fakes, other)
    assert other_id is not None
    assert deliver(fakes, last_message(fakes)) == DeliveryOutcome.DISABLED
    assert stored(fakes, other_id).status == DeliveryState.DISABLED
    assert len(receiver.received) == 1  # the disabled endpoint is not called again


def test_a_non_public_target_is_refused_without_a_request(fakes: Fakes, receiver: Receiver) -> None:
    notify(fakes)
    assert deliver(fakes, last_message(fakes), resolver=private) == DeliveryOutcome.DEAD
    [attempt] = stored(fakes).attempts
    assert attempt.error is not None and "not a public address" in attempt.error
    assert receiver.received == []


def test_a_duplicate_message_for_the_same_attempt_sends_nothing(fakes: Fakes, receiver: Receiver) -> None:
    receiver.answers = [http(500)]
    notify(fakes)
    message = last_message(fakes)
    assert deliver(fakes, message) == DeliveryOutcome.RETRYING
    assert deliver(fakes, message) == DeliveryOutcome.TAKEN
    assert len(receiver.received) == 1 and len(fakes.webhook_queue.sent) == 2
    assert stored(fakes).attempt_count == 1
    # SQS delivering it again (the first handler failed after recording) queues the retry again:
    # the two copies of attempt 2 send once.
    assert deliver(fakes, message, redelivered=True) == DeliveryOutcome.TAKEN
    retries = [{**m.body, "due_at": 0} for m in fakes.webhook_queue.sent[1:]]  # both due now
    assert [r["attempt"] for r in retries] == [2, 2]
    for retry in retries:
        deliver(fakes, retry)
    assert len(receiver.received) == 2 and stored(fakes).attempt_count == 2


def test_a_message_for_a_finished_delivery_has_nothing_to_do(fakes: Fakes, receiver: Receiver) -> None:
    notify(fakes)
    message = last_message(fakes)
    deliver(fakes, message)
    assert deliver(fakes, message) == DeliveryOutcome.NOTHING_TO_DO
    assert deliver(fakes, {"delivery_id": "msg_ffffffffffff_1_failed"}) == DeliveryOutcome.NOTHING_TO_DO
    assert len(receiver.received) == 1


def test_a_message_not_yet_due_is_queued_again_with_a_delay(fakes: Fakes, receiver: Receiver) -> None:
    notify(fakes)
    early = {**last_message(fakes), "due_at": time.time() + 600}
    assert deliver(fakes, early) == DeliveryOutcome.WAITING
    again = fakes.webhook_queue.sent[-1]
    assert again.body == early and 598 <= again.delay_seconds <= 600
    assert receiver.received == [] and stored(fakes).attempt_count == 0


def test_redeliver_reopens_a_dead_delivery_and_queues_it(fakes: Fakes, receiver: Receiver) -> None:
    receiver.answers = [http(500)]
    notify(fakes)
    deliver(fakes, last_message(fakes), settings=Settings(WEBHOOK_RETRY_SCHEDULE=""))  # no retries: dead at once
    assert stored(fakes).status == DeliveryState.DEAD

    view = webhooks.redeliver(DELIVERY_ID, fakes.deliveries, fakes.webhook_queue)  # type: ignore[arg-type]
    assert view.status == DeliveryState.PENDING and view.attempt_count == 0 and view.redeliveries == 1
    assert last_message(fakes, due=False)["attempt"] == 1
    receiver.answers = [http(204)]
    assert deliver(fakes, last_message(fakes)) == DeliveryOutcome.DELIVERED
    assert [a.status for a in stored(fakes).attempts] == [500, 204]


def test_redeliver_of_a_delivery_with_an_attempt_in_flight_is_refused(fakes: Fakes) -> None:
    notify(fakes)
    assert fakes.deliveries.claim_attempt(DELIVERY_ID, 1, NOW, NOW + timedelta(seconds=60))
    sent = len(fakes.webhook_queue.sent)
    with pytest.raises(DeliveryNotRedeliverable, match="is being sent"):
        webhooks.redeliver(DELIVERY_ID, fakes.deliveries, fakes.webhook_queue, NOW)  # type: ignore[arg-type]
    assert len(fakes.webhook_queue.sent) == sent and stored(fakes).redeliveries is None


def test_redeliver_of_a_delivery_with_a_retry_ahead_is_refused(fakes: Fakes, receiver: Receiver) -> None:
    receiver.answers = [http(500)]
    notify(fakes)
    deliver(fakes, last_message(fakes))
    sent = len(fakes.webhook_queue.sent)
    with pytest.raises(DeliveryNotRedeliverable, match="next attempt is at"):
        webhooks.redeliver(DELIVERY_ID, fakes.deliveries, fakes.webhook_queue, NOW)  # type: ignore[arg-type]
    assert len(fakes.webhook_queue.sent) == sent and stored(fakes).redeliveries is None


def test_redeliver_of_an_unknown_delivery(fakes: Fakes) -> None:
    with pytest.raises(DeliveryNotFound):
        webhooks.redeliver("msg_ffffffffffff_1_failed", fakes.deliveries, fakes.webhook_queue)  # type: ignore[arg-type]


def test_a_failure_to_queue_the_next_attempt_does_not_strand_the_delivery(fakes: Fakes, receiver: Receiver) -> None:
    """deliver records the failed attempt before it queues the next one; when that queueing fails,
    SQS delivers the message again, finds its attempt over, and queues the retry it lacks."""
    receiver.answers = [http(500)]
    notify(fakes)
    message = last_message(fakes)
    fakes.webhook_queue.unavailable = "the webhook queue does not answer"
    with pytest.raises(QueueUnavailable):
        deliver(fakes, message)
    fakes.webhook_queue.unavailable = None
    deliver(fakes, message, redelivered=True)  # SQS delivers the message again after the failed batch item
    assert [m.body["attempt"] for m in fakes.webhook_queue.sent] == [1, 2] or stored(
        fakes
    ).status != DeliveryState.PENDING
