"""Turn a finished job into stored Content, or a failed one into a failed task."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from contenthub import dal
from contenthub.errors import TaskNotFound
from contenthub.models import ContentStatus, TaskStatus, content_id_for, iso, month_of, utc_now
from contenthub.observability import logger


def store_result(
    task_id: str,
    attempt: int,
    result_key: str,
    tasks: dal.TaskRepository,
    articles: dal.ArticleStore,
    contents_table: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Store exactly one Content per succeeded attempt. A repeat returns the same content id."""
    now = now or utc_now()
    task = tasks.get(task_id)
    if task is None:
        raise TaskNotFound(f"task {task_id} does not exist")
    if task["status"] == TaskStatus.SUCCEEDED:
        return {"content_id": task["content_id"], "stored": False, "status": task["status"], "summary": None}
    article = articles.get(result_key)
    content_id = content_id_for(task_id, attempt)
    body_inline = len(article.body.encode()) <= dal.INLINE_BODY_LIMIT
    content = {
        "content_id": content_id,
        "account_id": task["account_id"],
        "generation_task_id": task_id,
        "title": article.title,
        "body": article.body if body_inline else None,
        "body_s3_key": result_key,
        "summary": article.summary,
        "tags": article.tags,
        "keywords": task.get("keywords", []),
        "topic": task["topic"],
        "status": (ContentStatus.APPROVED if task.get("auto_approve") else ContentStatus.DRAFT).value,
        "auto_publish": bool(task.get("auto_publish", False)),
        "scheduled_publish_at": task.get("scheduled_publish_at"),
        "metadata": article.metadata,
        "created_at": iso(now),
        "created_month": month_of(iso(now)),  # the by_month index (lists without filters)
        "updated_at": iso(now),
    }
    if tasks.finish(task_id, TaskStatus.SUCCEEDED, now, content_item=content, contents_table=contents_table):
        return {
            "content_id": content_id,
            "stored": True,
            "status": TaskStatus.SUCCEEDED.value,
            "summary": article.summary,
            # Found by the benchmark: without these the first wait never learned and the
            # GenerationDuration / QueueWait metrics were never emitted.
            **durations(task, now),
        }
    # Lost a race: another invocation stored it, or the task was ended (cancelled) meanwhile.
    latest = tasks.get(task_id) or {}
    return {"content_id": latest.get("content_id"), "stored": False, "status": latest.get("status"), "summary": None}


def _seconds_between(start: str | None, end: datetime) -> float | None:
    if not start:
        return None
    return round((end - datetime.fromisoformat(start)).total_seconds(), 3)


def durations(task: dict[str, Any], now: datetime) -> dict[str, float | None]:
    """Queue wait (submitted → started) and generation time (started → stored), in seconds."""
    started = task.get("started_at")
    queue_wait = (
        round((datetime.fromisoformat(started) - datetime.fromisoformat(task["created_at"])).total_seconds(), 3)
        if started
        else None
    )
    return {"queue_wait_seconds": queue_wait, "generation_seconds": _seconds_between(started, now)}


# Errors the runner reports in callback mode (contenthub_runner.worker), and the status they mean.
RUNNER_ERRORS = {
    "CreatorError": TaskStatus.FAILED,
    "JobCancelled": TaskStatus.CANCELLED,
    "JobTimedOut": TaskStatus.TIMED_OUT,
}


def failure_message(poll: dict[str, Any] | None, error: dict[str, Any] | None) -> tuple[TaskStatus, str]:
    """The terminal status and a human message, from the poll outcome or a state's caught error."""
    if poll and poll.get("status") in (TaskStatus.FAILED, TaskStatus.TIMED_OUT, TaskStatus.CANCELLED):
        return TaskStatus(poll["status"]), str(poll.get("error") or poll["status"])
    if error:
        name = error.get("Error", "Error")
        if name == "States.Timeout":
            return TaskStatus.TIMED_OUT, "no result within ASYNC_TASK_TIMEOUT (the state's TimeoutSeconds)"
        if name == "States.HeartbeatTimeout":
            return (
                TaskStatus.FAILED,
                "the runner stopped sending heartbeats (dead runner, or queued past the heartbeat)",
            )
        if name in RUNNER_ERRORS:  # sent by the runner with SendTaskFailure: the cause is the message
            return RUNNER_ERRORS[name], str(error.get("Cause") or name)
        cause = error.get("Cause") or ""
        try:
            parsed = json.loads(cause)
            if isinstance(parsed, dict):
                cause = parsed.get("errorMessage") or parsed.get("message") or cause
        except (TypeError, ValueError):
            pass
        return TaskStatus.FAILED, f"{error.get('Error', 'Error')}: {cause}".strip().rstrip(":")
    return TaskStatus.FAILED, "the task failed for an unknown reason"


def mark_failed(
    task_id: str,
    poll: dict[str, Any] | None,
    error: dict[str, Any] | None,
    tasks: dal.TaskRepository,
    now: datetime | None = None,
    job_error: Callable[[], str | None] | None = None,
) -> dict[str, Any]:
    if error and error.get("Error") in RUNNER_ERRORS and not error.get("Cause") and job_error is not None:
        # The runner's SendTaskFailure cause did not arrive (moto drops it); its job row has it.
        error = {**error, "Cause": job_error()}
    status, message = failure_message(poll, error)
    changed = tasks.finish(task_id, status, now or utc_now(), error=message)
    if not changed:
        logger.info("task already terminal; failure not recorded again", extra={"task_id": task_id})
    return {"status": status.value, "error": message, "changed": changed}
