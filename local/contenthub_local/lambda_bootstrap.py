"""A local Lambda execution environment: one process per concurrent invocation slot, like a
Lambda sandbox. Imports the handler named by _HANDLER from the function's own deployed code
(PYTHONPATH is the unpacked code and layers), then serves invocations: one JSON line in, one out.

Standard output belongs to the protocol; whatever the function prints goes to stderr (its log).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
import uuid
from typing import Any


class LocalLambdaContext:
    """The attributes of the Lambda context object that handlers and Powertools read."""

    def __init__(self, request_id: str, deadline: float):
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.invoked_function_arn = os.environ.get("LOCAL_LAMBDA_FUNCTION_ARN", "")
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local"
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(int((self._deadline - time.monotonic()) * 1000), 0)


def _error(exc: BaseException) -> dict[str, Any]:
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "stackTrace": traceback.format_tb(exc.__traceback__),
    }


def main() -> None:
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    timeout = float(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT", "3"))
    module_name, _, function_name = os.environ["_HANDLER"].rpartition(".")
    handler = None
    init_error: dict[str, Any] | None = None
    try:
        handler = getattr(importlib.import_module(module_name), function_name)
    except Exception as exc:  # an init error fails every invocation, as on Lambda
        init_error = _error(exc)
        init_error["errorType"] = f"Runtime.ImportModuleError: {init_error['errorType']}"
    protocol.write(json.dumps({"ready": True}) + "\n")
    protocol.flush()
    for line in sys.stdin:
        request = json.loads(line)
        if init_error is not None:
            response = {"ok": False, "payload": init_error}
        else:
            context = LocalLambdaContext(request.get("request_id") or str(uuid.uuid4()), time.monotonic() + timeout)
            try:
                response = {"ok": True, "payload": handler(request["event"], context)}  # type: ignore[misc]
            except Exception as exc:
                traceback.print_exc()
                response = {"ok": False, "payload": _error(exc)}
        sys.stderr.flush()
        protocol.write(json.dumps(response, default=str, ensure_ascii=False) + "\n")
        protocol.flush()


if __name__ == "__main__":
    main()
