"""A queue with its dead-letter queue, encrypted and TLS-only, with the alarms every queue of
ours has: the DLQ holds messages; a message waited too long."""

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.components.alerts import Alerts


def queue_pair(
    scope: Construct, name: str, visibility: Duration, max_receive: int, alerts: Alerts, oldest_seconds: int
) -> tuple[sqs.Queue, sqs.Queue]:
    dlq = sqs.Queue(
        scope,
        f"{name}Dlq",
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=Duration.days(14),
    )
    queue = sqs.Queue(
        scope,
        name,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        visibility_timeout=visibility,
        retention_period=Duration.days(4),
        dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=max_receive),
    )
    alerts.alarm(
        scope, f"{name}DlqNotEmpty",
        dlq.metric_approximate_number_of_messages_visible(period=Duration.minutes(1), statistic="Maximum"), 0,
        f"The {name} dead-letter queue holds messages: they failed every retry and need a look.",
    )  # fmt: skip
    alerts.alarm(
        scope, f"{name}OldestMessage",
        queue.metric_approximate_age_of_oldest_message(period=Duration.minutes(1), statistic="Maximum"),
        oldest_seconds, f"A message on the {name} queue has waited more than {oldest_seconds} s.", periods=3,
    )  # fmt: skip
    return queue, dlq
