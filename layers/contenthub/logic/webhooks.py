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
from contenthub.errors import DeliveryNotFound, DeliveryNotRedeliverable, UnsafeTarget
from contenthub.models import TaskStatus, iso, utc_now
from contenthub.observability import logger
from contenthub.settings import Settings
from contenthub.webhooks import Resolver, post, resolve_target, signed_headers, system_resolver

EVENTS = {
    TaskStatus.SUCCEEDED: "task.succeeded",
    TaskStatus.FAILED: "task.failed",
    TaskStatus.TIMED_OUT: "task.timed_out",
    TaskStatus.CANCELLED: "task.cancelled",
}
MAX_PAYLOAD_BYTES = 20_000
TASK_FIELDS = ("task_id", "account_id", "status", "topic", "keywords", "attempt", "error", "content_id",
               "created_at", "started_at", "finished_at")  # fmt: skip


def delivery_id_for(task_id: str, attempt: int, event_type: str) -> str:
    return f"msg_{task_id.removeprefix('task-')}_{attempt}_{event_type.removeprefix('task.')}"


def endpoint_key(url: str) -> str:
    return "endpoint#" + hashlib.sha256(url.encode()).hexdigest()[:24]


def build_payload(task: dict[str, Any], event_type: str, summary: str | None, now: datetime) -> bytes:
    """`{"type", "timestamp", "data"}` as Standard Webhooks recommends; always under 20 KB."""
    data = {k: task.get(k) for k in TASK_FIELDS}
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


def target_url(settings: Settings, account: dict[str, Any] | None) -> str | None:
    """Where a task's events go: the account's own webhook when it has one (webhook_enabled=false
    turns webhooks off for the account), else the global WEBHOOK_URL when WEBHOOK_ENABLED."""
    account = account or {}
    if account.get("webhook_enabled") is False:
        return None
    if account.get("webhook_url"):
        return str(account["webhook_url"])
    return settings.WEBHOOK_URL if settings.WEBHOOK_ENABLED and settings.WEBHOOK_URL else None


def notify(
    task: dict[str, Any],
    summary: str | None,
    settings: Settings,
    deliveries: dal.WebhookDeliveryRepository,
    queue: dal.DelayedQueue,
    now: datetime | None = None,
    account: dict[str, Any] | None = None,
) -> str | None:
    """Make sure the delivery for this terminal task attempt exists and is queued. Idempotent."""
    url = target_url(settings, account)
    if not url:
        return None
    event_type = EVENTS.get(TaskStatus(task["status"]))
    if event_type is None:
        return None
    now = now or utc_now()
    delivery_id = delivery_id_for(task["task_id"], int(task.get("attempt", 1)), event_type)
    created = deliveries.create(
        {
            "delivery_id": delivery_id,
            "event_type": event_type,
            "task_id": task["task_id"],
            "url": url,
            "status": "pending",
            "attempt_count": 0,
            "payload": build_payload(task, event_type, summary, now).decode(),
            "created_at": iso(now),
            "updated_at": iso(now),
            "expires_at": int((now + timedelta(days=30)).timestamp()),
        }
    )
    existing = None if created else deliveries.get(delivery_id)
    # A previous call may have written the record and died before queueing it: queue again.
    # The sender claims attempts conditionally, so a duplicate message sends nothing twice.
    if created or (existing and existing["status"] == "pending" and existing.get("attempt_count", 0) == 0):
        queue.send({"delivery_id": delivery_id, "due_at": time.time(), "attempt": 1})
    return delivery_id


def load_secrets(raw: str) -> list[str]:
    """A secret value may be `whsec_…`, or JSON: {"keys": [...]} (rotation: all are used to sign)
    or {"prefix": "whsec_", "key": "…"} (what the stack generates)."""
    raw = raw.strip()
    if raw.startswith("{"):
        data = json.loads(raw)
        if "keys" in data:
            return [str(k) for k in data["keys"]]
        return [str(data.get("prefix", "whsec_")) + str(data["key"])]
    return [raw]


