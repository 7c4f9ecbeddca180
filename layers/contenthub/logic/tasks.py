"""Operator actions on tasks: read, list (filters + cursor pages), cancel, retry, cleanup, stats.
Every read is an index query or a counter read, never a table scan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from contenthub import dal
from contenthub.aws.sqs import Queue
from contenthub.aws.stepfunctions import Orchestrator
from contenthub.dal.counters import Counter
from contenthub.dal.pages import key_cursor, month_pages, months_between, start_key
from contenthub.errors import InvalidRequest, TaskNotFound, TaskStateConflict
from contenthub.logic.submit import enqueue
from contenthub.logic.webhooks import notify
from contenthub.models import CleanupResult, Task, TaskPage, as_utc, day_of, execution_name, iso, job_id_for, utc_now
from contenthub.observability import MetricName, count
from contenthub.settings import Settings
from contenthub.states import TERMINAL, StopReason, TaskStatus

# Without `since`, an unfiltered list looks back this far (tasks expire TASK_RETENTION_DAYS after
# they finish, so older ones are rare).
DEFAULT_LOOKBACK_DAYS = 400
# An unfiltered list walks one month partition per query; beyond this window it would be thousands
# of queries for one page (fuzzing sent since=0677-01-21), so older windows need a filter.
MAX_UNFILTERED_MONTHS = 36
CLEANUP_BATCH = 500  # deletions per call; the answer says when more remain


def get_task(task_id: str, tasks: dal.TaskRepository) -> Task:
    task = tasks.get(task_id)
    if task is None:
        raise TaskNotFound(f"task {task_id} does not exist")
    return task


def list_tasks(
    tasks: dal.TaskRepository, *, status: TaskStatus | None = None, account_id: int | None = None,
    since: datetime | None = None, until: datetime | None = None, limit: int = 20, cursor: str | None = None,
    now: datetime | None = None,
) -> TaskPage:  # fmt: skip
    """Newest first. status → the by_status index (account as a filter); account → by_account;
    neither → by_month, one month partition after another (the cursor remembers which)."""
    now = now or utc_now()
    since, until = (as_utc(t) if t else None for t in (since, until))  # a time without a zone is UTC
    if since and until and since > until:
        raise InvalidRequest("since must not be after until")
    low, high = iso(since) if since else "0", iso(until) if until else "9"
    if status is not None:
        found, key = tasks.by_status(status, limit, low, high, start_key(cursor), account_id=account_id)
        return TaskPage(tasks=found, next_cursor=key_cursor(key))
    if account_id is not None:
        found, key = tasks.by_account(account_id, limit, low, high, start_key(cursor))
        return TaskPage(tasks=found, next_cursor=key_cursor(key))
    months = months_between(since or now - timedelta(days=DEFAULT_LOOKBACK_DAYS), until or now)
    if len(months) > MAX_UNFILTERED_MONTHS:
        raise InvalidRequest(
            f"without status or account_id, since..until may span at most {MAX_UNFILTERED_MONTHS} months; "
            "narrow the window or add a filter"
        )
    found, next_cursor = month_pages(lambda m, n, key: tasks.by_month(m, n, low, high, key), months, limit, cursor)
    return TaskPage(tasks=found, next_cursor=next_cursor)


@dataclass
class CancelStores:
    tasks: dal.TaskRepository
    transactions: dal.Transactions
    jobs: dal.JobRepository
    orchestrator: Orchestrator
    accounts: dal.AccountRepository
    deliveries: dal.DeliveryRepository
    webhook_queue: Queue


def cancel_task(task_id: str, settings: Settings, stores: CancelStores, now: datetime | None = None) -> Task:
    """Cancel a pending or running task: it ends `cancelled` at once; its execution is stopped and
    its runner job told to stop (the runner checks about once a second), so nothing is stored.
    The account's webhook hears `task.cancelled`."""
    now = now or utc_now()
    task = get_task(task_id, stores.tasks)
    if task.status.terminal:
        raise TaskStateConflict(f"task {task_id} already {task.status}; only pending or running tasks can be cancelled")
    reason = StopReason.CANCELLED
    # The job first: a runner that has not started it yet will then refuse to.
    stores.jobs.request_stop(job_id_for(task_id, task.attempt), reason, now)
    if not stores.transactions.finish(task_id, task.attempt, TaskStatus.CANCELLED, now, error=reason.value):
        latest = get_task(task_id, stores.tasks)
        raise TaskStateConflict(f"task {task_id} finished ({latest.status}) before it could be cancelled")
    stores.orchestrator.stop(execution_name(task_id, task.attempt), reason.value)
    count(MetricName.CANCELLED)
    cancelled = get_task(task_id, stores.tasks)
    account = stores.accounts.get(cancelled.account_id)
    notify(cancelled, None, settings, stores.deliveries, stores.webhook_queue, now, account)
    return cancelled


