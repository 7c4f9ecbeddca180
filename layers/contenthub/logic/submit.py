"""Accept content-generation tasks — one (POST /tasks), or a batch of accounts × count (POST
/tasks/batch and every schedule firing, the same code) — record them as pending, count them
against each account's daily quota, and put them on the intake queue."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from contenthub import dal
from contenthub.errors import (
    AccountNotFound,
    InvalidRequest,
    QueueUnavailable,
    QuotaExceeded,
    ServiceDisabled,
    TaskNotFound,
    TaskStateConflict,
)
from contenthub.models import (
    BatchResult,
    BatchSubmitRequest,
    SubmitTaskRequest,
    Task,
    TaskStatus,
    iso,
    month_of,
    new_task_id,
    utc_now,
)
from contenthub.observability import logger
from contenthub.settings import Settings


def _require_enabled(settings: Settings) -> None:
    if not settings.ASYNC_CONTENT_GENERATION_ENABLED:
        raise ServiceDisabled("async content generation is disabled (ASYNC_CONTENT_GENERATION_ENABLED=false)")


def new_task(
    task_id: str,
    account_id: int,
    topic: str,
    keywords: list[str],
    auto_approve: bool,
    now: datetime,
    *,
    auto_publish: bool = False,
    scheduled_publish_at: datetime | None = None,
    source: str = "api",
) -> Task:
    return Task(
        task_id=task_id,
        account_id=account_id,
        status=TaskStatus.PENDING,
        topic=topic,
        keywords=keywords,
        auto_approve=auto_approve,
        auto_publish=auto_publish,
        scheduled_publish_at=iso(scheduled_publish_at) if scheduled_publish_at else None,
        progress=0,
        stage="queued",
        attempt=1,
        created_at=iso(now),
        updated_at=iso(now),
        source=source,
    )


def _item(task: Task) -> dict[str, Any]:
    item = task.model_dump(mode="json", exclude_none=True, exclude={"history"})
    item["created_month"] = month_of(task.created_at)  # the by_month index (lists without filters)
    return item


def quota_error(account: dict[str, Any], wanted: int, now: datetime) -> QuotaExceeded | None:
    """The error for `wanted` more tasks today, or None when the account's quota allows them."""
    quota = account.get("daily_quota")
    used = int((account.get("usage") or {}).get(now.strftime("%Y-%m-%d"), 0))
    if quota is None or used + wanted <= int(quota):
        return None
    resets = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return QuotaExceeded(
        f"account {account['account_id']} reached its daily quota: {used} of {quota} tasks used today, "
        f"{wanted} more requested; it resets at {iso(resets)}",
        headers={"Retry-After": str(max(1, int((resets - now).total_seconds())))},
    )


def _why_refused(accounts: dal.AccountRepository, account_id: int, wanted: int, now: datetime) -> Exception:
    account = accounts.get(account_id)
    if account is None:
        return AccountNotFound(
            f"account {account_id} does not exist; create it first (POST /accounts, or: contenthub account create)"
        )
    return quota_error(account, wanted, now) or TaskStateConflict(
        f"account {account_id} changed while the tasks were being created; submit again"
    )


def _enqueue(tasks: dal.TaskRepository, intake: dal.Queue, task: Task) -> None:
    try:
        intake.send({"task_id": task.task_id, "attempt": task.attempt})
    except QueueUnavailable as error:
        # The task must not sit pending forever with nothing queued: end it with the reason.
        tasks.finish(task.task_id, TaskStatus.FAILED, utc_now(), error=error.message)
        raise


def submit_task(
    request: SubmitTaskRequest,
    settings: Settings,
    tasks: dal.TaskRepository,
    intake: dal.Queue,
    accounts: dal.AccountRepository,
    now: datetime | None = None,
) -> Task:
    _require_enabled(settings)
    now = now or utc_now()
    task = new_task(
        new_task_id(), request.account_id, request.topic, request.keywords,
        settings.ASYNC_AUTO_APPROVE if request.auto_approve is None else request.auto_approve, now,
        auto_publish=request.auto_publish, scheduled_publish_at=request.scheduled_publish_at,
    )  # fmt: skip
    # No read first: the transaction itself checks that the account exists and has quota left.
    if not tasks.create([_item(task)], now, accounts_table=accounts.table):
        raise _why_refused(accounts, request.account_id, 1, now)
    _enqueue(tasks, intake, task)
    return task


