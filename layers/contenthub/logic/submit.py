"""Accept one content-generation task (POST /tasks): record it as pending, count it against the
account's daily quota, put it on the intake queue. The rules every submit shares (quota, topic
pool, derived ids, enqueue) live here too; batches and schedule firings are in logic/batch.py."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from contenthub import dal
from contenthub.aws.sqs import Queue
from contenthub.dal.accounts import not_found
from contenthub.errors import (
    InvalidRequest,
    QueueUnavailable,
    QuotaExceeded,
    ServiceDisabled,
    TaskStateConflict,
)
from contenthub.models import (
    AccountRecord,
    SubmitTaskRequest,
    Task,
    day_of,
    iso,
    new_task_id,
    utc_now,
)
from contenthub.observability import MetricName, count, logger
from contenthub.settings import Settings
from contenthub.states import TaskStatus


def require_enabled(settings: Settings) -> None:
    if not settings.ASYNC_CONTENT_GENERATION_ENABLED:
        raise ServiceDisabled("async content generation is disabled (ASYNC_CONTENT_GENERATION_ENABLED=false)")


def new_task(
    task_id: str, account_id: int, topic: str, keywords: list[str], auto_approve: bool, now: datetime, *,
    auto_publish: bool = False, scheduled_publish_at: datetime | None = None, source: str = "api",
) -> Task:  # fmt: skip
    return Task(
        task_id=task_id, account_id=account_id, status=TaskStatus.PENDING, topic=topic, keywords=keywords,
        auto_approve=auto_approve, auto_publish=auto_publish,
        scheduled_publish_at=iso(scheduled_publish_at) if scheduled_publish_at else None,
        progress=0, stage="queued", attempt=1, created_at=iso(now), updated_at=iso(now), source=source,
    )  # fmt: skip


def quota_error(account: AccountRecord, wanted: int, now: datetime) -> QuotaExceeded | None:
    """The error for `wanted` more tasks today, or None when the account's quota allows them."""
    quota = account.daily_quota
    used = account.used_on(day_of(now))
    if quota is None or used + wanted <= quota:
        return None
    resets = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return QuotaExceeded(
        f"account {account.account_id} reached its daily quota: {used} of {quota} tasks used today, "
        f"{wanted} more requested; it resets at {iso(resets)}",
        headers={"Retry-After": str(max(1, int((resets - now).total_seconds())))},
    )


def why_refused(accounts: dal.AccountRepository, account_id: int, wanted: int, now: datetime) -> Exception:
    account = accounts.get(account_id)
    if account is None:
        return not_found(account_id)
    return quota_error(account, wanted, now) or TaskStateConflict(
        f"account {account_id} changed while the tasks were being created; submit again"
    )


def enqueue(task: Task, intake: Queue, transactions: dal.Transactions, now: datetime) -> None:
    try:
        intake.send({"task_id": task.task_id, "attempt": task.attempt})
    except QueueUnavailable as error:
        # The task must not sit pending forever with nothing queued: end it with the reason.
        transactions.finish(task.task_id, task.attempt, TaskStatus.FAILED, now, error=error.message)
        raise


def submit_task(
    request: SubmitTaskRequest, settings: Settings, transactions: dal.Transactions, intake: Queue,
    accounts: dal.AccountRepository, tasks: dal.TaskRepository, now: datetime | None = None,
    request_key: str | None = None,
) -> Task:  # fmt: skip
    """One task. With an Idempotency-Key (`request_key`), its id derives from the key, so a retry
    whose first try got as far as creating the task returns that task instead of a second one."""
    require_enabled(settings)
    now = now or utc_now()
    task_id = derived_task_id(request_key, request.account_id, 0) if request_key else new_task_id()
    task = new_task(
        task_id, request.account_id, request.topic, request.keywords,
        settings.ASYNC_AUTO_APPROVE if request.auto_approve is None else request.auto_approve, now,
        auto_publish=request.auto_publish, scheduled_publish_at=request.scheduled_publish_at,
    )  # fmt: skip
    # No read first: the transaction itself checks that the account exists and has quota left.
    if not transactions.submit([dal.AccountTasks([task])], now):
        if request_key and (existing := tasks.get(task_id)):
            return existing
        raise why_refused(accounts, request.account_id, 1, now)
    enqueue(task, intake, transactions, now)
    count(MetricName.SUBMITTED)
    logger.info("task accepted", extra={"task_id": task.task_id, "account_id": task.account_id})
    return task


def pick_topics(account: AccountRecord, count: int, topics: list[str]) -> list[str]:
    """`topics` in turn if given; else the account's pool, least recently used first."""
    if topics:
        return [topics[i % len(topics)] for i in range(count)]
    pool = list(account.topics)
    if not pool:
        raise InvalidRequest(f"account {account.account_id} has no topic pool; pass topics or set the account's topics")
    ordered = sorted(pool, key=lambda t: (account.topic_last_used.get(t, ""), pool.index(t)))
    return [ordered[i % len(ordered)] for i in range(count)]


def derived_task_id(scope: str, account_id: int, index: int) -> str:
    """The id of task `index` of an account in a repeatable request — a schedule firing
    (Scheduler is at-least-once) or a request with an Idempotency-Key — so a repeat finds the
    tasks of the first delivery instead of creating new ones."""
    return "task-" + hashlib.sha256(f"{scope}|{account_id}|{index}".encode()).hexdigest()[:12]
