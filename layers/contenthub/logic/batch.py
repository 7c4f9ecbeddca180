"""Batches of accounts × count: POST /tasks/batch (all or nothing) and each schedule firing (per
account, at most the account's remaining quota). Both use the submit rules of logic/submit.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from contenthub import dal
from contenthub.aws.sqs import Queue
from contenthub.dal.transactions import MAX_ITEMS, AccountTasks, transaction_size
from contenthub.errors import AccountNotFound, QueueUnavailable, TaskStateConflict
from contenthub.logic.submit import (
    derived_task_id,
    enqueue,
    new_task,
    pick_topics,
    quota_error,
    require_enabled,
    why_refused,
)
from contenthub.models import (
    AccountRecord,
    BatchResult,
    BatchSubmitRequest,
    FiringSkip,
    Task,
    day_of,
    new_task_id,
    utc_now,
)
from contenthub.observability import MetricName, count, logger
from contenthub.settings import Settings
from contenthub.states import TaskStatus


@dataclass
class BatchStores:
    transactions: dal.Transactions
    accounts: dal.AccountRepository
    tasks: dal.TaskRepository
    intake: Queue


def _accounts(request: BatchSubmitRequest, accounts: dal.AccountRepository) -> list[AccountRecord]:
    known = {account_id: accounts.get(account_id) for account_id in request.account_ids}
    missing = [str(a) for a, account in known.items() if account is None]
    if missing:
        raise AccountNotFound(
            f"account(s) {', '.join(missing)} do not exist; "
            "create them first (POST /accounts, or: contenthub account create)"
        )
    return [account for account in known.values() if account is not None]


def _tasks(
    request: BatchSubmitRequest, settings: Settings, account: AccountRecord, count_: int, now: datetime,
    scope: str | None, source: str,
) -> AccountTasks:  # fmt: skip
    auto_approve = settings.ASYNC_AUTO_APPROVE if request.auto_approve is None else request.auto_approve
    topics = pick_topics(account, count_, request.topics)
    batch = [
        new_task(
            derived_task_id(scope, account.account_id, i) if scope else new_task_id(),
            account.account_id,
            topic,
            request.keywords,
            auto_approve,
            now,
            auto_publish=request.auto_publish,
            source=source,
        )  # fmt: skip
        for i, topic in enumerate(topics)
    ]
    # Each pool topic once (a pool smaller than the count repeats topics): withdraw restores each
    # topic's last use by its own path, and DynamoDB refuses an update naming one path twice.
    used = [] if request.topics else list(dict.fromkeys(t.topic for t in batch))
    return AccountTasks(
        batch, dal.Quota(account.daily_quota), used, {t: account.topic_last_used.get(t, "") for t in used}
    )


def _repeat(ids: list[str], stores: BatchStores) -> list[Task]:
    """The tasks of an earlier delivery of the same request, queued again where still pending (in
    case it stopped before queueing; the dispatcher ignores repeats)."""
    found = stores.tasks.get_many(ids)  # one isolated read: a concurrent delivery's tasks whole or not at all
    for task in found:
        if task.status == TaskStatus.PENDING:
            stores.intake.send({"task_id": task.task_id, "attempt": task.attempt})
    return found


def submit_batch(
    request: BatchSubmitRequest, settings: Settings, stores: BatchStores, now: datetime | None = None,
    request_key: str | None = None,
) -> BatchResult:  # fmt: skip
    """account_ids × count_per_account tasks, all or nothing: every account is checked (exists,
    topics, quota) first; then one transaction when the batch fits DynamoDB's 100 items, else one
    per account, withdrawn again if a later one is refused — a refused batch leaves no task and no
    usage behind. Tasks are queued only once all are stored. With an Idempotency-Key the task ids
    derive from it, so a retry never creates a second set."""
    require_enabled(settings)
    now = now or utc_now()
    accounts = _accounts(request, stores.accounts)
    for account in accounts:
        if error := quota_error(account, request.count_per_account, now):
            raise error
    groups = [
        _tasks(request, settings, account, request.count_per_account, now, request_key, "batch") for account in accounts
    ]
    if request_key and (found := _repeat([t.task_id for g in groups for t in g.tasks], stores)):
        return BatchResult(tasks=found, created=0)
    refused = _store_all(groups, stores, now)
    if refused is not None:
        raise why_refused(stores.accounts, refused.account_id, len(refused.tasks), now)
    created = [task for group in groups for task in group.tasks]
    _enqueue_all(created, stores, now)
    count(MetricName.SUBMITTED, len(created))
    logger.info("batch accepted", extra={"tasks_created": len(created), "tasks": [t.task_id for t in created]})
    return BatchResult(tasks=created, created=len(created))


def _enqueue_all(tasks: list[Task], stores: BatchStores, now: datetime) -> None:
    """Queue every stored task, in order. No task may sit pending with nothing queued: when the
    queue fails, the task it refused and every one after it end failed with the reason (as a
    single submit's task does), and QueueUnavailable (503) says how many were queued and will run."""
    for index, task in enumerate(tasks):
        try:
            enqueue(task, stores.intake, stores.transactions, now)  # fails this task on a queue error
        except QueueUnavailable as error:
            for unsent in tasks[index + 1 :]:
                stores.transactions.finish(unsent.task_id, unsent.attempt, TaskStatus.FAILED, now, error=error.message)
            failed = [t.task_id for t in tasks[index:]]
            logger.error("intake queue failed; the unqueued tasks ended failed", extra={"tasks_failed": failed})
            if len(tasks) == 1:
                raise
            raise QueueUnavailable(
                f"{error.message}; {index} of {len(tasks)} tasks were queued and will run, the other "
                f"{len(failed)} ended failed with this reason (retry them when the queue is back)",
                error.headers,
            ) from error


def _store_all(groups: list[AccountTasks], stores: BatchStores, now: datetime) -> AccountTasks | None:
    """Store every group or none; the group that was refused, or None."""
    if transaction_size(groups) <= MAX_ITEMS:
        if stores.transactions.submit(groups, now):
            return None
        for group in groups:  # which account refused it (the caller says why)
            account = stores.accounts.get(group.account_id)
            if account is None or quota_error(account, len(group.tasks), now):
                return group
        raise TaskStateConflict("an account changed while the tasks were being created; submit again")
    stored: list[AccountTasks] = []
    for group in groups:
        if stores.transactions.submit([group], now):
            stored.append(group)
            continue
        for done in reversed(stored):  # compensate: the batch is all or nothing
            if not stores.transactions.withdraw(done, now):
                logger.error("could not withdraw a refused batch's tasks", extra={"account_id": done.account_id})
        return group
    return None


def fire_batch(
    request: BatchSubmitRequest, settings: Settings, stores: BatchStores, firing: str, source: str,
    now: datetime | None = None,
) -> BatchResult:  # fmt: skip
    """One schedule firing: per account, count_per_account tasks or the account's remaining quota
    for the day if that is less (what is skipped is reported); task ids derive from the firing, so
    a repeated delivery creates nothing and returns the first delivery's tasks."""
    require_enabled(settings)
    now = now or utc_now()
    result: list[Task] = []
    created = 0
    skipped: list[FiringSkip] = []
    for account in _accounts(request, stores.accounts):
        wanted = request.count_per_account
        ids = [derived_task_id(firing, account.account_id, i) for i in range(wanted)]
        if found := _repeat(ids, stores):
            result += found
            continue
        new = _fire_account(request, settings, stores, account, firing, source, now)
        if not new and (found := _repeat(ids, stores)):  # the same firing, delivered at the same moment
            result += found
            continue
        result += new
        created += len(new)
        if len(new) < wanted:
            reason = f"daily quota {account.daily_quota} reached for {day_of(now)} (UTC)"
            skipped.append(FiringSkip(account_id=account.account_id, wanted=wanted, created=len(new), reason=reason))
    for skip in skipped:
        # Not **skip.model_dump(): its `created` would overwrite LogRecord.created (a KeyError).
        logger.warning("schedule firing skipped tasks", extra={"firing": firing, "skip": skip.model_dump()})
    count(MetricName.SUBMITTED, created)
    count(MetricName.FIRING_SKIPPED, sum(s.wanted - s.created for s in skipped))
    return BatchResult(tasks=result, created=created, skipped=skipped)


def _fire_account(
    request: BatchSubmitRequest, settings: Settings, stores: BatchStores, account: AccountRecord, firing: str,
    source: str, now: datetime, attempts: int = 3,
) -> list[Task]:  # fmt: skip
    """Create min(count, remaining quota) tasks for one account; a race with another submit is
    retried on a fresh read of the account."""
    for _ in range(attempts):
        remaining = request.count_per_account
        if account.daily_quota is not None:
            remaining = min(remaining, max(account.daily_quota - account.used_on(day_of(now)), 0))
        if remaining == 0:
            return []
        group = _tasks(request, settings, account, remaining, now, firing, source)
        if stores.transactions.submit([group], now):
            _enqueue_all(group.tasks, stores, now)
            return group.tasks
        if stores.tasks.get(group.tasks[0].task_id) is not None:
            return []  # another delivery of this firing created them (the caller returns those)
        fresh = stores.accounts.get(account.account_id)
        if fresh is None:
            return []
        account = fresh
    return []
