"""Data access: the only module that talks to DynamoDB, S3 and SQS. Logic receives these
objects (or builds them with the cached factories) and never sees boto3."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from contenthub import aws
from contenthub.errors import AccountExists, AccountNotFound, InvalidRequest, QueueUnavailable, ResultMissing
from contenthub.models import Article, JobState, TaskStatus, iso
from contenthub.settings import get_settings

_ser = TypeSerializer()
_deser = TypeDeserializer()
# Content bodies larger than this go to S3 only; the item keeps a pointer (DynamoDB items max 400 KB).
INLINE_BODY_LIMIT = 100_000


def _plain(value: Any) -> Any:
    """DynamoDB Decimals → int/float, recursively."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _av(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _ser.serialize(v) for k, v in item.items() if v is not None}


def _conditional(write: Any, **request: Any) -> bool:
    """Run a conditional DynamoDB write: True when applied, False when its condition failed
    (a duplicate, a late or a lost race); any other error is raised."""
    try:
        write(**request)
    except ClientError as error:
        if _cancelled_by_condition(error):
            return False
        raise
    return True


def counter_keys(name: str, when: datetime) -> list[str]:
    """A count kept both in total and per UTC day, so /metrics reads O(1) items, never scans."""
    return [name, f"{name}:{when.strftime('%Y-%m-%d')}"]


def _counter_updates(table: str, names: list[str], when: datetime, amount: int = 1) -> list[dict[str, Any]]:
    return [
        {
            "Update": {
                "TableName": table,
                "Key": {"name": {"S": key}},
                "UpdateExpression": "ADD #v :n",
                "ExpressionAttributeNames": {"#v": "value"},
                "ExpressionAttributeValues": {":n": {"N": str(amount)}},
            }
        }
        for name in names
        for key in counter_keys(name, when)
    ]


