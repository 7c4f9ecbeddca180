"""Webhook deliveries: enqueue one per terminal task attempt, deliver with retries, redeliver.

A delivery's id is its Standard Webhooks message id (`msg_<task hex>_<attempt>_<event>`): the
same terminal event always maps to the same delivery, so repeats create nothing new, and a
receiver can de-duplicate on `webhook-id`.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from contenthub import dal
from contenthub.aws.sqs import Queue
from contenthub.errors import DeliveryNotFound, DeliveryNotRedeliverable, UnsafeTarget
from contenthub.models import AccountRecord, DeliveryAttempt, StoredDelivery, Task, WebhookDelivery, iso, utc_now
from contenthub.observability import logger
from contenthub.settings import Settings
from contenthub.signing import signed_headers
from contenthub.states import DeliveryOutcome, DeliveryState, TaskStatus
from contenthub.webhook_http import Resolver, post, resolve_target, system_resolver

EVENTS = {
    TaskStatus.SUCCEEDED: "task.succeeded",
    TaskStatus.FAILED: "task.failed",
    TaskStatus.TIMED_OUT: "task.timed_out",
    TaskStatus.CANCELLED: "task.cancelled",
}
MAX_PAYLOAD_BYTES = 20_000
# A claim on an attempt lasts the invocation's remaining time plus this: it lapses only once the
# invocation that took it is surely gone (Lambda stops it at its timeout). The deliver function's
# queue keeps a message invisible for 6 × the function's timeout, so a message SQS delivers again
# always finds an abandoned claim expired (tests/infra check the template keeps it so).
CLAIM_GRACE_SECONDS = 30
# Seconds of an invocation kept back from an attempt's deadline for recording its result.
RECORD_RESERVE_SECONDS = 5
TASK_FIELDS = {"task_id", "account_id", "status", "topic", "keywords", "attempt", "error", "content_id",
               "created_at", "started_at", "finished_at"}  # fmt: skip


def delivery_id_for(task_id: str, attempt: int, event_type: str) -> str:
    return f"msg_{task_id.removeprefix('task-')}_{attempt}_{event_type.removeprefix('task.')}"


def endpoint_key(url: str) -> str:
    return "endpoint#" + hashlib.sha256(url.encode()).hexdigest()[:24]


def build_payload(task: Task, event_type: str, summary: str | None, now: datetime) -> bytes:
    """`{"type", "timestamp", "data"}` as Standard Webhooks recommends; always under 20 KB."""
    data: dict[str, Any] = task.model_dump(mode="json", include=TASK_FIELDS)
    data["summary"] = summary
    body = {"type": event_type, "timestamp": iso(now), "data": data}
    encoded = json.dumps(body, ensure_ascii=False).encode()
    if len(encoded) > MAX_PAYLOAD_BYTES:  # only free text can be long: shorten it, keep the facts
        for field in ("summary", "error", "topic"):
            text = data.get(field)
            if isinstance(text, str):
                data[field] = text[:500] + "…"
        data["keywords"] = (data.get("keywords") or [])[:20]
        encoded = json.dumps(body, ensure_ascii=False).encode()
    return encoded


def target_url(settings: Settings, account: AccountRecord | None) -> str | None:
    """Where a task's events go: the account's own webhook when it has one (webhook_enabled=false
    turns webhooks off for the account), else the global WEBHOOK_URL when WEBHOOK_ENABLED."""
    if account is not None and account.webhook_enabled is False:
        return None
    if account is not None and account.webhook_url:
        return account.webhook_url
    return settings.WEBHOOK_URL if settings.WEBHOOK_ENABLED and settings.WEBHOOK_URL else None


def notify(
    task: Task, summary: str | None, settings: Settings, deliveries: dal.DeliveryRepository, queue: Queue,
    now: datetime | None = None, account: AccountRecord | None = None,
) -> str | None:  # fmt: skip
    """Make sure the delivery for this terminal task attempt exists and is queued. Idempotent."""
    url = target_url(settings, account)
    event_type = EVENTS.get(task.status)
    if not url or event_type is None:
        return None
    now = now or utc_now()
    delivery_id = delivery_id_for(task.task_id, task.attempt, event_type)
    delivery = StoredDelivery(
        delivery_id=delivery_id, event_type=event_type, task_id=task.task_id, url=url, status=DeliveryState.PENDING,
        payload=build_payload(task, event_type, summary, now).decode(), created_at=iso(now), updated_at=iso(now),
    )  # fmt: skip
    created = deliveries.create(delivery, expires_at=int((now + timedelta(days=30)).timestamp()))
    existing = None if created else deliveries.get(delivery_id)
    # A previous call may have written the record and died before queueing it: queue again.
    # The sender claims attempts conditionally, so a duplicate message sends nothing twice.
    if created or (existing and existing.status == DeliveryState.PENDING and existing.attempt_count == 0):
        round_ = (existing.redeliveries or 0) if existing else 0
        queue.send({"delivery_id": delivery_id, "due_at": time.time(), "attempt": 1, "round": round_})
    return delivery_id


def _requeue_unqueued_retry(delivery: StoredDelivery, attempt: int, round_: Any, queue: Queue) -> None:
    """This message's attempt is over and a retry is scheduled, yet SQS delivers the message again:
    the sender that recorded the attempt may have failed to queue the retry. Queue it again, due
    when it was; a copy is harmless, the retry's claim sends once. (Only on an SQS redelivery: a
    duplicate delivered once is not a sign of a lost retry.)"""
    recorded = any(a.attempt == attempt for a in delivery.attempts)
    if (
        recorded
        and delivery.attempt_count == attempt
        and delivery.claim_expires_at is None
        and delivery.next_attempt_at
    ):
        due = datetime.fromisoformat(delivery.next_attempt_at.replace("Z", "+00:00")).timestamp()
        delay = max(0, min(int(due - time.time()), 900))  # SQS delays at most 15 minutes; due_at says the rest
        queue.send({"delivery_id": delivery.delivery_id, "due_at": due, "attempt": attempt + 1,
                    "round": (delivery.redeliveries or 0) if round_ is None else round_}, delay)  # fmt: skip


def deliver(
    message: dict[str, Any], settings: Settings, deliveries: dal.DeliveryRepository, queue: Queue,
    secrets: Callable[[], list[str]], resolver: Resolver = system_resolver, now: datetime | None = None,
    time_left: float | None = None, redelivered: bool = False,
) -> DeliveryOutcome:  # fmt: skip
    """Handle one queue message for a delivery; returns what happened (for logs and metrics).

    `time_left`: seconds the invocation has left (Lambda's remaining time). The attempt's deadline
    fits in it, and the claim lasts it plus CLAIM_GRACE_SECONDS: a claim lapses only once the
    invocation that took it is gone, and then the message SQS delivers again takes it over.
    `redelivered`: SQS delivers this message again (ApproximateReceiveCount > 1): the invocation
    that had it failed, possibly after recording its attempt and before queueing the retry."""
    delivery_id = str(message["delivery_id"])
    due_at = float(message.get("due_at", 0))
    if due_at - time.time() > 1:  # SQS delays at most 15 minutes: wait again until due
        queue.send({**message, "due_at": due_at}, delay_seconds=int(due_at - time.time()))
        return DeliveryOutcome.WAITING
    deadline = float(settings.WEBHOOK_TIMEOUT)
    if time_left is not None:
        deadline = min(deadline, time_left - RECORD_RESERVE_SECONDS)
        if deadline < 1:  # not enough of this invocation left for an attempt: the next one makes it
            queue.send(message)
            return DeliveryOutcome.WAITING
    delivery = deliveries.get(delivery_id)
    if delivery is None or delivery.status != DeliveryState.PENDING:
        return DeliveryOutcome.NOTHING_TO_DO
    # Each message is for one attempt number of one round, claimed conditionally: a copy of a
    # message (SQS delivers at least once) finds its attempt taken and sends nothing, early or
    # twice; a message from before a redelivery finds a new round.
    attempt = int(message.get("attempt") or delivery.attempt_count + 1)
    round_ = message.get("round")
    now = now or utc_now()
    lease = (deadline + RECORD_RESERVE_SECONDS if time_left is None else time_left) + CLAIM_GRACE_SECONDS
    if not deliveries.claim_attempt(delivery_id, attempt, now, now + timedelta(seconds=lease), round_):
        if redelivered:
            _requeue_unqueued_retry(delivery, attempt, round_, queue)
        return DeliveryOutcome.TAKEN
    if delivery.attempt_count == attempt:
        logger.warning("webhook attempt taken over: its claim expired with no result recorded",
                       extra={"delivery_id": delivery_id, "attempt": attempt})  # fmt: skip
    record = DeliveryAttempt(attempt=attempt, at=iso(now))

    def finish(state: DeliveryState, outcome: DeliveryOutcome, **fields: Any) -> DeliveryOutcome:
        deliveries.record_attempt(delivery_id, record.model_copy(update=fields), state, now)
        return outcome

    if deliveries.endpoint_disabled(endpoint_key(delivery.url)):
        return finish(DeliveryState.DISABLED, DeliveryOutcome.DISABLED, error="endpoint disabled (HTTP 410)")
    try:
        target = resolve_target(delivery.url, settings.WEBHOOK_ALLOW_PRIVATE_TARGETS, resolver)
    except UnsafeTarget as error:
        logger.warning("webhook target refused", extra={"delivery_id": delivery_id, "reason": error.message})
        return finish(DeliveryState.DEAD, DeliveryOutcome.DEAD, error=error.message)
    body = delivery.payload.encode()
    result = post(target, signed_headers(secrets(), delivery_id, body), body, deadline)
    record = record.model_copy(update={"status": result.status, "latency_ms": result.latency_ms, "error": result.error})
    if result.ok:
        return finish(DeliveryState.DELIVERED, DeliveryOutcome.DELIVERED)
    if result.status == 410:
        deliveries.disable_endpoint(endpoint_key(delivery.url), delivery.url, now)
        return finish(DeliveryState.DISABLED, DeliveryOutcome.DISABLED)
    delays = settings.webhook_retry_delays
    if attempt > len(delays):
        return finish(DeliveryState.DEAD, DeliveryOutcome.DEAD)
    delay = max(delays[attempt - 1], result.retry_after or 0)
    next_at = iso(now + timedelta(seconds=delay))
    deliveries.record_attempt(delivery_id, record, DeliveryState.PENDING, now, next_attempt_at=next_at)
    following = {"delivery_id": delivery_id, "due_at": time.time() + delay, "attempt": attempt + 1,
                 "round": (delivery.redeliveries or 0) if round_ is None else round_}  # fmt: skip
    queue.send(following, delay)
    return DeliveryOutcome.RETRYING


def redeliver(
    delivery_id: str, deliveries: dal.DeliveryRepository, queue: Queue, now: datetime | None = None
) -> WebhookDelivery:
    """Send a delivery again from attempt 1: a finished one, or a pending one that has stalled
    (its claim expired with no result, or its next attempt is overdue). A pending delivery with
    an attempt in flight or a retry still ahead is refused (409), saying until when."""
    now = now or utc_now()
    delivery = deliveries.get(delivery_id)
    if delivery is None or not delivery_id.startswith("msg_"):
        raise DeliveryNotFound(f"webhook delivery {delivery_id} does not exist")
    if not deliveries.reopen(delivery_id, now):
        raise DeliveryNotRedeliverable(_why_not(deliveries.get(delivery_id) or delivery, now))
    reopened = deliveries.get(delivery_id) or delivery
    queue.send({"delivery_id": delivery_id, "due_at": time.time(), "attempt": 1, "round": reopened.redeliveries or 0})
    return reopened.view()


def _why_not(delivery: StoredDelivery, now: datetime) -> str:
    name = f"webhook delivery {delivery.delivery_id}"
    if delivery.claim_expires_at and delivery.claim_expires_at > iso(now):
        return (f"{name} is being sent (attempt {delivery.attempt_count}); if that attempt never ends, it can "
                f"be redelivered after {delivery.claim_expires_at}")  # fmt: skip
    if delivery.next_attempt_at and delivery.next_attempt_at > iso(now):
        return f"{name} is pending: its next attempt is at {delivery.next_attempt_at}; wait for it, or redeliver after"
    return f"{name} is {delivery.status}; try again"


def list_deliveries(state: DeliveryState, limit: int, deliveries: dal.DeliveryRepository) -> list[WebhookDelivery]:
    return [delivery.view() for delivery in deliveries.by_state(state, limit)]
