"""The end of an attempt (functions/handle_result, called by the state machine): store exactly one
Content for a succeeded job, or record why it failed; then count it, learn the generation time,
queue the task's webhook and announce approved auto-published content."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contenthub import dal
from contenthub.aws.s3 import ArticleStore
from contenthub.aws.sqs import Queue
from contenthub.dal.items import av
from contenthub.errors import TaskNotFound
from contenthub.logic.publishing import Publisher
from contenthub.logic.webhooks import notify
from contenthub.models import Article, StoredContent, Task, content_id_for, iso, job_id_for, utc_now
from contenthub.models import contents as limits
from contenthub.models.common import Model
from contenthub.models.jobs import ERROR_LIMIT, clip
from contenthub.observability import MetricName, count, logger, seconds
from contenthub.settings import Settings
from contenthub.states import ContentStatus, ResultAction, RunnerError, TaskStatus

STATUS_METRICS = {
    TaskStatus.SUCCEEDED: MetricName.SUCCEEDED,
    TaskStatus.FAILED: MetricName.FAILED,
    TaskStatus.TIMED_OUT: MetricName.TIMED_OUT,
    TaskStatus.CANCELLED: MetricName.CANCELLED,
}


class AttemptResult(Model):
    """What handle_result returns to the state machine (kept in the execution's state)."""

    status: TaskStatus | None
    changed: bool = False
    content_id: str | None = None
    error: str | None = None
    summary: str | None = None
    queue_wait_seconds: float | None = None
    generation_seconds: float | None = None


@dataclass
class ResultStores:
    """Everything the end of an attempt reads or writes."""

    tasks: dal.TaskRepository
    transactions: dal.Transactions
    jobs: dal.JobRepository
    accounts: dal.AccountRepository
    contents: dal.ContentRepository
    articles: ArticleStore
    generation_times: dal.GenerationTimes
    deliveries: dal.DeliveryRepository
    webhook_queue: Queue
    publisher: Publisher | None = None


def _seconds_between(start: str | None, end: datetime) -> float | None:
    return round((end - datetime.fromisoformat(start)).total_seconds(), 3) if start else None


def durations(task: Task, now: datetime) -> tuple[float | None, float | None]:
    """Queue wait (submitted → started) and generation time (started → stored), in seconds."""
    queue_wait = _seconds_between(task.created_at, datetime.fromisoformat(task.started_at)) if task.started_at else None
    return queue_wait, _seconds_between(task.started_at, now)


def store_result(task_id: str, attempt: int, result_key: str, stores: ResultStores, now: datetime) -> AttemptResult:
    """Store exactly one Content per succeeded attempt. A repeat returns the same content id."""
    task = stores.tasks.get(task_id)
    if task is None:
        raise TaskNotFound(f"task {task_id} does not exist")
    if task.status == TaskStatus.SUCCEEDED or task.attempt != attempt:
        # A repeat, or a late result of an attempt that is over (cancelled, then retried): nothing changes.
        return AttemptResult(status=task.status, content_id=task.content_id)
    article = stores.articles.get(result_key)
    fields, cut = fit(article)
    content = StoredContent(
        content_id=content_id_for(task_id, attempt), account_id=task.account_id, generation_task_id=task_id,
        body_s3_key=result_key, keywords=task.keywords, topic=task.topic,
        status=ContentStatus.APPROVED if task.auto_approve else ContentStatus.DRAFT, auto_publish=task.auto_publish,
        scheduled_publish_at=task.scheduled_publish_at, truncated=cut, created_at=iso(now), updated_at=iso(now),
        **fields,
    )  # fmt: skip
    if stores.transactions.finish(task_id, attempt, TaskStatus.SUCCEEDED, now, content=content):
        queue_wait, generation = durations(task, now)
        return AttemptResult(
            status=TaskStatus.SUCCEEDED, changed=True, content_id=content.content_id, summary=content.summary,
            queue_wait_seconds=queue_wait, generation_seconds=generation,
        )  # fmt: skip
    # Lost a race: another invocation stored it, or the task was ended (cancelled) meanwhile.
    latest = stores.tasks.get(task_id)
    return AttemptResult(status=latest.status if latest else None, content_id=latest.content_id if latest else None)


def fit(article: Article) -> tuple[dict[str, Any], list[str]]:
    """The article's fields as a Content item keeps them (the limits in models/contents.py), and the
    names of those cut there; the whole article stays in S3."""
    fields: dict[str, Any] = {
        "title": clip(article.title, limits.TITLE_LIMIT),
        "summary": clip(article.summary, limits.SUMMARY_LIMIT),
        "tags": [clip(tag, limits.TAG_LIMIT) for tag in article.tags[: limits.MAX_TAGS]],
        "metadata": article.metadata if _storable(article.metadata) else {},
        "body": article.body if len(article.body.encode()) <= limits.INLINE_BODY_LIMIT else None,  # else read from S3
    }
    kept = {"title": article.title, "summary": article.summary, "tags": article.tags, "metadata": article.metadata}
    return fields, [name for name, value in kept.items() if fields[name] != value]


def _storable(metadata: dict[str, Any]) -> bool:
    """Metadata fits the item exactly: within METADATA_LIMIT and METADATA_DEPTH, and every number
    within DynamoDB's 38 digits and range (floats as their shortest repr)."""

    def too_deep(value: Any, level: int = 1) -> bool:
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        return level > limits.METADATA_DEPTH or any(too_deep(child, level + 1) for child in children)

    try:
        if too_deep(metadata):
            return False
        if len(json.dumps(metadata, separators=(",", ":"), allow_nan=False).encode()) > limits.METADATA_LIMIT:
            return False
        av({"metadata": limits.metadata_item(metadata)})
    except (TypeError, ValueError, ArithmeticError):  # NaN/infinity; a number DynamoDB cannot hold exactly
        return False
    return True


def failure_message(poll: dict[str, Any] | None, error: dict[str, Any] | None) -> tuple[TaskStatus, str]:
    """The terminal status and a human message (at most ERROR_LIMIT bytes: it is kept in the task
    and the execution's state), from the poll outcome or a state's caught error."""
    status, message = _failure(poll, error)
    return status, clip(message, ERROR_LIMIT)


def _failure(poll: dict[str, Any] | None, error: dict[str, Any] | None) -> tuple[TaskStatus, str]:
    if poll and poll.get("status") in (TaskStatus.FAILED, TaskStatus.TIMED_OUT, TaskStatus.CANCELLED):
        return TaskStatus(poll["status"]), str(poll.get("error") or poll["status"])
    if not error:
        return TaskStatus.FAILED, "the task failed for an unknown reason"
    name = error.get("Error", "Error")
    if name == "States.Timeout":
        return TaskStatus.TIMED_OUT, "no result within ASYNC_TASK_TIMEOUT (the state's TimeoutSeconds)"
    if name == "States.HeartbeatTimeout":
        return TaskStatus.FAILED, "the runner stopped sending heartbeats (dead runner, or queued past the heartbeat)"
    if runner_error := RunnerError.named(name):  # sent by the runner (SendTaskFailure): the cause is the message
        return runner_error.task_status, str(error.get("Cause") or name)
    cause = error.get("Cause") or ""
    try:
        parsed = json.loads(cause)
        if isinstance(parsed, dict):
            cause = parsed.get("errorMessage") or parsed.get("message") or cause
    except (TypeError, ValueError):
        pass
    return TaskStatus.FAILED, f"{name}: {cause}".strip().rstrip(":")


def mark_failed(
    task_id: str, attempt: int, poll: dict[str, Any] | None, error: dict[str, Any] | None, stores: ResultStores,
    now: datetime,
) -> AttemptResult:  # fmt: skip
    if error and RunnerError.named(error.get("Error")) and not error.get("Cause"):
        # The runner's SendTaskFailure cause did not arrive (moto drops it); its job row has it.
        job = stores.jobs.get(job_id_for(task_id, attempt))
        error = {**error, "Cause": job.error if job else None}
    status, message = failure_message(poll, error)
    changed = stores.transactions.finish(task_id, attempt, status, now, error=message)
    if not changed:
        logger.info("task already terminal; failure not recorded again", extra={"task_id": task_id})
    return AttemptResult(status=status, changed=changed, error=message)


def end_attempt(
    action: ResultAction, state: dict[str, Any], settings: Settings, stores: ResultStores,
    now: datetime | None = None,
) -> AttemptResult:  # fmt: skip
    """Record how the attempt in the execution's `state` ended, then what follows from it."""
    now = now or utc_now()
    task_id, attempt = str(state["task_id"]), int(state.get("attempt", 1))
    if action == ResultAction.STORE:
        result = store_result(task_id, attempt, state["poll"]["result_key"], stores, now)
    else:
        result = mark_failed(task_id, attempt, state.get("poll"), state.get("error"), stores, now)
    if result.changed and result.status is not None:
        count(STATUS_METRICS[result.status])
        _learn(task_id, attempt, result, stores)
    logger.info("attempt ended", extra=result.model_dump(exclude_none=True))
    # Also on a repeat: an earlier call may have stopped between recording the outcome and these.
    task = stores.tasks.get(task_id)
    if task is not None and task.status.terminal:
        account = stores.accounts.get(task.account_id)  # its own webhook, if it has one
        notify(task, result.summary or result.error, settings, stores.deliveries, stores.webhook_queue, now, account)
    if result.content_id and stores.publisher is not None:
        content = stores.contents.get(result.content_id)
        if content is not None:
            stores.publisher.announce(content, now)
    return result


def _learn(task_id: str, attempt: int, result: AttemptResult, stores: ResultStores) -> None:
    """Generation and queue-wait metrics, and the creator kind's recent generation times (which
    the dispatcher's first wait is learned from)."""
    if result.generation_seconds is not None:
        job = stores.jobs.get(job_id_for(task_id, attempt))
        if job and job.creator:
            stores.generation_times.record(job.creator, result.generation_seconds)
        seconds(MetricName.GENERATION_DURATION, result.generation_seconds)
    if result.queue_wait_seconds is not None:
        seconds(MetricName.QUEUE_WAIT, result.queue_wait_seconds)
