"""The counters table's counts: totals and per-UTC-day values behind /metrics and /stats (O(1)
reads, never a scan), sharded so no item is hot; and the recent generation times per creator
kind behind the first wait."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contenthub.dal.items import client, conditional, decimal, dynamodb_table, get
from contenthub.models import day_of


class Counter:
    """Names of the counts (a terminal status's counter is named after the status)."""

    SUBMITTED = "submitted"
    RETRIED = "retried"


# Each count is kept in SHARDS items per period (the total, and each UTC day); a write adds to one
# shard chosen at random and a read sums them, so no item takes more than a tenth of the writes
# (DynamoDB: ~1,000 writes/s per item, and overlapping transactions on one item conflict).
SHARDS = 10
TOTAL = "total"


def shard_key(period: str, shard: int) -> str:
    """`count#total#3`, `count#2026-11-28#3`: one item per period and shard, every count an attribute."""
    return f"count#{period}#{shard}"


def counter_updates(
    table: str, names: list[str], when: datetime, amount: int = 1, shard: int | None = None
) -> list[dict[str, Any]]:
    """TransactWriteItems entries adding `amount` to each named count, in total and for the day."""
    shard = random.randrange(SHARDS) if shard is None else shard
    return [
        {
            "Update": {
                "TableName": table,
                "Key": {"name": {"S": shard_key(period, shard)}},
                "UpdateExpression": "ADD " + ", ".join(f"#c{i} :n" for i in range(len(names))),
                "ExpressionAttributeNames": {f"#c{i}": name for i, name in enumerate(names)},
                "ExpressionAttributeValues": {":n": {"N": str(amount)}},
            }
        }
        for period in (TOTAL, day_of(when))
    ]


@dataclass
class CounterRepository:
    table: str

    def read(self, names: list[str], when: datetime) -> dict[str, int]:
        """Totals and the day's values of the named counters (keys `name` and `name:<day>`):
        one BatchGetItem of 2 × SHARDS items."""
        day = day_of(when)
        values = self._sums([TOTAL, day], names)
        return {name: values[f"{name}:{TOTAL}"] for name in names} | {
            f"{name}:{day}": values[f"{name}:{day}"] for name in names
        }

    def read_days(self, names: list[str], days: list[str]) -> dict[str, int]:
        """The named counts of each day (keys `name:<day>`), 100 items per BatchGetItem."""
        return self._sums(days, names)

    def _sums(self, periods: list[str], names: list[str]) -> dict[str, int]:
        """`name:<period>` → the sum over the period's shards."""
        keys = [shard_key(period, shard) for period in periods for shard in range(SHARDS)]
        items = self._items(keys)
        sums = {f"{name}:{period}": 0 for period in periods for name in names}
        for item in items:
            period = item["name"]["S"].split("#")[1]
            for name in names:
                sums[f"{name}:{period}"] += int(item.get(name, {"N": "0"})["N"])
        return sums

    def _items(self, keys: list[str]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for start in range(0, len(keys), 100):
            pending: dict[str, Any] = {
                self.table: {"Keys": [{"name": {"S": k}} for k in keys[start : start + 100]], "ConsistentRead": True}
            }
            while pending:  # BatchGetItem may leave keys unprocessed under load
                response = client("dynamodb").batch_get_item(RequestItems=pending)
                found += response.get("Responses", {}).get(self.table, [])
                pending = response.get("UnprocessedKeys") or {}
        return found


@dataclass
class GenerationTimes:
    """The most recent generation times per creator kind (one small item each)."""

    table: str
    keep: int = 25

    def _key(self, kind: str) -> dict[str, str]:
        return {"name": f"gen:recent:{kind}"}

    def record(self, kind: str, seconds: float, attempts: int = 5) -> None:
        """Append a sample with optimistic locking, retried when another result landed at the same
        moment (seen by the benchmark: tasks finishing together lost their samples); after a few
        lost races the sample is dropped — it is one sample of a statistic."""
        for _ in range(attempts):
            item = get(self.table, self._key(kind)) or {}
            samples = [*item.get("samples", []), round(float(seconds), 3)][-self.keep :]
            version = int(item.get("version", 0))
            if conditional(
                dynamodb_table(self.table).put_item,
                Item={**self._key(kind), "samples": [decimal(s) for s in samples], "version": version + 1},
                ConditionExpression="attribute_not_exists(#n) OR version = :v",
                ExpressionAttributeNames={"#n": "name"},
                ExpressionAttributeValues={":v": version},
            ):
                return

    def recent(self, kind: str) -> list[float]:
        item = dynamodb_table(self.table).get_item(Key=self._key(kind)).get("Item") or {}
        return [float(s) for s in item.get("samples", [])]
