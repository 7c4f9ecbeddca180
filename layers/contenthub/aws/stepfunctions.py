"""Step Functions: the state machine that runs one task attempt per execution, and the task
tokens the runner answers in callback mode."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from contenthub.aws import client, error_code

MAX_CAUSE = 32_768  # Step Functions' limit on an error cause


@dataclass
class Orchestrator:
    state_machine_arn: str

    def start(self, name: str, payload: dict[str, Any]) -> bool:
        """Start an execution; False when one of that name exists already (AWS refuses a duplicate)."""
        try:
            client("stepfunctions").start_execution(
                stateMachineArn=self.state_machine_arn, name=name, input=json.dumps(payload)
            )
        except ClientError as error:
            if error_code(error) == "ExecutionAlreadyExists":
                return False
            raise
        return True

    def execution_arn(self, name: str) -> str:
        return self.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{name}"

    def exists(self, name: str) -> bool:
        """Whether an execution of that name was started (in any state)."""
        try:
            client("stepfunctions").describe_execution(executionArn=self.execution_arn(name))
        except ClientError as error:
            if error_code(error) in ("ExecutionDoesNotExist", "ResourceNotFound"):
                return False
            raise
        return True

    def stop(self, name: str, cause: str) -> bool:
        """Stop the named execution; False when it does not exist (not started yet) or has ended."""
        try:
            client("stepfunctions").stop_execution(
                executionArn=self.execution_arn(name), error="Cancelled", cause=cause[:MAX_CAUSE]
            )
        except ClientError as error:
            if error_code(error) in ("ExecutionDoesNotExist", "ResourceNotFound"):
                return False
            raise
        return True


# Answers to a token that is no longer waiting (the task timed out, or a repeat): not an error.
_GONE = ("TaskTimedOut", "TaskDoesNotExist", "InvalidToken")


@dataclass
class TaskToken:
    """A `.waitForTaskToken` state waiting for the runner (callback mode)."""

    token: str

    def _send(self, call: str, **arguments: Any) -> bool:
        try:
            getattr(client("stepfunctions"), call)(taskToken=self.token, **arguments)
        except ClientError as error:
            if error_code(error) in _GONE:
                return False
            raise
        return True

    def succeed(self, output: dict[str, Any]) -> bool:
        """False when the state no longer waits for this token."""
        return self._send("send_task_success", output=json.dumps(output))

    def fail(self, error: str, cause: str) -> bool:
        return self._send("send_task_failure", error=error, cause=cause[: MAX_CAUSE - 768])

    def heartbeat(self) -> bool:
        return self._send("send_task_heartbeat")
