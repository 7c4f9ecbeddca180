"""The writes that must change several items at once, each one DynamoDB transaction: either all
of it happens or none, and its conditions make a repeat or a late call change nothing.

- submit:   new tasks of one or more accounts + each account's daily usage (quota) and topic use
            + the `submitted` counters;
- withdraw: the exact undo of a submit whose batch could not complete (nothing was queued yet);
- finish:   a task attempt's terminal status + its counter + (on success) its Content;
- retry:    a task's new attempt + the `retried` counters.

Transactions that overlap on an item are cancelled by DynamoDB with TransactionConflict (the
counter shards are such items): those are retried with jittered backoff; a failed condition is
an answer (False), not an error.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from contenthub.dal.counters import Counter, counter_updates
from contenthub.dal.items import av, client, condition_failed, log
from contenthub.dal.tasks import task_item
from contenthub.errors import ServiceBusy
from contenthub.models import StoredContent, Task, day_of, iso, month_of
from contenthub.states import TaskStatus

MAX_ITEMS = 100  # DynamoDB's limit per TransactWriteItems
CONFLICT_RETRIES = 8


@dataclass(frozen=True)
class Quota:
    """The account's daily_quota as the caller read it (None: unlimited); the transaction checks
    that it is still that, and that `usage` leaves room for the new tasks."""

    limit: int | None


@dataclass
class AccountTasks:
    """New tasks of one account for `submit`. `quota=None` (one task) compares with the item's own
    daily_quota; `topic_uses` marks pool topics used, and `previous_topic_use` (what they were)
    lets `withdraw` put them back."""

    tasks: list[Task]
    quota: Quota | None = None
    topic_uses: list[str] = field(default_factory=list)
    previous_topic_use: dict[str, str] = field(default_factory=dict)

    @property
    def account_id(self) -> int:
        return self.tasks[0].account_id


def transaction_size(groups: list[AccountTasks]) -> int:
    """Items a submit of these groups writes: each task, each account, two counter shards."""
    return sum(len(g.tasks) + 1 for g in groups) + 2


def _only_conflicts(error: ClientError) -> bool:
    """Cancelled only because another transaction held an item (retry), not by a condition."""
    reasons = [str(r.get("Code", "None")) for r in error.response.get("CancellationReasons") or []]
    codes = set(reasons) - {"None"}
    return error.response["Error"]["Code"] == "TransactionConflictException" or (
        bool(codes) and codes <= {"TransactionConflict"}
    )


@dataclass
class Transactions:
    tasks_table: str
    counters_table: str
    accounts_table: str | None = None
    contents_table: str | None = None
    retention_days: int = 90

    def _call(self, items: list[dict[str, Any]]) -> bool:
        """True when applied, False when a condition failed; conflicts with other transactions
        are retried (jittered backoff), then ServiceBusy."""
        assert len(items) <= MAX_ITEMS, f"a transaction holds at most {MAX_ITEMS} items, not {len(items)}"
        for attempt in range(CONFLICT_RETRIES):
            try:
                client("dynamodb").transact_write_items(TransactItems=items)
                return True
            except ClientError as error:
                if _only_conflicts(error):
                    if attempt + 1 < CONFLICT_RETRIES:
                        log.info("retrying after a transaction conflict", extra={"attempt": attempt + 1})
                        time.sleep(random.uniform(0, 0.01 * 2**attempt))
                    continue
                if condition_failed(error):
                    return False
                raise
        raise ServiceBusy("too many concurrent writes to the same items; retry shortly", {"Retry-After": "1"})

    def submit(self, groups: list[AccountTasks], now: datetime) -> bool:
        """Write new pending tasks, count them against each account's daily quota, mark the pool
        topics used and count them in /metrics. Each account must exist. False when a condition
        failed (unknown account, quota, a task that exists already): the caller finds out which."""
        assert self.accounts_table, "submit needs the accounts table"
        if any(g.quota and g.quota.limit is not None and len(g.tasks) > g.quota.limit for g in groups):
            return False  # can never fit, not even on a day without usage yet (the old bug: it did)
        items: list[dict[str, Any]] = []
        for group in groups:
            items.append(self._usage(group, now, len(group.tasks), group.topic_uses, condition=True))
            items += [
                {
                    "Put": {
                        "TableName": self.tasks_table,
                        "Item": av(task_item(task)),
                        "ConditionExpression": "attribute_not_exists(task_id)",
                    }
                }  # fmt: skip
                for task in group.tasks
            ]
        total = sum(len(g.tasks) for g in groups)
        return self._call([*items, *counter_updates(self.counters_table, [Counter.SUBMITTED], now, total)])

    def withdraw(self, group: AccountTasks, now: datetime) -> bool:
        """Undo a submit of this group (its batch failed later, before anything was queued): the
        tasks deleted (only while still pending and untouched), the usage and counters given
        back, the pool topics' last use put back."""
        deletes = [
            {"Delete": {"TableName": self.tasks_table, "Key": {"task_id": {"S": task.task_id}},
                        "ConditionExpression": "#st = :pending AND attempt = :one",
                        "ExpressionAttributeNames": {"#st": "status"},
                        "ExpressionAttributeValues": {":pending": {"S": TaskStatus.PENDING.value}, ":one": {"N": "1"}}}}
            for task in group.tasks
        ]  # fmt: skip
        usage = self._usage(group, now, -len(group.tasks), [], condition=False, restore=group.previous_topic_use)
        counters = counter_updates(self.counters_table, [Counter.SUBMITTED], now, -len(group.tasks))
        return self._call([usage, *deletes, *counters])

    def _usage(
        self, group: AccountTasks, now: datetime, amount: int, topic_uses: list[str], condition: bool,
        restore: dict[str, str] | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """The account's update: usage of the day ± amount, topics' last use, and (for a submit)
        the existence and quota condition."""
        names = {"#u": "usage", "#d": day_of(now)}
        values: dict[str, Any] = {":zero": {"N": "0"}, ":n": {"N": str(amount)}}
        sets = ["#u.#d = if_not_exists(#u.#d, :zero) + :n"]
        removes: list[str] = []
        for index, topic in enumerate(dict.fromkeys(topic_uses)):
            names[f"#t{index}"] = topic
            values[f":t{index}"] = {"S": iso(now + timedelta(milliseconds=index))}
            sets.append(f"topic_last_used.#t{index} = :t{index}")
        for index, topic in enumerate(group.topic_uses if restore is not None else []):
            names[f"#r{index}"] = topic
            if (restore or {}).get(topic):
                values[f":r{index}"] = {"S": (restore or {})[topic]}
                sets.append(f"topic_last_used.#r{index} = :r{index}")
            else:
                removes.append(f"topic_last_used.#r{index}")
        update: dict[str, Any] = {
            "TableName": self.accounts_table,
            "Key": {"account_id": {"N": str(group.account_id)}},
            "UpdateExpression": "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else ""),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
        if condition:
            update["ConditionExpression"] = "attribute_exists(account_id) AND " + _quota_condition(
                group.quota, amount, values
            )
        return {"Update": update}

    def finish(
        self, task_id: str, attempt: int, status: TaskStatus, now: datetime, *, error: str | None = None,
        content: StoredContent | None = None,
    ) -> bool:  # fmt: skip
        """Move attempt `attempt` of a pending/running task to a terminal status, count it, and (on
        success) store its content. False when that attempt is already over, or the task has moved
        on to another attempt (a duplicate or late call changes nothing)."""
        names = {"#st": "status"}
        values: dict[str, Any] = {
            ":status": {"S": status.value},
            ":now": {"S": iso(now)},
            ":pending": {"S": TaskStatus.PENDING.value},
            ":running": {"S": TaskStatus.RUNNING.value},
            ":attempt": {"N": str(attempt)},
            ":expires": {"N": str(int((now + timedelta(days=self.retention_days)).timestamp()))},
        }
        sets = ["#st = :status", "updated_at = :now", "finished_at = :now", "expires_at = :expires"]
        if error is not None:
            sets.append("#err = :error")
            names["#err"] = "error"
            values[":error"] = {"S": error}
        items: list[dict[str, Any]] = []
        if content is not None:
            assert self.contents_table, "storing content needs the contents table"
            sets += ["content_id = :cid", "progress = :hundred", "stage = :done"]
            values.update({":cid": {"S": content.content_id}, ":hundred": {"N": "100"}, ":done": {"S": "done"}})
            item = content.item()  # metadata numbers as Decimal: DynamoDB refuses floats
            item["created_month"] = month_of(content.created_at)  # the by_month index (lists without filters)
            items.append(
                {
                    "Put": {
                        "TableName": self.contents_table,
                        "Item": av(item),
                        "ConditionExpression": "attribute_not_exists(content_id)",
                    }
                }
            )
        items.append(
            {
                "Update": {
                    "TableName": self.tasks_table,
                    "Key": {"task_id": {"S": task_id}},
                    "UpdateExpression": "SET " + ", ".join(sets),
                    "ConditionExpression": "#st IN (:pending, :running) AND attempt = :attempt",
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values,
                }
            }
        )
        return self._call([*items, *counter_updates(self.counters_table, [status.value], now)])

    def retry(self, task: Task, now: datetime) -> bool:
        """Start a new attempt of a failed, timed-out or cancelled task: pending again, attempt+1,
        the ended attempt appended to `history`. False if the task changed meanwhile."""
        record = {"attempt": task.attempt, "status": task.status.value, "error": task.error,
                  "started_at": task.started_at, "finished_at": task.finished_at}  # fmt: skip
        update = {
            "Update": {
                "TableName": self.tasks_table,
                "Key": {"task_id": {"S": task.task_id}},
                "UpdateExpression": "SET #st = :pending, attempt = :next, progress = :zero, stage = :stage, "
                "updated_at = :now, history = list_append(if_not_exists(history, :empty), :record) "
                "REMOVE #err, content_id, started_at, finished_at, expires_at",
                "ConditionExpression": "#st = :was AND attempt = :attempt",
                "ExpressionAttributeNames": {"#st": "status", "#err": "error"},
                "ExpressionAttributeValues": {
                    ":pending": {"S": TaskStatus.PENDING.value},
                    ":next": {"N": str(task.attempt + 1)},
                    ":zero": {"N": "0"},
                    ":stage": {"S": "queued for retry"},
                    ":now": {"S": iso(now)},
                    ":empty": {"L": []},
                    ":record": {"L": [{"M": av(record)}]},
                    ":was": {"S": task.status.value},
                    ":attempt": {"N": str(task.attempt)},
                },
            }
        }
        return self._call([update, *counter_updates(self.counters_table, [Counter.RETRIED], now)])


def _quota_condition(quota: Quota | None, amount: int, values: dict[str, Any]) -> str:
    """Room for `amount` more tasks today."""
    if quota is None:  # one task: the item's own daily_quota (≥ 1) decides
        return "(attribute_not_exists(daily_quota) OR attribute_not_exists(#u.#d) OR #u.#d < daily_quota)"
    if quota.limit is None:
        return "attribute_not_exists(daily_quota)"
    values[":q"] = {"N": str(quota.limit)}
    values[":max"] = {"N": str(quota.limit - amount)}
    return "daily_quota = :q AND (attribute_not_exists(#u.#d) OR #u.#d <= :max)"