# -- pagination ------------------------------------------------------------------------------------
def encode_cursor(state: dict[str, Any] | None) -> str | None:
    """An opaque page cursor (base64url JSON of where the next page starts)."""
    if not state:
        return None
    return base64.urlsafe_b64encode(json.dumps(_plain(state), separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any]:
    if not cursor:
        return {}
    try:
        state = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidRequest("cursor is not valid; pass next_cursor from the previous page unchanged") from error
    if not isinstance(state, dict):
        raise InvalidRequest("cursor is not valid; pass next_cursor from the previous page unchanged")
    return state


def query_page(
    table: str,
    limit: int,
    start_key: dict[str, Any] | None = None,
    **query: Any,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Up to `limit` items of one Query (newest first), following DynamoDB pages when a filter
    leaves a page short; returns the items and the key to continue from (None when done)."""
    items: list[dict[str, Any]] = []
    while len(items) < limit:
        request: dict[str, Any] = {"ScanIndexForward": False, **query, "Limit": limit - len(items)}
        if start_key:
            request["ExclusiveStartKey"] = start_key
        try:
            response = aws.dynamodb_table(table).query(**request)
        except ClientError as error:
            if start_key and error.response["Error"]["Code"] == "ValidationException":
                raise InvalidRequest("cursor does not belong to this list; start again without it") from error
            raise
        items += [_plain(item) for item in response.get("Items", [])]
        start_key = response.get("LastEvaluatedKey")
        if not start_key:
            break
    return items, start_key


MonthQuery = Callable[[str, int, dict[str, Any] | None], tuple[list[dict[str, Any]], dict[str, Any] | None]]


def months_between(since: datetime, until: datetime) -> list[str]:
    """Months from `until` back to `since`, newest first ("2026-11", "2026-10", …)."""
    months, year, month = [], until.year, until.month
    while (year, month) >= (since.year, since.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def month_pages(
    query: MonthQuery, months: list[str], limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of an unfiltered list: the by_month index, one month partition after another
    (newest first); the cursor remembers the month and the key within it."""
    state = decode_cursor(cursor)
    if "m" in state:
        if state["m"] not in months:
            raise InvalidRequest("cursor does not belong to this list; start again without it")
        months = months[months.index(state["m"]) :]
    found: list[dict[str, Any]] = []
    start_key = state.get("k")
    for position, month in enumerate(months):
        items, key = query(month, limit - len(found), start_key)
        found += items
        start_key = None
        if key:
            return found, encode_cursor({"m": month, "k": key})
        if len(found) >= limit:
            following = months[position + 1 :]
            return found, encode_cursor({"m": following[0]} if following else None)
    return found, None


def count_query(table: str, **query: Any) -> int:
    """Select=COUNT over every page of a Query: an index read, never a table scan."""
    total, start_key = 0, None
    while True:
        request: dict[str, Any] = {**query, "Select": "COUNT"}
        if start_key:
            request["ExclusiveStartKey"] = start_key
        response = aws.dynamodb_table(table).query(**request)
        total += int(response.get("Count", 0))
        start_key = response.get("LastEvaluatedKey")
        if not start_key:
            return total


def _cancelled_by_condition(error: ClientError) -> bool:
    return error.response["Error"]["Code"] in ("TransactionCanceledException", "ConditionalCheckFailedException")


@dataclass
class TaskRepository:
    tasks_table: str
    counters_table: str
    retention_days: int = 90

    def create(
        self,
        items: list[dict[str, Any]],
        now: datetime,
        *,
        accounts_table: str,
        quota: int | None | str = "unknown",
        topic_uses: list[str] = (),  # type: ignore[assignment]
        source: str = "api",
    ) -> bool:
        """Write new pending tasks of one account, count them against the account's daily quota,
        mark the topics used (topic pool order) and count them in /metrics — one transaction, so
        either all of it happens or none. The account must exist. `quota` is the account's
        daily_quota as read by the caller (None = unlimited), or "unknown" for a single task
        (then the item's own daily_quota is compared). False when a condition failed: the caller
        finds out which (unknown account, quota, tasks that exist already)."""
        account_id = int(items[0]["account_id"])
        day = now.strftime("%Y-%m-%d")
        names = {"#u": "usage", "#d": day}
        values: dict[str, Any] = {":zero": {"N": "0"}, ":n": {"N": str(len(items))}}
        condition = "attribute_exists(account_id) AND "
        if quota == "unknown":
            condition += "(attribute_not_exists(daily_quota) OR attribute_not_exists(#u.#d) OR #u.#d < daily_quota)"
        elif quota is None:
            condition += "attribute_not_exists(daily_quota)"
        else:
            condition += "daily_quota = :q AND (attribute_not_exists(#u.#d) OR #u.#d <= :max)"
            values[":q"] = {"N": str(quota)}
            values[":max"] = {"N": str(int(quota) - len(items))}
        sets = ["#u.#d = if_not_exists(#u.#d, :zero) + :n"]
        for index, topic in enumerate(dict.fromkeys(topic_uses)):
            names[f"#t{index}"] = topic
            values[f":t{index}"] = {"S": iso(now + timedelta(milliseconds=index))}
            sets.append(f"topic_last_used.#t{index} = :t{index}")
        transaction = [
            {
                "Update": {
                    "TableName": accounts_table,
                    "Key": {"account_id": {"N": str(account_id)}},
                    "UpdateExpression": "SET " + ", ".join(sets),
                    "ConditionExpression": condition,
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values,
                }
            },
            *(
                {
                    "Put": {
                        "TableName": self.tasks_table,
                        "Item": _av(item),
                        "ConditionExpression": "attribute_not_exists(task_id)",
                    }
                }
                for item in items
            ),
            *_counter_updates(self.counters_table, ["submitted"], now, amount=len(items)),
        ]
        return _conditional(aws.client("dynamodb").transact_write_items, TransactItems=transaction)

    def get(self, task_id: str) -> dict[str, Any] | None:
        item = aws.dynamodb_table(self.tasks_table).get_item(Key={"task_id": task_id}, ConsistentRead=True).get("Item")
        return _plain(item) if item else None

    def update_progress(
        self, task_id: str, progress: int, stage: str | None, now: datetime, allow_backwards: bool = False
    ) -> None:
        """Progress only moves forward (unless a job restarts) and only while the task runs; a late
        poll changes nothing."""
        forward = "" if allow_backwards else " AND (attribute_not_exists(progress) OR progress <= :p)"
        _conditional(
            aws.dynamodb_table(self.tasks_table).update_item,
            Key={"task_id": task_id},
            UpdateExpression="SET progress = :p, stage = :s, updated_at = :now",
            ConditionExpression="#st = :running" + forward,
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={":p": progress, ":s": stage, ":now": iso(now), ":running": "running"},
        )

    def finish(
        self,
        task_id: str,
        status: TaskStatus,
        now: datetime,
        *,
        error: str | None = None,
        content_item: dict[str, Any] | None = None,
        contents_table: str | None = None,
    ) -> bool:
        """Move a pending/running task to a terminal status, count it, and (on success) store its
        content — all in one transaction, so a repeat changes nothing. Returns False when the task
        was already terminal (a duplicate or late call)."""
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
        if content_item is not None:
            sets += ["content_id = :cid", "progress = :hundred", "stage = :done"]
            values[":cid"] = {"S": content_item["content_id"]}
            values[":hundred"] = {"N": "100"}
            values[":done"] = {"S": "done"}
            items.append(
                {
                    "Put": {
                        "TableName": contents_table,
                        "Item": _av(content_item),
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
        items += _counter_updates(self.counters_table, [status.value], now)
        try:
            aws.client("dynamodb").transact_write_items(TransactItems=items)
        except ClientError as err:
            if _cancelled_by_condition(err):
                return False
            raise
        return True

    def retry(self, task: dict[str, Any], now: datetime) -> bool:
        """Start a new attempt of a failed, timed-out or cancelled task: pending again, attempt+1,
        the ended attempt appended to `history`. False if the task changed meanwhile."""
        record = {k: task.get(k) for k in ("attempt", "status", "error", "started_at", "finished_at")}
        transaction = [
            {
                "Update": {
                    "TableName": self.tasks_table,
                    "Key": {"task_id": {"S": task["task_id"]}},
                    "UpdateExpression": "SET #st = :pending, attempt = :next, progress = :zero, stage = :stage, "
                    "updated_at = :now, history = list_append(if_not_exists(history, :empty), :record) "
                    "REMOVE #err, content_id, started_at, finished_at, expires_at",
                    "ConditionExpression": "#st = :was AND attempt = :attempt",
                    "ExpressionAttributeNames": {"#st": "status", "#err": "error"},
                    "ExpressionAttributeValues": {
                        ":pending": {"S": TaskStatus.PENDING.value},
                        ":next": {"N": str(int(task["attempt"]) + 1)},
                        ":zero": {"N": "0"},
                        ":stage": {"S": "queued for retry"},
                        ":now": {"S": iso(now)},
                        ":empty": {"L": []},
                        ":record": {"L": [{"M": _av(record)}]},
                        ":was": {"S": task["status"]},
                        ":attempt": {"N": str(task["attempt"])},
                    },
                }
            },
            *_counter_updates(self.counters_table, ["retried"], now),
        ]
        return _conditional(aws.client("dynamodb").transact_write_items, TransactItems=transaction)

    def delete_finished(self, task_id: str) -> bool:
        """Delete a task that is (still) terminal; False if it is not (a retry started meanwhile)."""
        return _conditional(
            aws.dynamodb_table(self.tasks_table).delete_item,
            Key={"task_id": task_id},
            ConditionExpression="#st IN (:a, :b, :c, :d)",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={":a": "succeeded", ":b": "failed", ":c": "timed_out", ":d": "cancelled"},
        )

    def by_status(
        self, status: str, limit: int, since: str, until: str, start_key: dict[str, Any] | None = None,
        account_id: int | None = None, projection: str | None = None,
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:  # fmt: skip
        query: dict[str, Any] = {
            "IndexName": "by_status",
            "KeyConditionExpression": "#st = :s AND created_at BETWEEN :since AND :until",
            "ExpressionAttributeNames": {"#st": "status"},
            "ExpressionAttributeValues": {":s": status, ":since": since, ":until": until},
        }
        if account_id is not None:
            query["FilterExpression"] = "account_id = :a"
            query["ExpressionAttributeValues"][":a"] = account_id
        if projection:
            query["ProjectionExpression"] = projection
        return query_page(self.tasks_table, limit, start_key, **query)

    def by_account(
        self, account_id: int, limit: int, since: str, until: str, start_key: dict[str, Any] | None = None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        return query_page(
            self.tasks_table, limit, start_key, IndexName="by_account",
            KeyConditionExpression="account_id = :a AND created_at BETWEEN :since AND :until",
            ExpressionAttributeValues={":a": account_id, ":since": since, ":until": until},
        )  # fmt: skip

    def by_month(
        self, month: str, limit: int, since: str, until: str, start_key: dict[str, Any] | None = None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        return query_page(
            self.tasks_table, limit, start_key, IndexName="by_month",
            KeyConditionExpression="created_month = :m AND created_at BETWEEN :since AND :until",
            ExpressionAttributeValues={":m": month, ":since": since, ":until": until},
        )  # fmt: skip

    def count_status(self, status: str) -> int:
        return count_query(
            self.tasks_table, IndexName="by_status", KeyConditionExpression="#st = :s",
            ExpressionAttributeNames={"#st": "status"}, ExpressionAttributeValues={":s": status},
        )  # fmt: skip


@dataclass
class CounterRepository:
    table: str

    def read(self, names: list[str], when: datetime) -> dict[str, int]:
        """Totals and today's values of the named counters: one BatchGetItem, never a scan."""
        keys = [key for name in names for key in counter_keys(name, when)]
        response = aws.client("dynamodb").batch_get_item(
            RequestItems={self.table: {"Keys": [{"name": {"S": k}} for k in keys], "ConsistentRead": True}}
        )
        found = {
            item["name"]["S"]: int(item.get("value", {"N": "0"})["N"])
            for item in response.get("Responses", {}).get(self.table, [])
        }
        return {key: found.get(key, 0) for key in keys}

    def read_keys(self, keys: list[str]) -> dict[str, int]:
        """Counter values by exact key (e.g. per-day keys), 100 per BatchGetItem."""
        found: dict[str, int] = {}
        for start in range(0, len(keys), 100):
            response = aws.client("dynamodb").batch_get_item(
                RequestItems={
                    self.table: {
                        "Keys": [{"name": {"S": k}} for k in keys[start : start + 100]],
                        "ConsistentRead": True,
                    }
                }
            )
            for item in response.get("Responses", {}).get(self.table, []):
                found[item["name"]["S"]] = int(item.get("value", {"N": "0"})["N"])
        return {key: found.get(key, 0) for key in keys}


@dataclass
class ContentRepository:
    table: str

    def get(self, content_id: str) -> dict[str, Any] | None:
        item = aws.dynamodb_table(self.table).get_item(Key={"content_id": content_id}, ConsistentRead=True).get("Item")
        return _plain(item) if item else None

    def page(
        self, limit: int, start_key: dict[str, Any] | None, *, account_id: int | None = None,
        status: str | None = None, month: str | None = None,
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:  # fmt: skip
        """Newest first: by account (optionally filtered by status), by status, or one month."""
        query: dict[str, Any] = {"ExpressionAttributeNames": {"#st": "status"}, "ExpressionAttributeValues": {}}
        if account_id is not None:
            query.update(IndexName="by_account", KeyConditionExpression="account_id = :a")
            query["ExpressionAttributeValues"][":a"] = account_id
            if status:
                query["FilterExpression"] = "#st = :s"
                query["ExpressionAttributeValues"][":s"] = status
        elif status:
            query.update(IndexName="by_status", KeyConditionExpression="#st = :s")
            query["ExpressionAttributeValues"][":s"] = status
        else:
            query.update(IndexName="by_month", KeyConditionExpression="created_month = :m")
            query["ExpressionAttributeValues"][":m"] = month
        if "#st" not in (query.get("FilterExpression", "") + query["KeyConditionExpression"]):
            del query["ExpressionAttributeNames"]
        return query_page(self.table, limit, start_key, **query)

    def review(self, content_id: str, status: str, allowed_from: list[str], note: str | None, now: datetime) -> bool:
        """Approve or reject: status → `status` when it is one of `allowed_from`."""
        values: dict[str, Any] = {":s": status, ":now": iso(now), ":note": note}
        values.update({f":f{i}": s for i, s in enumerate(allowed_from)})
        return _conditional(
            aws.dynamodb_table(self.table).update_item,
            Key={"content_id": content_id},
            UpdateExpression="SET #st = :s, updated_at = :now, reviewed_at = :now, review_note = :note",
            ConditionExpression=f"#st IN ({', '.join(f':f{i}' for i in range(len(allowed_from)))})",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues=values,
        )


@dataclass
class AccountRepository:
    """Accounts (the old system's Account model): defaults for generation, topic pool, webhook,
    daily quota. `usage` holds tasks per UTC day; `topic_last_used` orders the topic pool."""

    table: str

    def create(self, item: dict[str, Any]) -> None:
        if not _conditional(
            aws.dynamodb_table(self.table).put_item,
            Item={**item, "usage": {}, "topic_last_used": {}},
            ConditionExpression="attribute_not_exists(account_id)",
        ):
            raise AccountExists(f"account {item['account_id']} exists already; update it instead")

    def get(self, account_id: int) -> dict[str, Any] | None:
        item = aws.dynamodb_table(self.table).get_item(Key={"account_id": account_id}, ConsistentRead=True).get("Item")
        return _plain(item) if item else None

    def require(self, account_id: int) -> dict[str, Any]:
        item = self.get(account_id)
        if item is None:
            raise AccountNotFound(
                f"account {account_id} does not exist; create it first (POST /accounts, or: contenthub account create)"
            )
        return item

    def page(self, limit: int, start_key: dict[str, Any] | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Accounts are few (an operator's list): a paginated Scan of the small accounts table."""
        request: dict[str, Any] = {"Limit": limit}
        if start_key:
            request["ExclusiveStartKey"] = start_key
        response = aws.dynamodb_table(self.table).scan(**request)
        return [_plain(i) for i in response.get("Items", [])], response.get("LastEvaluatedKey")

    def update(self, account_id: int, changes: dict[str, Any], now: datetime) -> dict[str, Any]:
        """Set the given fields; a None value removes the field (back to the default)."""
        names = {f"#f{i}": k for i, k in enumerate(changes)}
        sets = [f"#f{i} = :f{i}" for i, (k, v) in enumerate(changes.items()) if v is not None]
        removes = [f"#f{i}" for i, (k, v) in enumerate(changes.items()) if v is None]
        values: dict[str, Any] = {f":f{i}": v for i, (k, v) in enumerate(changes.items()) if v is not None}
        values[":now"] = iso(now)
        expression = (
            "SET " + ", ".join([*sets, "updated_at = :now"]) + (" REMOVE " + ", ".join(removes) if removes else "")
        )
        try:
            response = aws.dynamodb_table(self.table).update_item(
                Key={"account_id": account_id},
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(account_id)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if _cancelled_by_condition(error):
                raise AccountNotFound(f"account {account_id} does not exist") from error
            raise
        return _plain(response["Attributes"])


@dataclass
class JobRepository:
    """The runner's status rows: progress, heartbeat, result pointer or error, per job."""

    table: str

    def get(self, job_id: str) -> dict[str, Any] | None:
        item = aws.dynamodb_table(self.table).get_item(Key={"job_id": job_id}, ConsistentRead=True).get("Item")
        return _plain(item) if item else None

    def start(self, job_id: str, task_id: str, creator: str, now: datetime, runner_id: str = "") -> bool:
        """Claim a job for running. False when it already finished (a duplicate delivery)."""
        return _conditional(
            aws.dynamodb_table(self.table).update_item,
            Key={"job_id": job_id},
            UpdateExpression=(
                "SET task_id = :t, #st = :running, creator = :c, started_at = if_not_exists(started_at, :now), "
                "heartbeat_at = :now, progress = :zero, stage = :stage, expires_at = :exp, runner_id = :r"
            ),
            # New, or queued again after its runner died; anything else is a duplicate delivery.
            # A job cancelled before it started is never started.
            ConditionExpression="(attribute_not_exists(#st) OR #st = :queued) "
            "AND attribute_not_exists(cancel_requested)",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={
                ":t": task_id,
                ":r": runner_id,
                ":running": JobState.RUNNING.value,
                ":c": creator,
                ":now": iso(now),
                ":zero": 0,
                ":stage": "starting",
                ":exp": int((now + timedelta(days=30)).timestamp()),
                ":queued": JobState.QUEUED.value,
            },
        )

    def touch(self, job_id: str, now: datetime) -> None:
        """The per-job heartbeat: a running job whose heartbeat is 3 periods old has a dead runner."""
        _conditional(
            aws.dynamodb_table(self.table).update_item,
            Key={"job_id": job_id},
            UpdateExpression="SET heartbeat_at = :now",
            ConditionExpression="#st = :running",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={":now": iso(now), ":running": JobState.RUNNING.value},
        )

    def hand_back(self, job_id: str, now: datetime) -> bool:
        """A stopping runner gives a running job back: queued again for another runner."""
        return _conditional(
            aws.dynamodb_table(self.table).update_item,
            Key={"job_id": job_id},
            UpdateExpression="SET #st = :queued, stage = :stage, handed_back_at = :now",
            ConditionExpression="#st = :running",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={
                ":queued": JobState.QUEUED.value,
                ":running": JobState.RUNNING.value,
                ":stage": "handed back by a stopping runner",
                ":now": iso(now),
            },
        )

    def requeue_dead(self, job_id: str, stale_before: datetime, max_recoveries: int, now: datetime) -> bool:
        """Mark a job whose runner died as queued again (at most max_recoveries times)."""
        return _conditional(
            aws.dynamodb_table(self.table).update_item,
            Key={"job_id": job_id},
            UpdateExpression="SET #st = :queued, stage = :stage, requeued_at = :now, "
            "recoveries = if_not_exists(recoveries, :zero) + :one",
            ConditionExpression="#st = :running AND heartbeat_at < :stale "
            "AND (attribute_not_exists(recoveries) OR recoveries < :max)",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={
                ":queued": JobState.QUEUED.value,
                ":running": JobState.RUNNING.value,
                ":stage": "runner lost; waiting for another runner",
                ":zero": 0,
                ":one": 1,
                ":now": iso(now),
                ":stale": iso(stale_before),
                ":max": max_recoveries,
            },
        )

    def progress(self, job_id: str, progress: int, stage: str, now: datetime) -> None:
        aws.dynamodb_table(self.table).update_item(
            Key={"job_id": job_id},
            UpdateExpression="SET progress = :p, stage = :s, heartbeat_at = :now",
            ExpressionAttributeValues={":p": progress, ":s": stage, ":now": iso(now)},
        )

    def succeed(self, job_id: str, result_key: str, now: datetime) -> None:
        aws.dynamodb_table(self.table).update_item(
            Key={"job_id": job_id},
            UpdateExpression="SET #st = :ok, progress = :hundred, stage = :done, result_key = :k, "
            "finished_at = :now, heartbeat_at = :now",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={
                ":ok": JobState.SUCCEEDED.value,
                ":hundred": 100,
                ":done": "done",
                ":k": result_key,
                ":now": iso(now),
            },
        )

    def request_cancel(self, job_id: str, reason: str, now: datetime) -> None:
        """Ask the runner to stop this job (it checks about every second)."""
        aws.dynamodb_table(self.table).update_item(
            Key={"job_id": job_id},
            UpdateExpression="SET cancel_requested = :r, cancel_requested_at = :now",
            ExpressionAttributeValues={":r": reason, ":now": iso(now)},
        )

    def cancel_reason(self, job_id: str) -> str | None:
        item = (
            aws.dynamodb_table(self.table)
            .get_item(Key={"job_id": job_id}, ProjectionExpression="cancel_requested", ConsistentRead=True)
            .get("Item")
        )
        return str(item["cancel_requested"]) if item and item.get("cancel_requested") else None

    def fail(self, job_id: str, error: str, now: datetime) -> None:
        aws.dynamodb_table(self.table).update_item(
            Key={"job_id": job_id},
            UpdateExpression="SET #st = :failed, #err = :e, finished_at = :now, heartbeat_at = :now",
            ExpressionAttributeNames={"#st": "status", "#err": "error"},
            ExpressionAttributeValues={":failed": JobState.FAILED.value, ":e": error, ":now": iso(now)},
        )


@dataclass
class ArticleStore:
    bucket: str

    def put(self, key: str, article: Article) -> None:
        aws.client("s3").put_object(
            Bucket=self.bucket,
            Key=key,
            Body=article.model_dump_json().encode(),
            ContentType="application/json",
        )

    def get(self, key: str) -> Article:
        try:
            body = aws.client("s3").get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as error:
            if error.response["Error"]["Code"] in ("NoSuchKey", "404"):
                raise ResultMissing(f"the runner's result s3://{self.bucket}/{key} does not exist") from error
            raise
        return Article.model_validate_json(body)


@dataclass
class Queue:
    url: str

    def send(self, body: dict[str, Any]) -> None:
        try:
            aws.client("sqs").send_message(QueueUrl=self.url, MessageBody=json.dumps(body))
        except ClientError as error:
            raise QueueUnavailable(f"could not enqueue the task: {error.response['Error']['Message']}") from error


@lru_cache(maxsize=1)
def tasks() -> TaskRepository:
    s = get_settings()
    return TaskRepository(s.require("TASKS_TABLE"), s.require("COUNTERS_TABLE"), s.TASK_RETENTION_DAYS)


@lru_cache(maxsize=1)
def contents() -> ContentRepository:
    return ContentRepository(get_settings().require("CONTENTS_TABLE"))


@lru_cache(maxsize=1)
def accounts() -> AccountRepository:
    return AccountRepository(get_settings().require("ACCOUNTS_TABLE"))


@lru_cache(maxsize=1)
def counters() -> CounterRepository:
    return CounterRepository(get_settings().require("COUNTERS_TABLE"))


@lru_cache(maxsize=1)
def jobs() -> JobRepository:
    return JobRepository(get_settings().require("JOBS_TABLE"))


@lru_cache(maxsize=1)
def articles() -> ArticleStore:
    return ArticleStore(get_settings().require("ARTICLES_BUCKET"))


@lru_cache(maxsize=1)
def intake_queue() -> Queue:
    return Queue(get_settings().require("INTAKE_QUEUE_URL"))


@dataclass
class Orchestrator:
    """The Step Functions state machine that runs one task attempt per execution."""

    state_machine_arn: str

    def start(self, name: str, payload: dict[str, Any]) -> bool:
        """Start an execution; False when one of that name exists already (AWS refuses a duplicate)."""
        try:
            aws.client("stepfunctions").start_execution(
                stateMachineArn=self.state_machine_arn, name=name, input=json.dumps(payload)
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ExecutionAlreadyExists":
                return False
            raise
        return True

    def stop(self, name: str, cause: str) -> bool:
        """Stop the named execution; False when it does not exist (not started yet) or has ended."""
        arn = self.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{name}"
        try:
            aws.client("stepfunctions").stop_execution(executionArn=arn, error="Cancelled", cause=cause[:32768])
        except ClientError as error:
            if error.response["Error"]["Code"] in ("ExecutionDoesNotExist", "ResourceNotFound"):
                return False
            raise
        return True


@lru_cache(maxsize=1)
def orchestrator() -> Orchestrator:
    return Orchestrator(get_settings().require("STATE_MACHINE_ARN"))


@dataclass
class WebhookDeliveryRepository:
    """One item per delivery (`msg_…`), with every attempt; plus `endpoint#<hash>` items that
    record an endpoint disabled by a 410."""

    table: str

    def create(self, item: dict[str, Any]) -> bool:
        return _conditional(
            aws.dynamodb_table(self.table).put_item, Item=item, ConditionExpression="attribute_not_exists(delivery_id)"
        )

    def get(self, delivery_id: str) -> dict[str, Any] | None:
        item = (
            aws.dynamodb_table(self.table).get_item(Key={"delivery_id": delivery_id}, ConsistentRead=True).get("Item")
        )
        return _plain(item) if item else None

    def claim_attempt(self, delivery_id: str, attempt: int, now: datetime) -> bool:
        """Take attempt number `attempt` (1-based); False if another worker took it or it is over."""
        return _conditional(
            aws.dynamodb_table(self.table).update_item,
            Key={"delivery_id": delivery_id},
            UpdateExpression="SET attempt_count = :n, updated_at = :now",
            ConditionExpression="#st = :pending AND attempt_count = :previous",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={
                ":n": attempt,
                ":previous": attempt - 1,
                ":pending": "pending",
                ":now": iso(now),
            },
        )

    def record_attempt(
        self, delivery_id: str, attempt: dict[str, Any], status: str, now: datetime, next_attempt_at: str | None = None
    ) -> None:
        aws.dynamodb_table(self.table).update_item(
            Key={"delivery_id": delivery_id},
            UpdateExpression="SET attempts = list_append(if_not_exists(attempts, :empty), :a), #st = :s, "
            "updated_at = :now, next_attempt_at = :next",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={
                ":a": [attempt],
                ":empty": [],
                ":s": status,
                ":now": iso(now),
                ":next": next_attempt_at,
            },
        )

    def reopen(self, delivery_id: str, now: datetime) -> bool:
        """Make a dead (or disabled) delivery pending again, with a fresh retry schedule."""
        return _conditional(
            aws.dynamodb_table(self.table).update_item,
            Key={"delivery_id": delivery_id},
            UpdateExpression="SET #st = :pending, attempt_count = :zero, updated_at = :now, "
            "redeliveries = if_not_exists(redeliveries, :zero) + :one",
            ConditionExpression="#st IN (:dead, :disabled, :delivered)",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={
                ":pending": "pending",
                ":zero": 0,
                ":one": 1,
                ":now": iso(now),
                ":dead": "dead",
                ":disabled": "disabled",
                ":delivered": "delivered",
            },
        )

    def by_status(self, status: str, limit: int = 50) -> list[dict[str, Any]]:
        response = aws.dynamodb_table(self.table).query(
            IndexName="by_status",
            KeyConditionExpression="#st = :s",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={":s": status},
            ScanIndexForward=False,
            Limit=limit,
        )
        return [_plain(item) for item in response.get("Items", [])]

    def disable_endpoint(self, endpoint_key: str, url: str, now: datetime) -> None:
        aws.dynamodb_table(self.table).put_item(
            Item={"delivery_id": endpoint_key, "url": url, "disabled_at": iso(now), "reason": "HTTP 410 Gone"}
        )

    def endpoint_disabled(self, endpoint_key: str) -> bool:
        return self.get(endpoint_key) is not None


@dataclass
class DelayedQueue(Queue):
    def send_later(self, body: dict[str, Any], delay_seconds: int) -> None:
        aws.client("sqs").send_message(
            QueueUrl=self.url, MessageBody=json.dumps(body), DelaySeconds=max(0, min(int(delay_seconds), 900))
        )


@lru_cache(maxsize=1)
def webhook_deliveries() -> WebhookDeliveryRepository:
    return WebhookDeliveryRepository(get_settings().require("WEBHOOKS_TABLE"))


@lru_cache(maxsize=1)
def webhook_queue() -> DelayedQueue:
    return DelayedQueue(get_settings().require("WEBHOOK_QUEUE_URL"))


RUNNER_HEARTBEAT_KEY = "runner:heartbeat"


@dataclass
class RunnerHeartbeats:
    """The newest runner heartbeat, kept as one item in the counters table (read in O(1))."""

    table: str

    def beat(self, runner_id: str, slots_in_use: int, slots: int, now: datetime) -> None:
        aws.dynamodb_table(self.table).put_item(
            Item={
                "name": RUNNER_HEARTBEAT_KEY,
                "runner_id": runner_id,
                "heartbeat_at": iso(now),
                "slots_in_use": slots_in_use,
                "slots": slots,
            }
        )

    def latest(self) -> dict[str, Any] | None:
        item = aws.dynamodb_table(self.table).get_item(Key={"name": RUNNER_HEARTBEAT_KEY}).get("Item")
        return _plain(item) if item else None


@dataclass
class DependencyProbe:
    """Cheap reads that tell whether each dependency answers (for GET /health)."""

    def table(self, name: str) -> str:
        return str(aws.client("dynamodb").describe_table(TableName=name)["Table"]["TableStatus"])

    def queue_depth(self, url: str) -> int:
        attributes = aws.client("sqs").get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"])

    def state_machine(self, arn: str) -> str:
        return str(aws.client("stepfunctions").describe_state_machine(stateMachineArn=arn).get("status", "ACTIVE"))


@dataclass
class SlotLeases:
    """The global cap (ASYNC_MAX_CONCURRENT_TASKS) as leased slot items `lease:slot:<n>` in the
    counters table. A slot is taken with a conditional write (free, or its lease expired), renewed
    with every heartbeat, released after the job; a runner that dies simply stops renewing, so its
    slots free themselves after the lease time — a crash never leaks a slot."""

    table: str
    slots: int
    lease_seconds: float

    def _key(self, slot: int) -> dict[str, str]:
        return {"name": f"lease:slot:{slot}"}

    def acquire(self, holder: str, now: datetime) -> int | None:
        """Take a free slot for `holder` (a unique id per job run); None when all are busy."""
        import random

        order = list(range(self.slots))
        random.shuffle(order)  # spread contention over the slot items
        for slot in order:
            if _conditional(
                aws.dynamodb_table(self.table).update_item,
                Key=self._key(slot),
                UpdateExpression="SET holder = :h, expires_at = :exp, acquired_at = :now",
                ConditionExpression="attribute_not_exists(holder) OR expires_at < :now_epoch",
                ExpressionAttributeValues={
                    ":h": holder,
                    ":exp": Decimal(str(round(now.timestamp() + self.lease_seconds, 3))),
                    ":now": iso(now),
                    ":now_epoch": Decimal(str(round(now.timestamp(), 3))),
                },
            ):
                return slot
        return None

    def renew(self, slot: int, holder: str, now: datetime) -> bool:
        return _conditional(
            aws.dynamodb_table(self.table).update_item,
            Key=self._key(slot),
            UpdateExpression="SET expires_at = :exp",
            ConditionExpression="holder = :h",
            ExpressionAttributeValues={
                ":h": holder,
                ":exp": Decimal(str(round(now.timestamp() + self.lease_seconds, 3))),
            },
        )

    def release(self, slot: int, holder: str) -> None:
        _conditional(
            aws.dynamodb_table(self.table).update_item,
            Key=self._key(slot),
            UpdateExpression="REMOVE holder, expires_at, acquired_at",
            ConditionExpression="holder = :h",
            ExpressionAttributeValues={":h": holder},
        )

    def in_use(self, now: datetime) -> int:
        keys = [self._key(slot) for slot in range(self.slots)]
        items: list[dict[str, Any]] = []
        for start in range(0, len(keys), 100):
            response = aws.dynamodb_table(self.table).meta.client.batch_get_item(
                RequestItems={self.table: {"Keys": keys[start : start + 100], "ConsistentRead": True}}
            )
            items += response.get("Responses", {}).get(self.table, [])
        return sum(1 for i in items if i.get("holder") and float(i.get("expires_at", 0)) >= now.timestamp())


@lru_cache(maxsize=1)
def runner_jobs_queue() -> Queue:
    return Queue(get_settings().require("RUNNER_JOBS_QUEUE_URL"))


@dataclass
class GenerationTimes:
    """The most recent generation times per creator kind (one small item each in the counters
    table), from which the dispatcher picks the first wait."""

    table: str
    keep: int = 25

    def _key(self, kind: str) -> dict[str, str]:
        return {"name": f"gen:recent:{kind}"}

    def record(self, kind: str, seconds: float, attempts: int = 5) -> None:
        """Append a sample with optimistic locking, retried when another result landed at the same
        moment (seen by the benchmark: tasks finishing together lost their samples); after a few
        lost races the sample is dropped — it is one sample of a statistic."""
        for _ in range(attempts):
            item = aws.dynamodb_table(self.table).get_item(Key=self._key(kind), ConsistentRead=True).get("Item") or {}
            samples = [*_plain(item.get("samples", [])), round(float(seconds), 3)][-self.keep :]
            version = int(item.get("version", 0))
            if _conditional(
                aws.dynamodb_table(self.table).put_item,
                Item={**self._key(kind), "samples": [Decimal(str(s)) for s in samples], "version": version + 1},
                ConditionExpression="attribute_not_exists(#n) OR version = :v",
                ExpressionAttributeNames={"#n": "name"},
                ExpressionAttributeValues={":v": version},
            ):
                return

    def recent(self, kind: str) -> list[float]:
        item = aws.dynamodb_table(self.table).get_item(Key=self._key(kind)).get("Item") or {}
        return [float(s) for s in item.get("samples", [])]


@dataclass
class ScheduleRepository:
    """Our record of each batch schedule (display name, Unix cron, params, state, last firing);
    the schedule itself lives in EventBridge Scheduler under the same id."""

    table: str

    def put(self, item: dict[str, Any]) -> None:
        aws.dynamodb_table(self.table).put_item(Item=json.loads(json.dumps(item), parse_float=Decimal))

    def get(self, schedule_id: str) -> dict[str, Any] | None:
        item = (
            aws.dynamodb_table(self.table).get_item(Key={"schedule_id": schedule_id}, ConsistentRead=True).get("Item")
        )
        return _plain(item) if item else None

    def all(self) -> list[dict[str, Any]]:
        """Schedules are few (one per recurring job): a Scan of the small schedules table."""
        items, start_key = [], None
        while True:
            request: dict[str, Any] = {"ExclusiveStartKey": start_key} if start_key else {}
            response = aws.dynamodb_table(self.table).scan(**request)
            items += [_plain(i) for i in response.get("Items", [])]
            start_key = response.get("LastEvaluatedKey")
            if not start_key:
                return items

    def set_fields(self, schedule_id: str, **fields: Any) -> None:
        names = {f"#f{i}": k for i, k in enumerate(fields)}
        values = {f":f{i}": v for i, v in enumerate(fields.values())}
        aws.dynamodb_table(self.table).update_item(
            Key={"schedule_id": schedule_id},
            UpdateExpression="SET " + ", ".join(f"#f{i} = :f{i}" for i in range(len(fields))),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def delete(self, schedule_id: str) -> None:
        aws.dynamodb_table(self.table).delete_item(Key={"schedule_id": schedule_id})


@dataclass
class Scheduler:
    """EventBridge Scheduler schedules whose target is the batch-submit function. The target input
    carries Scheduler's own context attributes, so each firing knows its scheduled time."""

    function_arn: str
    role_arn: str

    def _definition(self, schedule_id: str, expression: str, timezone: str, state: str, name: str) -> dict[str, Any]:
        return {
            "Name": schedule_id,
            "ScheduleExpression": expression,
            "ScheduleExpressionTimezone": timezone,
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "State": state,
            "Description": name[:512],
            "Target": {
                "Arn": self.function_arn,
                "RoleArn": self.role_arn,
                "Input": json.dumps(
                    {
                        "schedule_id": schedule_id,
                        "scheduled_time": "<aws.scheduler.scheduled-time>",
                        "execution_id": "<aws.scheduler.execution-id>",
                    }
                ),
                "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 3},
            },
        }

    def create(self, schedule_id: str, expression: str, timezone: str, state: str, name: str) -> None:
        aws.client("scheduler").create_schedule(**self._definition(schedule_id, expression, timezone, state, name))

    def update(self, schedule_id: str, expression: str, timezone: str, state: str, name: str) -> None:
        """UpdateSchedule replaces the whole definition, so it is always sent complete."""
        aws.client("scheduler").update_schedule(**self._definition(schedule_id, expression, timezone, state, name))

    def delete(self, schedule_id: str) -> None:
        try:
            aws.client("scheduler").delete_schedule(Name=schedule_id)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceNotFoundException":
                raise


@lru_cache(maxsize=1)
def schedules() -> ScheduleRepository:
    return ScheduleRepository(get_settings().require("SCHEDULES_TABLE"))


@lru_cache(maxsize=1)
def scheduler() -> Scheduler:
    s = get_settings()
    return Scheduler(s.require("BATCH_FUNCTION_ARN"), s.require("BATCH_SCHEDULER_ROLE_ARN"))