def retry_task(task_id: str, tasks: dal.TaskRepository, transactions: dal.Transactions, intake: Queue,
               now: datetime | None = None) -> Task:  # fmt: skip
    """A new attempt of a failed, timed-out or cancelled task (same task id, attempt + 1, the
    earlier attempt kept in `history`), queued like a new task: if the queue fails, the new attempt
    ends failed with the reason (QueueUnavailable, 503), so the task can be retried again rather
    than sit pending with nothing queued."""
    now = now or utc_now()
    task = get_task(task_id, tasks)
    if not task.status.retryable:
        raise TaskStateConflict(
            f"task {task_id} is {task.status}; only failed, timed_out or cancelled tasks can be retried"
        )
    if not transactions.retry(task, now):
        raise TaskStateConflict(f"task {task_id} changed meanwhile; look at it again")
    retried = get_task(task_id, tasks)
    enqueue(retried, intake, transactions, now)
    return retried


def cleanup(
    tasks: dal.TaskRepository, older_than_days: int, dry_run: bool, now: datetime | None = None
) -> CleanupResult:
    """Delete terminal tasks created more than `older_than_days` ago (their contents stay).
    A dry run only counts them. At most CLEANUP_BATCH deletions per call (`more` says if any remain)."""
    now = now or utc_now()
    cutoff = iso((now - timedelta(days=older_than_days)).astimezone(UTC))
    by_status: dict[str, int] = {}
    deleted, more = 0, False
    for status in TERMINAL:
        if dry_run:
            by_status[status.value] = tasks.count(status, until=cutoff)
            continue
        budget = CLEANUP_BATCH - deleted
        if budget <= 0:
            more = True
            break
        ids, key = tasks.ids_by_status(status, budget, cutoff)
        by_status[status.value] = sum(1 for task_id in ids if tasks.delete_finished(task_id))
        deleted += by_status[status.value]
        more = more or key is not None
    total = sum(by_status.values())
    return CleanupResult(
        dry_run=dry_run, older_than_days=older_than_days, cutoff=cutoff, by_status=by_status, more=more,
        matched=total if dry_run else None, deleted=None if dry_run else total,
    )  # fmt: skip


def task_stats(
    tasks: dal.TaskRepository, counters: dal.CounterRepository, now: datetime | None = None
) -> dict[str, Any]:
    """Tasks by status: pending and running counted on the by_status index, finished ones from the
    counters (attempts; a retried task counts once per ended attempt)."""
    now = now or utc_now()
    day = day_of(now)
    names = [s.value for s in TERMINAL]
    values = counters.read([Counter.SUBMITTED, Counter.RETRIED, *names], now)
    finished = sum(values[s] for s in names)
    by_status = {s.value: tasks.count(s) for s in (TaskStatus.PENDING, TaskStatus.RUNNING)}
    by_status.update({s: values[s] for s in names})
    return {
        "total_tasks": values[Counter.SUBMITTED],
        "retried": values[Counter.RETRIED],
        "by_status": by_status,
        "today": {"submitted": values[f"submitted:{day}"], **{s: values[f"{s}:{day}"] for s in names}},
        "success_rate": round(values["succeeded"] / finished, 4) if finished else None,
        "as_of": iso(now),
    }
