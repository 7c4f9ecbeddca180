"""Cheap reads that tell whether each dependency answers (GET /health)."""

from __future__ import annotations

from contenthub.aws import client
from contenthub.aws.sqs import Queue


class DependencyProbe:
    def table(self, name: str) -> str:
        return str(client("dynamodb").describe_table(TableName=name)["Table"]["TableStatus"])

    def queue_depth(self, url: str) -> int:
        return Queue(url).depth()

    def state_machine(self, arn: str) -> str:
        return str(client("stepfunctions").describe_state_machine(stateMachineArn=arn).get("status", "ACTIVE"))
