"""The one observability module: every function uses these Logger, Tracer and Metrics objects,
with the same decorator order on every entry point (see functions/*/handler.py)."""

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "contenthub"
NAMESPACE = "ContentHub"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


class MetricName:
    """Every custom metric (EMF, namespace ContentHub, dimension service=contenthub): the
    functions emit them, the dashboard and alarms in infra/constructs/observability.py read them."""

    SUBMITTED = "TasksSubmitted"
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
