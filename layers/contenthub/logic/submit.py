"""Accept content-generation tasks — one (POST /tasks), or a batch of accounts × count (POST
/tasks/batch and every schedule firing, the same code) — record them as pending, count them
against each account's daily quota, and put them on the intake queue."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from contenthub import dal
from contenthub.aws.sqs import Queue
from contenthub.dal.accounts import not_found
from contenthub.errors import (
    AccountNotFound,
    InvalidRequest,
    QueueUnavailable,
    QuotaExceeded,
    ServiceDisabled,
    TaskStateConflict,
)
from contenthub.models import (
    AccountRecord,
    BatchResult,
    BatchSubmitRequest,
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


def _require_enabled(settings: Settings) -> None:
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


def _why_refused(accounts: dal.AccountRepository, account_id: int, wanted: int, now: datetime) -> Exception:
    account = accounts.get(account_id)
    if account is None:
        return not_found(account_id)
    return quota_error(account, wanted, now) or TaskStateConflict(
        f"account {account_id} changed while the tasks were being created; submit again"
    )


def enqueue(task: Task, intake: Queue, transactions: dal.Transactions) -> None:
    try:
        intake.send({"task_id": task.task_id, "attempt": task.attempt})
    except QueueUnavailable as error:
        # The task must not sit pending forever with nothing queued: end it with the reason.
        transactions.finish(task.task_id, TaskStatus.FAILED, utc_now(), error=error.message)
        raise


def submit_task(
    request: SubmitTaskRequest, settings: Settings, transactions: dal.Transactions, intake: Queue,
    accounts: dal.AccountRepository, now: datetime | None = None,
) -> Task:  # fmt: skip
    _require_enabled(settings)
    now = now or utc_now()
    task = new_task(
        new_task_id(), request.account_id, request.topic, request.keywords,
        settings.ASYNC_AUTO_APPROVE if request.auto_approve is None else request.auto_approve, now,
        auto_publish=request.auto_publish, scheduled_publish_at=request.scheduled_publish_at,
    )  # fmt: skip
    # No read first: the transaction itself checks that the account exists and has quota left.
    if not transactions.submit([task], now):
        raise _why_refused(accounts, request.account_id, 1, now)
    enqueue(task, intake, transactions)
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


def firing_task_id(firing: str, account_id: int, index: int) -> str:
    """Tasks of a schedule firing get ids derived from the firing, so a repeated delivery of the
    same firing (Scheduler is at-least-once) finds them instead of creating new ones."""
    return "task-" + hashlib.sha256(f"{firing}|{account_id}|{index}".encode()).hexdigest()[:12]


def submit_batch(
    request: BatchSubmitRequest, settings: Settings, transactions: dal.Transactions, intake: Queue,
    accounts: dal.AccountRepository, tasks: dal.TaskRepository, now: datetime | None = None, *,
    firing: str | None = None, source: str = "batch",
) -> BatchResult:  # fmt: skip
    """account_ids × count_per_account tasks. Every account is checked (exists, quota) before
    anything is created; then one transaction per account. With `firing` set, a repeat of the same
    firing creates nothing new and returns the tasks of the first delivery."""
    _require_enabled(settings)
    now = now or utc_now()
    per_account = request.count_per_account
    known = {account_id: accounts.get(account_id) for account_id in request.account_ids}
    missing = [str(a) for a, account in known.items() if account is None]
    if missing:
        raise AccountNotFound(
            f"account(s) {', '.join(missing)} do not exist; "
            "create them first (POST /accounts, or: contenthub account create)"
        )
    auto_approve = settings.ASYNC_AUTO_APPROVE if request.auto_approve is None else request.auto_approve
    plans: list[tuple[AccountRecord, list[Task]]] = []
    for account_id, account in known.items():
        assert account is not None
        topics = pick_topics(account, per_account, request.topics)
        if firing is None and (error := quota_error(account, per_account, now)):
            raise error
        batch = [
            new_task(
                firing_task_id(firing, account_id, i) if firing else new_task_id(),
                account_id,
                topic,
                request.keywords,
                auto_approve,
                now,
                auto_publish=request.auto_publish,
                source=source,
            )  # fmt: skip
            for i, topic in enumerate(topics)
        ]
        plans.append((account, batch))

    result: list[Task] = []
    created = 0
    for account, batch in plans:
        quota = dal.Quota(account.daily_quota)
        if transactions.submit(batch, now, quota, topic_uses=[] if request.topics else [t.topic for t in batch]):
            created += len(batch)
            for task in batch:
                enqueue(task, intake, transactions)
            result += batch
            continue
        found = [tasks.get(t.task_id) for t in batch] if firing else []
        existing = [t for t in found if t is not None]
        if firing and len(existing) == len(batch):
            # A repeated delivery of this firing: nothing new. Queue again what is still pending
            # (in case the first delivery stopped before queueing; the dispatcher ignores repeats).
            for task in existing:
                if task.status == TaskStatus.PENDING:
                    intake.send({"task_id": task.task_id, "attempt": task.attempt})
            result += existing
            continue
        refusal = _why_refused(accounts, account.account_id, len(batch), now)
        if firing:
            # A firing over quota is skipped for that account only (the schedule keeps running).
            logger.warning("schedule firing skipped an account", extra={"firing": firing, "reason": str(refusal)})
            continue
        raise refusal
    count(MetricName.SUBMITTED, created)
    logger.info("batch accepted", extra={"source": source, "tasks_created": created,
                                         "tasks": [t.task_id for t in result]})  # fmt: skip
    return BatchResult(tasks=result, created=created)
