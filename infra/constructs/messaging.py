"""The intake queue (submit → dispatcher) and the runner-jobs queue (state machine → runner),
each with a dead-letter queue; all encrypted, all refusing non-TLS access."""

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct


def queue_pair(scope: Construct, name: str, visibility: Duration, max_receive: int) -> tuple[sqs.Queue, sqs.Queue]:
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
    return queue, dlq


class Messaging(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, intake_visibility: int, runner_visibility: int, max_receive: int
    ) -> None:
        super().__init__(scope, construct_id)
        self.intake, self.intake_dlq = queue_pair(self, "Intake", Duration.seconds(intake_visibility), max_receive)
        self.runner_jobs, self.runner_jobs_dlq = queue_pair(
            self, "RunnerJobs", Duration.seconds(runner_visibility), max_receive
        )
