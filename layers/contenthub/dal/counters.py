"""The counters table's counts: totals and per-UTC-day values behind /metrics and /stats (O(1)
reads, never a scan), and the recent generation times per creator kind behind the first wait."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contenthub.dal.items import client, conditional, decimal, dynamodb_table, get
from contenthub.models import day_of


class Counter:
    """Names of the counts (a terminal status's counter is named after the status)."""

    SUBMITTED = "submitted"
    RETRIED = "retried"


def counter_keys(name: str, when: datetime) -> list[str]:
    """A count kept both in total and per UTC day."""
    return [name, f"{name}:{day_of(when)}"]


def counter_updates(table: str, names: list[str], when: datetime, amount: int = 1) -> list[dict[str, Any]]:
    """TransactWriteItems entries adding `amount` to each named count (total and today)."""
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


@dataclass
class CounterRepository:
    table: str

    def read(self, names: list[str], when: datetime) -> dict[str, int]:
        """Totals and the day's values of the named counters (keys `name` and `name:<day>`)."""
        return self.read_keys([key for name in names for key in counter_keys(name, when)])

    def read_keys(self, keys: list[str]) -> dict[str, int]:
        """Counter values by exact key, 100 per BatchGetItem; a count never written is 0."""
        found: dict[str, int] = {}
        for start in range(0, len(keys), 100):
            response = client("dynamodb").batch_get_item(
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
