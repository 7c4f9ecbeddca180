"""The tasks table: reads, progress, lists by status / account / month, counts, deletion. State
changes that must move counters or other tables with a task are in contenthub.dal.transactions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from contenthub.dal.items import Repository, client, conditional, dynamodb_table, plain
from contenthub.dal.pages import Key, PageKey, count_query, created_between, equal_to, query_page, text_like
from contenthub.models import TASK_ID_PATTERN, Task, iso, month_of
from contenthub.states import TERMINAL, TaskStatus

_deserializer = TypeDeserializer()


def _deserialize(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


# Indexes that hold only their keys and account_id (infra/components/storage.py): a page of one
# is read from the table.
KEYS_PROJECTED = ("by_status", "by_month")


def task_item(task: Task) -> dict[str, Any]:
    """A new task as the table stores it (no history yet; the by_month index key added)."""
    item = task.model_dump(mode="json", exclude_none=True, exclude={"history"})
    item["created_month"] = month_of(task.created_at)  # the by_month index (lists without filters)
    return item


@dataclass
class TaskRepository(Repository[Task]):
    entity = Task
    key = "task_id"

    def get_many(self, task_ids: list[str]) -> list[Task]:
        """The tasks of these ids that exist, read in one TransactGetItems: isolated from
        transactions, so a group written together is seen whole or not at all."""
        found: list[Task] = []
        for start in range(0, len(task_ids), 100):
            response = client("dynamodb").transact_get_items(
                TransactItems=[
                    {"Get": {"TableName": self.table, "Key": {"task_id": {"S": task_id}}}}
                    for task_id in task_ids[start : start + 100]
                ]  # fmt: skip
            )
            items = [r["Item"] for r in response.get("Responses", []) if r.get("Item")]
            found += [Task.model_validate(plain(_deserialize(item))) for item in items]
        return found

    def update_progress(
        self, task_id: str, attempt: int, progress: int, stage: str | None, now: datetime,
        allow_backwards: bool = False,
    ) -> None:  # fmt: skip
        """Progress only moves forward (unless a job restarts) and only while this attempt runs; a
        late poll, or one of an earlier attempt, changes nothing."""
        forward = "" if allow_backwards else " AND (attribute_not_exists(progress) OR progress <= :p)"
        conditional(
            dynamodb_table(self.table).update_item,
            Key={"task_id": task_id},
            UpdateExpression="SET progress = :p, stage = :s, updated_at = :now",
            ConditionExpression="#st = :running AND attempt = :attempt" + forward,
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={
                ":p": progress, ":s": stage, ":now": iso(now), ":running": TaskStatus.RUNNING.value,
                ":attempt": attempt,
            },
        )  # fmt: skip

    def mark_requeued(self, task_id: str, attempt: int, most: int, now: datetime) -> bool:
        """Count one more re-queue of a lost pending attempt (the sweeper); False when the task
        moved on meanwhile or was re-queued `most` times already."""
        return conditional(
            dynamodb_table(self.table).update_item,
            Key={"task_id": task_id},
            UpdateExpression="SET requeued = if_not_exists(requeued, :zero) + :one, stage = :stage, updated_at = :now",
            ConditionExpression="#st = :pending AND attempt = :attempt AND "
            "(attribute_not_exists(requeued) OR requeued < :most)",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={
                ":zero": 0, ":one": 1, ":now": iso(now), ":pending": TaskStatus.PENDING.value, ":attempt": attempt,
                ":most": most, ":stage": "queued again: its intake message was lost",
            },
        )  # fmt: skip

    def delete_finished(self, task_id: str) -> bool:
        """Delete a task that is (still) terminal; False if it is not (a retry started meanwhile)."""
        return conditional(
            dynamodb_table(self.table).delete_item,
            Key={"task_id": task_id},
            ConditionExpression="#st IN (:a, :b, :c, :d)",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues=dict(zip((":a", ":b", ":c", ":d"), [s.value for s in TERMINAL], strict=True)),
        )

    @staticmethod
    def page_key(attribute: str, value: str | int, since: str = "0", until: str = "9") -> PageKey:
        """A start key on the index keyed by (attribute, created_at), within one list's window."""
        return PageKey({"task_id": text_like(TASK_ID_PATTERN), attribute: equal_to(value),
                        "created_at": created_between(since, until)})  # fmt: skip

    def by_status(
        self, status: TaskStatus, limit: int, since: str, until: str, start_key: Any = None,
        account_id: int | None = None,
    ) -> tuple[list[Task], Key | None]:  # fmt: skip
        """Newest first in `status` within [since, until]; an account is a filter (pages may end
        short: see query_page)."""
        query: dict[str, Any] = {
            "IndexName": "by_status",
            "KeyConditionExpression": "#st = :s AND created_at BETWEEN :since AND :until",
            "ExpressionAttributeNames": {"#st": "status"},
            "ExpressionAttributeValues": {":s": status.value, ":since": since, ":until": until},
        }
        if account_id is not None:
            query["FilterExpression"] = "account_id = :a"
            query["ExpressionAttributeValues"][":a"] = account_id
        page_key = self.page_key("status", status.value, since, until)
        items, key = query_page(self.table, limit, start_key, page_key, **query)
        return self._read([str(item["task_id"]) for item in items]), key

    def ids_by_status(self, status: TaskStatus, limit: int, until: str) -> tuple[list[str], Key | None]:
        """Ids of tasks in `status` created before `until`, oldest first (cleanup)."""
        items, key = query_page(
            self.table, limit, None, self.page_key("status", status.value), IndexName="by_status",
            ScanIndexForward=True, ProjectionExpression="task_id",
            KeyConditionExpression="#st = :s AND created_at < :until", ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={":s": status.value, ":until": until},
        )  # fmt: skip
        return [str(i["task_id"]) for i in items], key

    def _in_window(
        self, index: str, attribute: str, value: str | int, limit: int, since: str, until: str, start_key: Any
    ) -> tuple[list[Task], Key | None]:
        """Newest first on an index keyed by (attribute, created_at), within [since, until]."""
        items, key = query_page(
            self.table, limit, start_key, self.page_key(attribute, value, since, until), IndexName=index,
            KeyConditionExpression="#k = :v AND created_at BETWEEN :since AND :until",
            ExpressionAttributeNames={"#k": attribute},
            ExpressionAttributeValues={":v": value, ":since": since, ":until": until},
        )  # fmt: skip
        if index in KEYS_PROJECTED:
            return self._read([str(item["task_id"]) for item in items]), key
        return self._many(items), key

    def _read(self, task_ids: list[str]) -> list[Task]:
        """The tasks an index page named, in its order, read from the table (BatchGetItem,
        strongly consistent: each shows its latest state); one deleted meanwhile is left out."""
        found: dict[str, Task] = {}
        for start in range(0, len(task_ids), 100):
            pending: dict[str, Any] = {self.table: {"ConsistentRead": True, "Keys": [
                {"task_id": {"S": task_id}} for task_id in dict.fromkeys(task_ids[start : start + 100])]}}  # fmt: skip
            while pending:  # BatchGetItem may leave keys unprocessed under load
                response = client("dynamodb").batch_get_item(RequestItems=pending)
                for item in response.get("Responses", {}).get(self.table, []):
                    task = Task.model_validate(plain(_deserialize(item)))
                    found[task.task_id] = task
                pending = response.get("UnprocessedKeys") or {}
        return [found[task_id] for task_id in task_ids if task_id in found]

    def by_account(
        self, account_id: int, limit: int, since: str, until: str, start_key: Any = None
    ) -> tuple[list[Task], Key | None]:
        return self._in_window("by_account", "account_id", account_id, limit, since, until, start_key)

    def by_month(
        self, month: str, limit: int, since: str, until: str, start_key: Any = None
    ) -> tuple[list[Task], Key | None]:
        return self._in_window("by_month", "created_month", month, limit, since, until, start_key)

    def count(self, status: TaskStatus, until: str | None = None) -> int:
        """Tasks in `status` (created before `until`, when given), counted on the by_status index."""
        condition = "#st = :s" + (" AND created_at < :until" if until else "")
        values: dict[str, Any] = {":s": status.value, **({":until": until} if until else {})}
        return count_query(
            self.table, IndexName="by_status", KeyConditionExpression=condition,
            ExpressionAttributeNames={"#st": "status"}, ExpressionAttributeValues=values,
        )  # fmt: skip
