"""Operator actions on tasks: list (filters + cursor pages), cancel, retry, cleanup, stats.
Every read is an index query or a counter read, never a table scan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from contenthub import dal
from contenthub.errors import InvalidRequest, TaskNotFound, TaskStateConflict
from contenthub.logic.dispatch import execution_name
from contenthub.models import Task, TaskPage, TaskStatus, iso, job_id_for, utc_now

RETRYABLE = (TaskStatus.FAILED, TaskStatus.TIMED_OUT, TaskStatus.CANCELLED)
TERMINAL = [s.value for s in TaskStatus if s.terminal]
# Without `since`, an unfiltered list looks back this far (tasks expire TASK_RETENTION_DAYS after
# they finish, so older ones are rare).
DEFAULT_LOOKBACK_DAYS = 400
# An unfiltered list walks one month partition per query; beyond this window it would be thousands
# of queries for one page (fuzzing sent since=0677-01-21), so older windows need a filter.
MAX_UNFILTERED_MONTHS = 36
CLEANUP_BATCH = 500  # deletions per call; the answer says when more remain


def list_tasks(
    tasks: dal.TaskRepository,
    *,
    status: TaskStatus | None = None,
    account_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 20,
    cursor: str | None = None,
    now: datetime | None = None,
) -> TaskPage:
    """Newest first. status → the by_status index (account as a filter); account → by_account;
    neither → by_month, one month partition after another (the cursor remembers which)."""
    now = now or utc_now()
    if since and until and since > until:
        raise InvalidRequest("since must not be after until")
    low = iso(since) if since else "0"
    high = iso(until) if until else "9"
    state = dal.decode_cursor(cursor)
    start_key = state.get("k")
    if status is not None:
        items, key = tasks.by_status(status.value, limit, low, high, start_key, account_id=account_id)
        return TaskPage(
            tasks=[Task.from_item(i) for i in items], next_cursor=dal.encode_cursor({"k": key} if key else None)
        )
    if account_id is not None:
        items, key = tasks.by_account(account_id, limit, low, high, start_key)
        return TaskPage(
            tasks=[Task.from_item(i) for i in items], next_cursor=dal.encode_cursor({"k": key} if key else None)
        )
    months = dal.months_between(since or now - timedelta(days=DEFAULT_LOOKBACK_DAYS), until or now)
    if len(months) > MAX_UNFILTERED_MONTHS:
        raise InvalidRequest(
            f"without status or account_id, since..until may span at most {MAX_UNFILTERED_MONTHS} months; "
            "narrow the window or add a filter"
        )
    items, next_cursor = dal.month_pages(lambda m, n, key: tasks.by_month(m, n, low, high, key), months, limit, cursor)
    return TaskPage(tasks=[Task.from_item(i) for i in items], next_cursor=next_cursor)


def _require(tasks: dal.TaskRepository, task_id: str) -> dict[str, Any]:
    item = tasks.get(task_id)
    if item is None:
        raise TaskNotFound(f"task {task_id} does not exist")
    return item


def cancel_task(
    task_id: str,
    tasks: dal.TaskRepository,
    jobs: dal.JobRepository,
    orchestrator: dal.Orchestrator,
    now: datetime | None = None,
) -> Task:
    """Cancel a pending or running task: it ends `cancelled` at once; its execution is stopped and
    its runner job told to stop (the runner checks about once a second), so nothing is stored."""
    now = now or utc_now()
    item = _require(tasks, task_id)
    if TaskStatus(item["status"]).terminal:
        raise TaskStateConflict(
            f"task {task_id} already {item['status']}; only pending or running tasks can be cancelled"
        )
    attempt = int(item.get("attempt", 1))
    reason = "cancelled by an operator"
    # The job first: a runner that has not started it yet will then refuse to.
    jobs.request_cancel(job_id_for(task_id, attempt), reason, now)
    if not tasks.finish(task_id, TaskStatus.CANCELLED, now, error=reason):
        item = _require(tasks, task_id)
        raise TaskStateConflict(f"task {task_id} finished ({item['status']}) before it could be cancelled")
    orchestrator.stop(execution_name(task_id, attempt), reason)
    return Task.from_item(_require(tasks, task_id))


def retry_task(task_id: str, tasks: dal.TaskRepository, intake: dal.Queue, now: datetime | None = None) -> Task:
    """A new attempt of a failed, timed-out or cancelled task (same task id, attempt + 1, the
    earlier attempt kept in `history`), queued like a new task."""
    now = now or utc_now()
    item = _require(tasks, task_id)
    if TaskStatus(item["status"]) not in RETRYABLE:
        raise TaskStateConflict(
            f"task {task_id} is {item['status']}; only failed, timed_out or cancelled tasks can be retried"
        )
    if not tasks.retry(item, now):
        raise TaskStateConflict(f"task {task_id} changed meanwhile; look at it again")
    attempt = int(item.get("attempt", 1)) + 1
    intake.send({"task_id": task_id, "attempt": attempt})
    return Task.from_item(_require(tasks, task_id))


def cleanup(
    tasks: dal.TaskRepository, older_than_days: int, dry_run: bool, now: datetime | None = None
) -> dict[str, Any]:
    """Delete terminal tasks created more than `older_than_days` ago (their contents stay).
    A dry run only counts them. At most CLEANUP_BATCH deletions per call (`more` says if any remain)."""
    now = now or utc_now()
    cutoff = iso((now - timedelta(days=older_than_days)).astimezone(UTC))
    by_status: dict[str, int] = {}
    deleted = 0
    more = False
    for status in TERMINAL:
        if dry_run:
            by_status[status] = dal.count_query(
                tasks.tasks_table,
                IndexName="by_status",
                KeyConditionExpression="#st = :s AND created_at < :cutoff",
                ExpressionAttributeNames={"#st": "status"},
                ExpressionAttributeValues={":s": status, ":cutoff": cutoff},
            )
            continue
        budget = CLEANUP_BATCH - deleted
        if budget <= 0:
            more = True
            break
        items, key = tasks.by_status(status, budget, "0", cutoff, projection="task_id")
        removed = sum(1 for item in items if tasks.delete_finished(item["task_id"]))
        by_status[status] = removed
        deleted += removed
        more = more or key is not None
    return {
        "dry_run": dry_run,
        "older_than_days": older_than_days,
        "cutoff": cutoff,
        "matched" if dry_run else "deleted": sum(by_status.values()),
        "by_status": by_status,
        "more": more,
    }


def task_stats(
    tasks: dal.TaskRepository, counters: dal.CounterRepository, now: datetime | None = None
) -> dict[str, Any]:
    """Tasks by status: pending and running counted on the by_status index, finished ones from the
    counters (attempts; a retried task counts once per ended attempt)."""
    now = now or utc_now()
    day = now.strftime("%Y-%m-%d")
    values = counters.read(["submitted", "retried", *TERMINAL], now)
    finished = sum(values[s] for s in TERMINAL)
    by_status = {"pending": tasks.count_status("pending"), "running": tasks.count_status("running")}
    by_status.update({s: values[s] for s in TERMINAL})
    return {
        "total_tasks": values["submitted"],
        "retried": values["retried"],
        "by_status": by_status,
        "today": {"submitted": values[f"submitted:{day}"], **{s: values[f"{s}:{day}"] for s in TERMINAL}},
        "success_rate": round(values["succeeded"] / finished, 4) if finished else None,
        "as_of": iso(now),
    }
