"""Dead letters: what failed every delivery on the intake, runner-jobs and webhook queues. The
operator counts and reads them, sends chosen ones (or all) back to their source queue, or — for a
message that names a task — ends that task `failed` with the reason and removes the message.

Redriving is safe because every consumer is idempotent: the dispatcher starts an execution named
after the task attempt (a second start is refused by Step Functions, and a task that is no longer
pending is not started), a runner job row accepts one start, and a webhook attempt is claimed
conditionally.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from contenthub import dal, resources
from contenthub.aws.dead_letters import DeadLetterQueueClient, send_raw
from contenthub.aws.sqs import Queue
from contenthub.aws.stepfunctions import Orchestrator
from contenthub.errors import InvalidRequest
from contenthub.logic.webhooks import notify
from contenthub.models import execution_name, iso, job_id_for, utc_now
from contenthub.models.dead_letters import (
    DeadLetter,
    DeadLetterList,
    DeadLetterQueue,
    DeadLetterQueueName,
    DeadLetterQueues,
    FailedTask,
    FailRequest,
    FailResult,
    RedriveRequest,
    RedriveResult,
    Selection,
)
from contenthub.observability import logger
from contenthub.settings import Settings
from contenthub.states import StopReason, TaskStatus

Q = DeadLetterQueueName
# Each DLQ and the queue its messages came from.
QUEUES: dict[DeadLetterQueueName, tuple[resources.Resource, resources.Resource]] = {
    Q.INTAKE: (resources.INTAKE_DLQ_URL, resources.INTAKE_QUEUE_URL),
    Q.RUNNER_JOBS: (resources.RUNNER_JOBS_DLQ_URL, resources.RUNNER_JOBS_QUEUE_URL),
    Q.WEBHOOKS: (resources.WEBHOOK_DLQ_URL, resources.WEBHOOK_QUEUE_URL),
}
TASK_QUEUES = (Q.INTAKE, Q.RUNNER_JOBS)
MAX_PEEK = 50
MAX_BODY = 2000


def _queue_name(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def summary(settings: Settings) -> DeadLetterQueues:
    found = []
    for name, (dlq, source) in QUEUES.items():
        count, in_flight = DeadLetterQueueClient(settings.resource(dlq)).counts()
        found.append(DeadLetterQueue(name=name, source=_queue_name(settings.resource(source)), count=count,
                                     in_flight=in_flight, can_fail_tasks=name in TASK_QUEUES))  # fmt: skip
    return DeadLetterQueues(queues=found)


def _subject(name: DeadLetterQueueName, body: str) -> dict[str, Any]:
    """The task (and attempt) or webhook delivery a message is about; {} when it names none."""
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    if name == Q.RUNNER_JOBS and isinstance(data.get("job"), dict):  # callback mode wraps the job
        data = data["job"]
    if name == Q.WEBHOOKS:
        return {"delivery_id": str(data["delivery_id"])} if data.get("delivery_id") else {}
    subject: dict[str, Any] = {}
    if isinstance(data.get("task_id"), str):
        subject["task_id"] = data["task_id"]
    if isinstance(data.get("attempt"), int):
        subject["attempt"] = data["attempt"]
    return subject


def describe(name: DeadLetterQueueName, message: dict[str, Any], source: str, tasks: dal.TaskRepository | None,
             now: datetime) -> DeadLetter:  # fmt: skip
    attributes = message.get("Attributes", {})
    receives = int(attributes.get("ApproximateReceiveCount", 0))
    sent = datetime.fromtimestamp(int(attributes.get("SentTimestamp", 0)) / 1000, UTC)
    origin = _queue_name(attributes.get("DeadLetterQueueSourceArn", "").replace(":", "/")) or source
    subject = _subject(name, message["Body"])
    status = None
    if tasks is not None and subject.get("task_id"):
        task = tasks.get(subject["task_id"])
        status = task.status.value if task else "unknown task"
    reason = f"received {receives} time(s) from {origin} without being processed; then moved to its dead-letter queue"
    return DeadLetter(
        message_id=message["MessageId"], queue=name, receive_count=receives, source=origin, reason=reason,
        sent_at=iso(sent), age_seconds=max(0, int((now - sent).total_seconds())), body=message["Body"][:MAX_BODY],
        task_status=status, **subject,
    )  # fmt: skip


def peek(name: DeadLetterQueueName, limit: int, settings: Settings, tasks: dal.TaskRepository | None,
         now: datetime | None = None) -> DeadLetterList:  # fmt: skip
    """Up to `limit` messages, oldest first, left in the queue (each look adds one to their receive count)."""
    now = now or utc_now()
    dlq_resource, source_resource = QUEUES[name]
    dlq = DeadLetterQueueClient(settings.resource(dlq_resource))
    source = _queue_name(settings.resource(source_resource))
    seen: list[DeadLetter] = []

    def look(message: dict[str, Any]) -> bool:
        seen.append(describe(name, message, source, tasks, now))
        return False

    dlq.walk(look, min(limit, MAX_PEEK))
    count, in_flight = dlq.counts()
    seen.sort(key=lambda m: m.sent_at)
    return DeadLetterList(queue=name, count=count + in_flight, messages=seen)


def _check(selection: Selection) -> set[str]:
    if selection.all and selection.message_ids:
        raise InvalidRequest("give message_ids or all, not both")
    if not selection.all and not selection.message_ids:
        raise InvalidRequest("name the messages (message_ids) or set all to true")
    return set(selection.message_ids)


def redrive(name: DeadLetterQueueName, request: RedriveRequest, settings: Settings) -> RedriveResult:
    """Send the chosen messages (or all) back to the source queue, bodies unchanged."""
    wanted = _check(request)
    dlq_resource, source_resource = QUEUES[name]
    dlq = DeadLetterQueueClient(settings.resource(dlq_resource))
    source_url = settings.resource(source_resource)
    moved: list[str] = []

    def move(message: dict[str, Any]) -> bool:
        if not request.all and message["MessageId"] not in wanted:
            return False
        send_raw(source_url, message["Body"])
        dlq.delete(message)
        moved.append(message["MessageId"])
        return True

    dlq.walk(move)
    logger.info("dead letters redriven", extra={"queue": name.value, "moved": len(moved)})
    return RedriveResult(queue=name, moved=moved, not_found=sorted(wanted - set(moved)))


@dataclass
class FailStores:
    tasks: dal.TaskRepository
    transactions: dal.Transactions
    jobs: dal.JobRepository
    orchestrator: Orchestrator
    accounts: dal.AccountRepository
    deliveries: dal.DeliveryRepository
    webhook_queue: Queue


def fail_tasks(name: DeadLetterQueueName, request: FailRequest, settings: Settings, stores: FailStores,
               now: datetime | None = None) -> FailResult:  # fmt: skip
    """End the task of each chosen message `failed` with the reason (when it is still pending or
    running in that attempt), stop its execution and runner job, and remove the message."""
    if name not in TASK_QUEUES:
        raise InvalidRequest(f"messages of the {name} dead-letter queue name no task; redrive them instead")
    wanted = _check(request)
    now = now or utc_now()
    dlq_resource, source_resource = QUEUES[name]
    dlq = DeadLetterQueueClient(settings.resource(dlq_resource))
    source = _queue_name(settings.resource(source_resource))
    results: list[FailedTask] = []

    def fail(message: dict[str, Any]) -> bool:
        if not request.all and message["MessageId"] not in wanted:
            return False
        letter = describe(name, message, source, None, now)
        outcome = _fail_one(letter, request.reason or letter.reason, settings, stores, now)
        results.append(FailedTask(message_id=letter.message_id, task_id=letter.task_id, outcome=outcome))
        dlq.delete(message)
        return True

    dlq.walk(fail)
    return FailResult(queue=name, tasks=results, not_found=sorted(wanted - {r.message_id for r in results}))


def _fail_one(letter: DeadLetter, reason: str, settings: Settings, stores: FailStores, now: datetime) -> str:
    if not letter.task_id:
        return "names no task"
    task = stores.tasks.get(letter.task_id)
    if task is None:
        return "unknown task"
    if task.status.terminal:
        return f"already {task.status}"
    if letter.attempt is not None and letter.attempt != task.attempt:
        return f"message is for attempt {letter.attempt}; the task is on attempt {task.attempt}"
    stores.jobs.request_stop(job_id_for(task.task_id, task.attempt), StopReason.CANCELLED, now)
    if not stores.transactions.finish(
        task.task_id, task.attempt, TaskStatus.FAILED, now, error=f"dead-lettered: {reason}"
    ):
        latest = stores.tasks.get(task.task_id)
        return f"already {latest.status if latest else 'gone'}"
    stores.orchestrator.stop(execution_name(task.task_id, task.attempt), f"dead-lettered: {reason}")
    failed = stores.tasks.get(task.task_id)
    if failed is not None:
        notify(
            failed, None, settings, stores.deliveries, stores.webhook_queue, now, stores.accounts.get(failed.account_id)
        )
    logger.info("dead-lettered task failed", extra={"task_id": task.task_id, "reason": reason})
    return "failed"
