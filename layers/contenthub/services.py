"""Cached factories for the AWS services other than DynamoDB (contenthub.aws), built from the
function's settings, one per process."""

from __future__ import annotations

from contenthub import resources as r
from contenthub.aws.events import EventBus
from contenthub.aws.parameters import ParameterTree
from contenthub.aws.s3 import ArticleStore
from contenthub.aws.scheduler import BatchSchedules, OneTimeEvents
from contenthub.aws.sqs import Queue
from contenthub.aws.stepfunctions import Orchestrator
from contenthub.settings import per_process

intake_queue = per_process(lambda s: Queue(s.resource(r.INTAKE_QUEUE_URL)))
runner_jobs_queue = per_process(lambda s: Queue(s.resource(r.RUNNER_JOBS_QUEUE_URL)))
webhook_queue = per_process(lambda s: Queue(s.resource(r.WEBHOOK_QUEUE_URL)))
articles = per_process(lambda s: ArticleStore(s.resource(r.ARTICLES_BUCKET)))
orchestrator = per_process(lambda s: Orchestrator(s.resource(r.STATE_MACHINE_ARN)))
batch_schedules = per_process(
    lambda s: BatchSchedules(s.resource(r.BATCH_FUNCTION_ARN), s.resource(r.BATCH_SCHEDULER_ROLE_ARN))
)
content_bus = per_process(lambda s: EventBus(s.resource(r.EVENT_BUS_NAME)))
publish_schedules = per_process(
    lambda s: OneTimeEvents(s.resource(r.EVENT_BUS_ARN), s.resource(r.PUBLISH_SCHEDULER_ROLE_ARN))
)
# The live controls (None for a function the stack gives no parameter path).
control_parameters = per_process(
    lambda s: ParameterTree(path) if (path := s.optional(r.CONTROLS_PARAMETER_PATH)) else None
)
