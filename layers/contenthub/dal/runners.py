"""What the runners keep in the counters table: the newest heartbeat (read in O(1) by /health)
and the leased slots of the global cap (ASYNC_MAX_CONCURRENT_TASKS)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from contenthub.dal.items import conditional, decimal, dynamodb_table, plain
from contenthub.models import iso
from contenthub.models.common import Model

HEARTBEAT_KEY = "runner:heartbeat"


class Heartbeat(Model):
    runner_id: str
    heartbeat_at: str
    slots_in_use: int
    slots: int


@dataclass
class RunnerHeartbeats:
    table: str

    def beat(self, runner_id: str, slots_in_use: int, slots: int, now: datetime) -> None:
        dynamodb_table(self.table).put_item(
            Item={
                "name": HEARTBEAT_KEY,
                "runner_id": runner_id,
                "heartbeat_at": iso(now),
                "slots_in_use": slots_in_use,
                "slots": slots,
            }
        )

    def latest(self) -> Heartbeat | None:
        item = dynamodb_table(self.table).get_item(Key={"name": HEARTBEAT_KEY}).get("Item")
        return Heartbeat.model_validate(plain(item)) if item else None


@dataclass
class SlotLeases:
    """The global cap as leased slot items `lease:slot:<n>`. A slot is taken with a conditional
    write (free, or its lease expired), renewed with every heartbeat, released after the job; a
    runner that dies simply stops renewing, so its slots free themselves after the lease time —
    a crash never leaks a slot."""

    table: str
    slots: int
    lease_seconds: float

    def _key(self, slot: int) -> dict[str, str]:
        return {"name": f"lease:slot:{slot}"}

    def acquire(self, holder: str, now: datetime) -> int | None:
        """Take a free slot for `holder` (a unique id per job run); None when all are busy."""
        order = list(range(self.slots))
        random.shuffle(order)  # spread contention over the slot items
        for slot in order:
            if conditional(
                dynamodb_table(self.table).update_item,
                Key=self._key(slot),
                UpdateExpression="SET holder = :h, expires_at = :exp, acquired_at = :now",
                ConditionExpression="attribute_not_exists(holder) OR expires_at < :now_epoch",
                ExpressionAttributeValues={
                    ":h": holder,
                    ":exp": decimal(round(now.timestamp() + self.lease_seconds, 3)),
                    ":now": iso(now),
                    ":now_epoch": decimal(round(now.timestamp(), 3)),
                },
            ):
                return slot
        return None

    def renew(self, slot: int, holder: str, now: datetime) -> bool:
        return conditional(
            dynamodb_table(self.table).update_item,
            Key=self._key(slot),
            UpdateExpression="SET expires_at = :exp",
            ConditionExpression="holder = :h",
            ExpressionAttributeValues={":h": holder, ":exp": decimal(round(now.timestamp() + self.lease_seconds, 3))},
        )

    def release(self, slot: int, holder: str) -> None:
        conditional(
            dynamodb_table(self.table).update_item,
            Key=self._key(slot),
            UpdateExpression="REMOVE holder, expires_at, acquired_at",
            ConditionExpression="holder = :h",
            ExpressionAttributeValues={":h": holder},
        )

    def in_use(self, now: datetime) -> int:
        keys = [self._key(slot) for slot in range(self.slots)]
        items: list[dict[str, object]] = []
        for start in range(0, len(keys), 100):
            # The resource's client (de)serializes plain values.
            response = dynamodb_table(self.table).meta.client.batch_get_item(
                RequestItems={self.table: {"Keys": keys[start : start + 100], "ConsistentRead": True}}
            )
            items += [plain(i) for i in response.get("Responses", {}).get(self.table, [])]
        return sum(1 for i in items if i.get("holder") and float(str(i.get("expires_at", 0))) >= now.timestamp())
