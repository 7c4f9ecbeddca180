"""EventBridge Scheduler: the operator's batch schedules (target: the batch-submit function),
and one-time `content.publish_due` schedules (target: the content bus)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from contenthub.aws import client, error_code
from contenthub.states import ScheduleState


@dataclass
class BatchSchedules:
    """Schedules whose target is the batch-submit function. The target input carries Scheduler's
    own context attributes, so each firing knows its scheduled time."""

    function_arn: str
    role_arn: str

    def _definition(
        self, schedule_id: str, expression: str, timezone: str, state: ScheduleState, name: str
    ) -> dict[str, Any]:
        return {
            "Name": schedule_id,
            "ScheduleExpression": expression,
            "ScheduleExpressionTimezone": timezone,
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "State": state.value,
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

    def create(self, schedule_id: str, expression: str, timezone: str, state: ScheduleState, name: str) -> None:
        client("scheduler").create_schedule(**self._definition(schedule_id, expression, timezone, state, name))

    def update(self, schedule_id: str, expression: str, timezone: str, state: ScheduleState, name: str) -> None:
        """UpdateSchedule replaces the whole definition, so it is always sent complete."""
        client("scheduler").update_schedule(**self._definition(schedule_id, expression, timezone, state, name))

    def delete(self, schedule_id: str) -> None:
        try:
            client("scheduler").delete_schedule(Name=schedule_id)
        except ClientError as error:
            if error_code(error) != "ResourceNotFoundException":
                raise


@dataclass
class OneTimeEvents:
    """A one-time schedule that puts one event on a bus at a given time (deleted after it fires)."""

    bus_arn: str
    role_arn: str

    def create(self, name: str, due: datetime, source: str, detail_type: str, detail: dict[str, Any]) -> bool:
        """False when a schedule of that name exists already (a repeat)."""
        try:
            client("scheduler").create_schedule(
                Name=name,
                ScheduleExpression=f"at({due.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S')})",
                ScheduleExpressionTimezone="UTC",
                FlexibleTimeWindow={"Mode": "OFF"},
                ActionAfterCompletion="DELETE",
                Target={
                    "Arn": self.bus_arn,
                    "RoleArn": self.role_arn,
                    "Input": json.dumps(detail),
                    "EventBridgeParameters": {"DetailType": detail_type, "Source": source},
                },
                Description=f"{detail_type} for {name}",
            )
        except ClientError as error:
            if error_code(error) != "ConflictException":
                raise
            return False
        return True