def pick_topics(account: dict[str, Any], count: int, topics: list[str]) -> list[str]:
    """`topics` in turn if given; else the account's pool, least recently used first."""
    if topics:
        return [topics[i % len(topics)] for i in range(count)]
    pool: list[str] = list(account.get("topics") or [])
    if not pool:
        raise InvalidRequest(
            f"account {account['account_id']} has no topic pool; pass topics or set the account's topics"
        )
    last_used = account.get("topic_last_used") or {}
    ordered = sorted(pool, key=lambda t: (last_used.get(t, ""), pool.index(t)))
    return [ordered[i % len(ordered)] for i in range(count)]


def firing_task_id(firing: str, account_id: int, index: int) -> str:
    """Tasks of a schedule firing get ids derived from the firing, so a repeated delivery of the
    same firing (Scheduler is at-least-once) finds them instead of creating new ones."""
    return "task-" + hashlib.sha256(f"{firing}|{account_id}|{index}".encode()).hexdigest()[:12]


def submit_batch(
    request: BatchSubmitRequest,
    settings: Settings,
    tasks: dal.TaskRepository,
    intake: dal.Queue,
    accounts: dal.AccountRepository,
    now: datetime | None = None,
    *,
    firing: str | None = None,
    source: str = "batch",
) -> BatchResult:
    """account_ids × count_per_account tasks. Every account is checked (exists, quota) before
    anything is created; then one transaction per account. With `firing` set, a repeat of the same
    firing creates nothing new and returns the tasks of the first delivery."""
    _require_enabled(settings)
    now = now or utc_now()
    count = request.count_per_account
    known = {account_id: accounts.get(account_id) for account_id in request.account_ids}
    missing = [str(a) for a, item in known.items() if item is None]
    if missing:
        raise AccountNotFound(
            f"account(s) {', '.join(missing)} do not exist; "
            "create them first (POST /accounts, or: contenthub account create)"
        )
    plans: list[tuple[dict[str, Any], list[Task]]] = []
    for account_id, account in known.items():
        assert account is not None
        topics = pick_topics(account, count, request.topics)
        if firing is None and (error := quota_error(account, count, now)):
            raise error
        auto_approve = settings.ASYNC_AUTO_APPROVE if request.auto_approve is None else request.auto_approve
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
        quota = account.get("daily_quota")
        if tasks.create([_item(t) for t in batch], now, accounts_table=accounts.table,
                        quota=int(quota) if quota is not None else None,
                        topic_uses=[] if request.topics else [t.topic for t in batch]):  # fmt: skip
            created += len(batch)
            for task in batch:
                _enqueue(tasks, intake, task)
            result += batch
            continue
        existing = [tasks.get(t.task_id) for t in batch] if firing else []
        if firing and all(existing):
            # A repeated delivery of this firing: nothing new. Queue again what is still pending
            # (in case the first delivery stopped before queueing; the dispatcher ignores repeats).
            for item in existing:
                task = Task.from_item(item)  # type: ignore[arg-type]
                if task.status == TaskStatus.PENDING:
                    intake.send({"task_id": task.task_id, "attempt": task.attempt})
                result.append(task)
            continue
        if firing:
            # A firing over quota is skipped for that account only (the schedule keeps running).
            refusal = _why_refused(accounts, int(account["account_id"]), len(batch), now)
            logger.warning("schedule firing skipped an account", extra={"firing": firing, "reason": str(refusal)})
            continue
        raise _why_refused(accounts, int(account["account_id"]), len(batch), now)
    return BatchResult(tasks=result, created=created)


def get_task(task_id: str, tasks: dal.TaskRepository) -> Task:
    item = tasks.get(task_id)
    if item is None:
        raise TaskNotFound(f"task {task_id} does not exist")
    return Task.from_item(item)
