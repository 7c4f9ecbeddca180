"""The live controls' change log: one item per change of one control, newest first by `at`."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from contenthub.dal.items import dynamodb_table, plain
from contenthub.models.controls import ControlChange

LOG = "controls"  # one partition: changes are operator actions, a few a day


@dataclass
class ControlHistoryRepository:
    table: str

    def record(self, change: ControlChange) -> None:
        # `at` plus a random suffix: two changes in one millisecond both stay.
        item = {"log": LOG, "at": f"{change.at}#{secrets.token_hex(3)}",
                **change.model_dump(exclude={"at"}, exclude_none=True), "changed_at": change.at}  # fmt: skip
        dynamodb_table(self.table).put_item(Item=item)

    def recent(self, limit: int) -> list[ControlChange]:
        response = dynamodb_table(self.table).query(
            KeyConditionExpression="#log = :log", ExpressionAttributeNames={"#log": "log"},
            ExpressionAttributeValues={":log": LOG}, ScanIndexForward=False, Limit=limit,
        )  # fmt: skip
        return [
            ControlChange.model_validate({**plain(item), "at": item["changed_at"]})
            for item in response.get("Items", [])
        ]
