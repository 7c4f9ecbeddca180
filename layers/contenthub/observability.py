"""The one observability module: every function uses these Logger, Tracer and Metrics objects,
with the same decorator order on every entry point (see functions/*/handler.py)."""

import os
from collections.abc import AsyncGenerator, Callable, Generator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any, TypeVar, cast

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.tracing.base import BaseProvider, BaseSegment

SERVICE = "contenthub"
NAMESPACE = "ContentHub"


class _NoSegment(BaseSegment):
    """What a subsegment is when tracing is off: everything put on it goes nowhere."""

    def close(self, end_time: int | None = None) -> None: ...
    def add_subsegment(self, subsegment: Any) -> None: ...
    def remove_subsegment(self, subsegment: Any) -> None: ...
    def put_annotation(self, key: str, value: Any) -> None: ...
    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None: ...
    def add_exception(self, exception: BaseException, stack: Any, remote: bool = False) -> None: ...


class NoTracing(BaseProvider):
    """The Tracer's provider when tracing is off. Without a provider, Powertools' Tracer imports
    the X-Ray SDK (`aws_xray_sdk.core`: ~0.7× a bare `import boto3`, docs/benchmarks.md) at
    init even when it then disables it; with this one nothing of the SDK is imported."""

    @contextmanager
    def in_subsegment(self, name: str | None = None, **kwargs: Any) -> Generator[BaseSegment, None, None]:
        yield _NoSegment()

    @asynccontextmanager
    async def in_subsegment_async(self, name: str | None = None, **kwargs: Any) -> AsyncGenerator[BaseSegment, None]:
        yield _NoSegment()

    def put_annotation(self, key: str, value: Any) -> None: ...
    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None: ...
    def patch(self, modules: Sequence[str]) -> None: ...
    def patch_all(self) -> None: ...


def tracing_enabled(environ: os._Environ[str] | dict[str, str] = os.environ) -> bool:
    """Powertools' own rule: traced only inside Lambda (not SAM local or Chalice), unless
    POWERTOOLS_TRACE_DISABLED says otherwise. The local stack sets POWERTOOLS_TRACE_DISABLED."""
    disabled = environ.get("POWERTOOLS_TRACE_DISABLED", "false").strip().lower() in ("1", "true", "yes", "on", "y")
    in_lambda = bool(environ.get("LAMBDA_TASK_ROOT"))
    emulated = bool(environ.get("AWS_SAM_LOCAL") or environ.get("AWS_CHALICE_CLI_MODE"))
    return in_lambda and not emulated and not disabled


logger = Logger(service=SERVICE)
# Tracing on: Powertools' default X-Ray provider (its SDK imported and botocore patched at init).
# Tracing off: a provider that records nothing (`disabled=False` only because Powertools' own
# switch-off imports the X-Ray SDK to disable it), so no part of the SDK is imported.
tracer = (
    Tracer(service=SERVICE)
    if tracing_enabled()
    else Tracer(service=SERVICE, provider=NoTracing(), disabled=False, auto_patch=False)
)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


class MetricName:
    """Every custom metric (EMF, namespace ContentHub, dimension service=contenthub): the
    functions emit them, the dashboard (infra/components/monitoring.py) and alarms read them."""

    SUBMITTED = "TasksSubmitted"
    FIRING_SKIPPED = "ScheduledTasksSkipped"  # a schedule firing left out (the account's daily quota)
    SWEPT_REQUEUED = "TasksRequeuedBySweeper"  # a pending task's intake message was lost
    STARTED = "TasksStarted"
    SUCCEEDED = "TasksSucceeded"
    FAILED = "TasksFailed"
    TIMED_OUT = "TasksTimedOut"
    CANCELLED = "TasksCancelled"
    GENERATION_DURATION = "GenerationDuration"
    QUEUE_WAIT = "QueueWait"
    WEBHOOKS_DELIVERED = "WebhooksDelivered"
    WEBHOOKS_FAILED = "WebhooksFailed"
    WEBHOOK_ATTEMPTS_FAILED = "WebhookAttemptsFailed"
    RUNNER_HEARTBEAT = "RunnerHeartbeat"
    RUNNER_SLOTS_IN_USE = "RunnerSlotsInUse"
    INPUT_TOKENS = "InputTokens"  # model creators, with a `model` dimension
    OUTPUT_TOKENS = "OutputTokens"


def count(name: str, value: float = 1) -> None:
    """Add to a count metric (EMF, flushed when the handler returns)."""
    from aws_lambda_powertools.metrics import MetricUnit

    if value:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def seconds(name: str, value: float) -> None:
    from aws_lambda_powertools.metrics import MetricUnit

    metrics.add_metric(name=name, unit=MetricUnit.Seconds, value=value)


Handler = TypeVar("Handler", bound=Callable[..., Any])


def entry(correlation_id_path: str | None = None) -> Callable[[Handler], Handler]:
    """Every Lambda entry point's decorators, in the one house order: the Lambda context in the
    logs (with a correlation id from the event), metrics flushed, the invocation traced."""

    def decorate(handler: Handler) -> Handler:
        traced = tracer.capture_lambda_handler(handler)
        flushed = metrics.log_metrics(traced)
        logged = logger.inject_lambda_context(flushed, correlation_id_path=correlation_id_path)
        return cast(Handler, logged)

    return decorate