def deliver(
    message: dict[str, Any],
    settings: Settings,
    deliveries: dal.WebhookDeliveryRepository,
    queue: dal.DelayedQueue,
    secrets: Callable[[], list[str]],
    resolver: Resolver = system_resolver,
    now: datetime | None = None,
) -> str:
    """Handle one queue message for a delivery; returns what happened (for logs and tests)."""
    delivery_id = str(message["delivery_id"])
    due_at = float(message.get("due_at", 0))
    if due_at - time.time() > 1:  # SQS delays at most 15 minutes: wait again until due
        queue.send_later({**message, "due_at": due_at}, int(due_at - time.time()))
        return "waiting"
    delivery = deliveries.get(delivery_id)
    if delivery is None or delivery["status"] != "pending":
        return "nothing to do"
    # Each message is for one attempt number, claimed conditionally: a copy of a message (SQS
    # delivers at least once) finds its attempt taken and sends nothing, early or twice.
    attempt = int(message.get("attempt") or int(delivery.get("attempt_count", 0)) + 1)
    now = now or utc_now()
    if not deliveries.claim_attempt(delivery_id, attempt, now):
        return "taken"
    record: dict[str, Any] = {"attempt": attempt, "at": iso(now)}
    url = delivery["url"]
    if deliveries.endpoint_disabled(endpoint_key(url)):
        deliveries.record_attempt(delivery_id, {**record, "error": "endpoint disabled (HTTP 410)"}, "disabled", now)
        return "disabled"
    try:
        target = resolve_target(url, settings.WEBHOOK_ALLOW_PRIVATE_TARGETS, resolver)
    except UnsafeTarget as error:
        deliveries.record_attempt(delivery_id, {**record, "error": error.message}, "dead", now)
        logger.warning("webhook target refused", extra={"delivery_id": delivery_id, "reason": error.message})
        return "dead"
    body = delivery["payload"].encode()
    result = post(target, signed_headers(secrets(), delivery_id, body), body, settings.WEBHOOK_TIMEOUT)
    record.update({"status": result.status, "latency_ms": result.latency_ms, "error": result.error})
    if result.ok:
        deliveries.record_attempt(delivery_id, record, "delivered", now)
        return "delivered"
    if result.status == 410:
        deliveries.disable_endpoint(endpoint_key(url), url, now)
        deliveries.record_attempt(delivery_id, record, "disabled", now)
        return "disabled"
    delays = settings.webhook_retry_delays
    if attempt > len(delays):
        deliveries.record_attempt(delivery_id, record, "dead", now)
        return "dead"
    delay = max(delays[attempt - 1], result.retry_after or 0)
    next_at = time.time() + delay
    deliveries.record_attempt(delivery_id, record, "pending", now, next_attempt_at=iso(now + timedelta(seconds=delay)))
    queue.send_later({"delivery_id": delivery_id, "due_at": next_at, "attempt": attempt + 1}, delay)
    return "retrying"


def redeliver(delivery_id: str, deliveries: dal.WebhookDeliveryRepository, queue: dal.DelayedQueue) -> dict[str, Any]:
    delivery = deliveries.get(delivery_id)
    if delivery is None or not delivery_id.startswith("msg_"):
        raise DeliveryNotFound(f"webhook delivery {delivery_id} does not exist")
    if not deliveries.reopen(delivery_id, utc_now()):
        raise DeliveryNotRedeliverable(f"webhook delivery {delivery_id} is {delivery['status']}; wait for it to finish")
    queue.send({"delivery_id": delivery_id, "due_at": time.time(), "attempt": 1})
    return public_view(deliveries.get(delivery_id) or delivery)


def public_view(delivery: dict[str, Any]) -> dict[str, Any]:
    keys = ("delivery_id", "event_type", "task_id", "url", "status", "attempt_count", "attempts",
            "next_attempt_at", "created_at", "updated_at", "redeliveries")  # fmt: skip
    return {k: delivery.get(k) for k in keys}
