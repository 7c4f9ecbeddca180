"""The writes that must change several items at once, each one DynamoDB transaction: either all
of it happens or none, and its conditions make a repeat or a late call change nothing.

- submit: new tasks + the account's daily usage (quota) and topic use + the `submitted` counters;
- finish: a task's terminal status + its counter + (on success) its Content;
- retry:  a task's new attempt + the `retried` counters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from contenthub.dal.counters import Counter, counter_updates
from contenthub.dal.items import av, client, conditional
from contenthub.dal.tasks import task_item
from contenthub.models import StoredContent, Task, day_of, iso, month_of
from contenthub.states import TaskStatus


@dataclass(frozen=True)
class Quota:
    """The account's daily_quota as the caller read it (None: unlimited); the transaction checks
    that it is still that, and that `usage` leaves room for the new tasks."""

    limit: int | None


@dataclass
class Transactions:
    tasks_table: str
    counters_table: str
    accounts_table: str | None = None
    contents_table: str | None = None
    retention_days: int = 90

    def _call(self, items: list[dict[str, Any]]) -> bool:
        return conditional(client("dynamodb").transact_write_items, TransactItems=items)

    def submit(self, tasks: list[Task], now: datetime, quota: Quota | None = None, topic_uses: list[str] = ()) -> bool:  # type: ignore[assignment]
        """Write new pending tasks of one account, count them against its daily quota, mark the
        pool topics used and count them in /metrics. The account must exist. `quota=None` (one
        task) compares with the item's own daily_quota. False when a condition failed: the caller
        finds out which (unknown account, quota, tasks that exist already)."""
        assert self.accounts_table, "submit needs the accounts table"
        names = {"#u": "usage", "#d": day_of(now)}
        values: dict[str, Any] = {":zero": {"N": "0"}, ":n": {"N": str(len(tasks))}}
        condition = "attribute_exists(account_id) AND "
        if quota is None:
            condition += "(attribute_not_exists(daily_quota) OR attribute_not_exists(#u.#d) OR #u.#d < daily_quota)"
        elif quota.limit is None:
            condition += "attribute_not_exists(daily_quota)"
        else:
            condition += "daily_quota = :q AND (attribute_not_exists(#u.#d) OR #u.#d <= :max)"
            values[":q"] = {"N": str(quota.limit)}
            values[":max"] = {"N": str(quota.limit - len(tasks))}
        sets = ["#u.#d = if_not_exists(#u.#d, :zero) + :n"]
        for index, topic in enumerate(dict.fromkeys(topic_uses)):
            names[f"#t{index}"] = topic
            values[f":t{index}"] = {"S": iso(now + timedelta(milliseconds=index))}
            sets.append(f"topic_last_used.#t{index} = :t{index}")
        account_update = {
            "Update": {
                "TableName": self.accounts_table,
                "Key": {"account_id": {"N": str(tasks[0].account_id)}},
                "UpdateExpression": "SET " + ", ".join(sets),
                "ConditionExpression": condition,
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }
        puts = [
            {
                "Put": {
                    "TableName": self.tasks_table,
                    "Item": av(task_item(task)),
                    "ConditionExpression": "attribute_not_exists(task_id)",
                }
            }
            for task in tasks
        ]
        counters = counter_updates(self.counters_table, [Counter.SUBMITTED], now, amount=len(tasks))
        return self._call([account_update, *puts, *counters])

    def finish(
        self, task_id: str, status: TaskStatus, now: datetime, *, error: str | None = None,
        content: StoredContent | None = None,
    ) -> bool:  # fmt: skip
        """Move a pending/running task to a terminal status, count it, and (on success) store its
        content. False when the task was already terminal (a duplicate or late call)."""
        names = {"#st": "status"}
        values: dict[str, Any] = {
            ":status": {"S": status.value},
            ":now": {"S": iso(now)},
            ":pending": {"S": TaskStatus.PENDING.value},
            ":running": {"S": TaskStatus.RUNNING.value},
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
                    "ConditionExpression": "#st IN (:pending, :running)",
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
