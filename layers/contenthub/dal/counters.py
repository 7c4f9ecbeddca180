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
        return batch_get(self.table, keys)


def batch_get(table: str, names: list[str], consistent: bool = True) -> list[dict[str, Any]]:
    """The items of these names that exist (low-level attribute values), 100 per BatchGetItem."""
    found: list[dict[str, Any]] = []
    for start in range(0, len(names), 100):
        pending: dict[str, Any] = {
            table: {"Keys": [{"name": {"S": k}} for k in names[start : start + 100]], "ConsistentRead": consistent}
        }
        while pending:  # BatchGetItem may leave keys unprocessed under load
            response = client("dynamodb").batch_get_item(RequestItems=pending)
            found += response.get("Responses", {}).get(table, [])
            pending = response.get("UnprocessedKeys") or {}
    return found


@dataclass
class GenerationTimes:
    """The most recent generation times per creator kind, in SHARDS small items: a result appends
    to one chosen at random (so no item takes more than about a tenth of the results), a read
    merges them (one BatchGetItem). Each keeps its last `keep`: about the last 30 results in all."""

    table: str
    keep: int = 3

    def _key(self, kind: str, shard: int) -> dict[str, str]:
        return {"name": f"gen:recent:{kind}#{shard}"}

    def record(self, kind: str, seconds: float, attempts: int = 5, shard: int | None = None) -> None:
        """Append a sample to a shard with optimistic locking, retried when another result landed
        there at the same moment (seen by the benchmark: tasks finishing together lost their
        samples); after a few lost races the sample is dropped — it is one sample of a statistic."""
        key = self._key(kind, random.randrange(SHARDS) if shard is None else shard)
        for _ in range(attempts):
            item = get(self.table, key) or {}
            samples = [*item.get("samples", []), round(float(seconds), 3)][-self.keep :]
            version = int(item.get("version", 0))
            if conditional(
                dynamodb_table(self.table).put_item,
                Item={**key, "samples": [decimal(s) for s in samples], "version": version + 1},
                ConditionExpression="attribute_not_exists(#n) OR version = :v",
                ExpressionAttributeNames={"#n": "name"},
                ExpressionAttributeValues={":v": version},
            ):
                return

    def recent(self, kind: str) -> list[float]:
        """Every kept sample, shortest first (eventually consistent: a statistic)."""
        names = [self._key(kind, shard)["name"] for shard in range(SHARDS)]
        items = batch_get(self.table, names, consistent=False)
        return sorted(float(s["N"]) for item in items for s in item.get("samples", {}).get("L", []))
