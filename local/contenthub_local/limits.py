"""AWS's limits, refused as AWS refuses them, where moto does not already.

Checked by the local stack (moto_seams 6 and 10), each with the error AWS returns:
- Lambda Invoke: a request over 6 MB (synchronous, RequestResponse) or 1 MB (asynchronous, Event)
  → 413 RequestEntityTooLargeException. (A response over 6 MB is moto's own check: the invocation
  answers FunctionError Unhandled, `Function.ResponseSizeTooLarge`.)
- Lambda configuration, at CreateFunction / UpdateFunctionConfiguration (the API or the deploy):
  a timeout over 900 s → ValidationException; environment variables over 4 KB (measured as Lambda
  measures them: the variables as a JSON object) → InvalidParameterValueException.
- CreateEventSourceMapping from an SQS queue whose visibility timeout is below the function's
  timeout → InvalidParameterValueException.
- Step Functions StartExecution with an input over 256 KB (UTF-8 bytes) → ValidationException.
Already moto's, and only tested here: a state's output over 256 KB (States.DataLimitExceeded, not
caught by States.ALL: moto_seams 8), an SQS message over the queue's MaximumMessageSize (1 MiB, the
default since SQS raised it in 2025) → InvalidParameterValue, a DynamoDB item over 400 KB →
ValidationException.
"""

from __future__ import annotations

import json

from contenthub_local.aws_errors import AwsError
from contenthub_local.moto_seams import Request

LAMBDA_SYNC_REQUEST = 6_291_456  # 6 MB
LAMBDA_ASYNC_REQUEST = 1_048_576  # 1 MB since January 2026 (256 KB before)
LAMBDA_MAX_TIMEOUT = 900
LAMBDA_ENVIRONMENT = 4096
STATE_MACHINE_PAYLOAD = 262_144  # 256 KB


def check_request(request: Request) -> None:
    """The front door's limit checks (moto_seams.check_every_request)."""
    if request.service == "awslambda" and request.action in ("Invoke", "InvokeAsync"):
        asynchronous = request.action == "InvokeAsync" or request.headers.get("X-Amz-Invocation-Type") == "Event"
        limit = LAMBDA_ASYNC_REQUEST if asynchronous else LAMBDA_SYNC_REQUEST
        if len(request.body) > limit:
            operation = "InvokeAsync" if asynchronous else "InvokeFunction"
            raise AwsError(
                "awslambda", "RequestEntityTooLargeException",
                f"Request must be smaller than {limit} bytes for the {operation} operation", 413,
            )  # fmt: skip
    elif request.service == "stepfunctions" and request.action == "StartExecution":
        execution_input = request.params.get("input")
        if isinstance(execution_input, str) and len(execution_input.encode("utf-8")) > STATE_MACHINE_PAYLOAD:
            raise AwsError(
                "stepfunctions", "ValidationException",
                "1 validation error detected: Value at 'input' failed to satisfy constraint: "
                f"Member must have length less than or equal to {STATE_MACHINE_PAYLOAD}",
            )  # fmt: skip


def environment_size(variables: dict[str, str]) -> int:
    """The size Lambda holds against the 4 KB limit: the variables as a JSON object, in bytes."""
    return len(json.dumps(variables, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def check_function(spec: dict[str, object]) -> None:
    """CreateFunction / UpdateFunctionConfiguration (moto_seams.check_lambda_configuration)."""
    timeout = spec.get("Timeout")
    if timeout is not None and int(str(timeout)) > LAMBDA_MAX_TIMEOUT:
        raise AwsError(
            "awslambda", "ValidationException",
            f"1 validation error detected: Value '{timeout}' at 'timeout' failed to satisfy constraint: "
            f"Member must have value less than or equal to {LAMBDA_MAX_TIMEOUT}",
        )  # fmt: skip
    environment = spec.get("Environment")
    variables = environment.get("Variables") if isinstance(environment, dict) else None
    if isinstance(variables, dict) and environment_size(variables) > LAMBDA_ENVIRONMENT:
        measured = json.dumps(variables, separators=(",", ":"), ensure_ascii=False)
        raise AwsError(
            "awslambda", "InvalidParameterValueException",
            "Lambda was unable to configure your environment variables because the environment variables you "
            f"have provided exceeded the 4KB limit. String measured: {measured}",
        )  # fmt: skip


def check_mapping(source_arn: str, function_timeout: int, queue_visibility: int | None) -> None:
    """CreateEventSourceMapping from an SQS queue."""
    if queue_visibility is not None and queue_visibility < function_timeout:
        raise AwsError(
            "awslambda", "InvalidParameterValueException",
            f"Queue visibility timeout: {queue_visibility} seconds is less than Function timeout: "
            f"{function_timeout} seconds",
        )  # fmt: skip
