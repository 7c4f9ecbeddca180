"""The one observability module: every function uses these Logger, Tracer and Metrics objects,
with the same decorator order on every entry point (see functions/*/handler.py)."""

from collections.abc import Callable
from typing import Any, TypeVar, cast

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "contenthub"
NAMESPACE = "ContentHub"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
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
