"""Step Functions execution histories: the states one execution entered, with times."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from contenthub.aws import client, error_code

MAX_EVENTS = 5000


@dataclass
class ExecutionPath:
    status: str | None  # None: the execution does not exist (not started yet)
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    states: list[dict[str, Any]] = field(default_factory=list)  # name, type, entered_at, exited_at
    truncated: bool = False


def execution_path(execution_arn: str, max_states: int = 300) -> ExecutionPath:
    sfn = client("stepfunctions")
    try:
        described = sfn.describe_execution(executionArn=execution_arn)
    except ClientError as error:
        if error_code(error) in ("ExecutionDoesNotExist", "ResourceNotFound"):
            return ExecutionPath(status=None)
        raise
    path = ExecutionPath(described["status"], described.get("startDate"), described.get("stopDate"))
    open_states: dict[str, dict[str, Any]] = {}
    kwargs: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
    seen = 0
    while True:
        page = sfn.get_execution_history(**kwargs)
        for event in page.get("events", []):
            seen += 1
            kind = str(event.get("type", ""))
            if kind.endswith("StateEntered"):
                name = event.get("stateEnteredEventDetails", {}).get("name", "?")
                visit = {"name": name, "type": kind.removesuffix("StateEntered") or "State",
                         "entered_at": event["timestamp"], "exited_at": None}  # fmt: skip
                if len(path.states) < max_states:
                    path.states.append(visit)
                else:
                    path.truncated = True
                open_states[name] = visit
            elif kind.endswith("StateExited"):
                name = event.get("stateExitedEventDetails", {}).get("name", "?")
                if name in open_states:
                    open_states.pop(name)["exited_at"] = event["timestamp"]
        token = page.get("nextToken")
        if not token or seen >= MAX_EVENTS:
            path.truncated = path.truncated or bool(token)
            return path
        kwargs["nextToken"] = token
