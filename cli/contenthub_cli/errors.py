"""What can go wrong, and the exit code each kind of failure ends with (docs/cli.md, `contenthub --help`)."""

from __future__ import annotations

from typing import Any

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_UNAVAILABLE = 4
EXIT_TASK_ENDED = 5
EXIT_WAIT_TIMEOUT = 6
EXIT_INTERRUPTED = 130

EXIT_CODES: list[tuple[int, str]] = [
    (EXIT_OK, "success"),
    (EXIT_USAGE, "usage error: bad options or arguments, a bad config file or profile, no AWS credentials"),
    (EXIT_REFUSED, "the API refused the request (HTTP 4xx)"),
    (EXIT_UNAVAILABLE, "the service is unreachable or failing (HTTP 5xx, connection error, HTTP call timed out)"),
    (EXIT_TASK_ENDED, "a task ended failed, cancelled or timed_out (task watch, content generate without --async)"),
    (EXIT_WAIT_TIMEOUT, "--timeout passed while waiting for a task (the task keeps running)"),
    (EXIT_INTERRUPTED, "interrupted (Ctrl-C)"),
]


class CliError(Exception):
    """A failure shown as one line on stderr (and, with --json, an error object on stdout)."""

    exit_code = 1
    code = "error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        http_status: int | None = None,
        body: Any = None,
        extra: dict[str, Any] | None = None,
        reported: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.http_status = http_status
        self.body = body  # the API's parsed response body, when there was one
        self.extra = extra or {}
        self.reported = reported  # stdout already holds the answer (e.g. the health report of a 503)

    def __str__(self) -> str:
        return self.message

    def as_json(self) -> dict[str, Any]:
        """`{"error": {"code", "message", "http_status", ...}}`: the API's own error body when it sent one."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
            error = {**error, **self.body["error"]}
        return {"error": {**error, **self.extra, "http_status": self.http_status}}


class UsageProblem(CliError):
    exit_code = EXIT_USAGE
    code = "usage_error"


class ApiRefused(CliError):
    exit_code = EXIT_REFUSED
    code = "request_refused"


class ServiceUnavailable(CliError):
    exit_code = EXIT_UNAVAILABLE
    code = "service_unavailable"


class TaskEnded(CliError):
    exit_code = EXIT_TASK_ENDED
    code = "task_not_succeeded"


class WaitTimedOut(CliError):
    exit_code = EXIT_WAIT_TIMEOUT
    code = "wait_timeout"


def error_line(status: int, payload: Any, text: str) -> str:
    """One line from an HTTP error: the API's error body, API Gateway's `{"message"}`, or the raw text."""
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        error = payload["error"]
        return f"{error.get('message', 'request failed')} (HTTP {status}, {error.get('code', 'error')})"
    if isinstance(payload, dict) and "message" in payload:
        return f"{payload['message']} (HTTP {status})"
    return f"HTTP {status}: {' '.join(text[:200].split())}"


def http_error(status: int, payload: Any, text: str) -> CliError:
    """3 for a 4xx (the request was refused), 4 for a 5xx (the service is failing)."""
    kind = ApiRefused if status < 500 else ServiceUnavailable
    code = None
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        code = payload["error"].get("code")
    return kind(error_line(status, payload, text), code=code or f"http_{status}", http_status=status, body=payload)
