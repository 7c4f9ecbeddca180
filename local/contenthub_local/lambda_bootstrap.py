"""A local Lambda execution environment: one process per concurrent invocation slot, like a
Lambda sandbox. Imports the handler named by _HANDLER from the function's own deployed code
(PYTHONPATH is the unpacked code and layers), then serves invocations: one JSON line in, one out.

Standard output belongs to the protocol; whatever the function prints goes to stderr (its log),
with Lambda's platform lines for each invocation as its JSON log format writes them
(`platform.start`, `platform.report` with the duration, billed duration, memory and, the first
time, the init duration): the benchmark reads the durations from them, as one would on AWS.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import resource
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime
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


def platform_line(kind: str, record: dict[str, Any]) -> str:
    """One of Lambda's platform log lines (LoggingFormat JSON)."""
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps({"time": now, "type": f"platform.{kind}", "record": record}) + "\n"


def report_line(
    request_id: str, seconds: float, status: str, init_seconds: float | None, memory_mb: int, used_mb: int
) -> str:
    """platform.report. Lambda bills by the millisecond, and a cold invocation's init too (since
    August 2025)."""
    metrics: dict[str, Any] = {
        "durationMs": round(seconds * 1000, 2),
        "billedDurationMs": max(1, math.ceil((seconds + (init_seconds or 0)) * 1000)),
        "memorySizeMB": memory_mb,
        "maxMemoryUsedMB": used_mb,
    }
    if init_seconds is not None:
        metrics["initDurationMs"] = round(init_seconds * 1000, 2)
    return platform_line("report", {"requestId": request_id, "metrics": metrics, "status": status})


def main() -> None:
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    timeout = float(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT", "3"))
    memory = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
    module_name, _, function_name = os.environ["_HANDLER"].rpartition(".")
    handler = None
    init_error: dict[str, Any] | None = None
    init_started = time.perf_counter()
    try:
        handler = getattr(importlib.import_module(module_name), function_name)
    except Exception as exc:  # an init error fails every invocation, as on Lambda
        init_error = _error(exc)
        init_error["errorType"] = f"Runtime.ImportModuleError: {init_error['errorType']}"
    init_seconds: float | None = time.perf_counter() - init_started
    protocol.write(json.dumps({"ready": True}) + "\n")
    protocol.flush()
    for line in sys.stdin:
        request = json.loads(line)
        request_id = request.get("request_id") or str(uuid.uuid4())
        sys.stderr.write(platform_line("start", {"requestId": request_id, "version": "$LATEST"}))
        started = time.perf_counter()
        if init_error is not None:
            response = {"ok": False, "payload": init_error}
        else:
            context = LocalLambdaContext(request_id, time.monotonic() + timeout)
            try:
                response = {"ok": True, "payload": handler(request["event"], context)}  # type: ignore[misc]
            except Exception as exc:
                traceback.print_exc()
                response = {"ok": False, "payload": _error(exc)}
        used_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # KB on Linux
        status = "success" if response["ok"] else "error"
        sys.stderr.write(report_line(request_id, time.perf_counter() - started, status, init_seconds, memory, used_mb))
        init_seconds = None
        sys.stderr.flush()
        protocol.write(json.dumps(response, default=str, ensure_ascii=False) + "\n")
        protocol.flush()


if __name__ == "__main__":
    main()
