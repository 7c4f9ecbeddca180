"""The schedules table: our record of each batch schedule (display name, Unix cron, params,
state, last firing); the schedule itself lives in EventBridge Scheduler under the same id."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from contenthub.dal.items import Repository, dynamodb_table
from contenthub.models import ScheduleRecord


@dataclass
class ScheduleRepository(Repository[ScheduleRecord]):
    entity = ScheduleRecord
    key = "schedule_id"

    def put(self, schedule: ScheduleRecord) -> None:
        item = json.loads(schedule.model_dump_json(exclude_none=True), parse_float=Decimal)
        dynamodb_table(self.table).put_item(Item=item)

    def all(self) -> list[ScheduleRecord]:
        """Schedules are few (one per recurring job): a Scan of the small schedules table."""
        records, start_key = [], None
        while True:
            request: dict[str, Any] = {"ExclusiveStartKey": start_key} if start_key else {}
            response = dynamodb_table(self.table).scan(**request)
            records += self._many(response.get("Items", []))
            start_key = response.get("LastEvaluatedKey")
            if not start_key:
                return records

    def set_fields(self, schedule_id: str, **fields: Any) -> None:
        names = {f"#f{i}": k for i, k in enumerate(fields)}
        values = {f":f{i}": v for i, v in enumerate(fields.values())}
        dynamodb_table(self.table).update_item(
            Key={"schedule_id": schedule_id},
            UpdateExpression="SET " + ", ".join(f"#f{i} = :f{i}" for i in range(len(fields))),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def delete(self, schedule_id: str) -> None:
        dynamodb_table(self.table).delete_item(Key={"schedule_id": schedule_id})
