"""The resource map: every AWS resource the code uses, declared once — its environment variable,
its stack output, and which principals use it and how.

The CDK stack sets each function's environment, its grants and the stack outputs from this map
(infra/wiring.py); each function validates at cold start that its resources are set
(contenthub.settings.load_settings); the local stack builds the runner's environment from it; the
tests read the outputs through it. Adding a user to a resource is one line here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Flag, StrEnum, auto


class Principal(StrEnum):
    """Who runs code: each Lambda function, and the runner (ECS task / local worker)."""

    SUBMIT = "submit"  # POST /tasks, POST /tasks/batch
    BATCH = "batch"  # a schedule firing (EventBridge Scheduler → batch submit)
    TASKS = "tasks"  # task reads and operator actions
    ACCOUNTS = "accounts"
    CONTENTS = "contents"
    SCHEDULES = "schedules"
    DISPATCH = "dispatch"  # intake queue → StartExecution
    POLL = "poll"
    HANDLE_RESULT = "handle_result"
    METRICS = "metrics"  # /metrics, /stats, /health
    WEBHOOK_DELIVER = "webhook_deliver"
    WEBHOOK_API = "webhook_api"
    SWEEPER = "sweeper"  # every few minutes: pending tasks whose intake message was lost
    CONTROLS = "controls"  # GET/PUT /controls, GET /controls/history
    DEAD_LETTERS = "dead_letters"  # /dlq: count, peek, redrive, fail the task
    RUNNER = "runner"


# Each function's environment names its principal (logs, and the local stack finds functions by it).
PRINCIPAL_VARIABLE = "CONTENTHUB_FUNCTION"


class Kind(StrEnum):
    TABLE = "table"
    QUEUE = "queue"
    BUCKET = "bucket"
    SECRET = "secret"
    STATE_MACHINE = "state_machine"
    EVENT_BUS = "event_bus"
    ROLE = "role"
    FUNCTION = "function"
    PARAMETERS = "parameters"  # SSM parameters under one path (the live controls)


class Access(Flag):
    """What a principal does with a resource; the stack turns each into the least grant."""

    NAME = 0  # needs only its name or ARN (no call on it)
    READ = auto()
    WRITE = auto()  # implies READ for tables
    INSPECT = auto()  # DescribeTable / GetQueueAttributes / DescribeStateMachine (health, queue depth)
    SEND = auto()  # sqs:SendMessage
    CONSUME = auto()  # receive + delete + change visibility
    PUT = auto()  # s3:PutObject, events:PutEvents
    START = auto()  # states:StartExecution
    STOP = auto()  # states:StopExecution on this machine's executions
    RESPOND = auto()  # states:SendTaskSuccess/Failure/Heartbeat
    PASS = auto()  # iam:PassRole
    HISTORY = auto()  # states:DescribeExecution + GetExecutionHistory on this machine's executions


P, A = Principal, Access
RW = A.READ | A.WRITE


@dataclass(frozen=True)
class Resource:
    env: str
    output: str
    kind: Kind
    users: dict[Principal, Access] = field(default_factory=dict, hash=False, compare=False)
    doc: str = ""


# fmt: off
TASKS_TABLE = Resource("TASKS_TABLE", "TasksTable", Kind.TABLE, {
    P.SWEEPER: RW, P.SUBMIT: RW, P.BATCH: RW, P.SCHEDULES: RW, P.TASKS: RW, P.DISPATCH: A.READ, P.POLL: RW,
    P.HANDLE_RESULT: RW, P.RUNNER: RW, P.METRICS: A.INSPECT, P.DEAD_LETTERS: RW,
}, "tasks; the runner writes progress in callback mode")
CONTENTS_TABLE = Resource("CONTENTS_TABLE", "ContentsTable", Kind.TABLE, {
    P.CONTENTS: RW, P.HANDLE_RESULT: RW, P.METRICS: A.INSPECT,
}, "stored articles (one per succeeded attempt)")
JOBS_TABLE = Resource("JOBS_TABLE", "JobsTable", Kind.TABLE, {
    P.TASKS: RW, P.POLL: RW, P.HANDLE_RESULT: A.READ, P.RUNNER: RW, P.METRICS: A.INSPECT, P.DEAD_LETTERS: RW,
}, "runner status rows: progress, heartbeat, result pointer, cancel requests")
COUNTERS_TABLE = Resource("COUNTERS_TABLE", "CountersTable", Kind.TABLE, {
    P.SWEEPER: RW, P.SUBMIT: RW, P.BATCH: RW, P.SCHEDULES: RW, P.TASKS: RW, P.DISPATCH: A.READ, P.HANDLE_RESULT: RW,
    P.METRICS: A.READ | A.INSPECT, P.RUNNER: RW, P.DEAD_LETTERS: RW,
}, "O(1) counters, generation times, runner heartbeat and slot leases")
ACCOUNTS_TABLE = Resource("ACCOUNTS_TABLE", "AccountsTable", Kind.TABLE, {
    P.SUBMIT: RW, P.BATCH: RW, P.SCHEDULES: RW, P.ACCOUNTS: RW, P.TASKS: A.READ, P.DISPATCH: A.READ,
    P.POLL: A.READ, P.HANDLE_RESULT: A.READ, P.DEAD_LETTERS: A.READ,
}, "accounts: defaults, topic pool, webhook, daily quota and usage")
SCHEDULES_TABLE = Resource("SCHEDULES_TABLE", "SchedulesTable", Kind.TABLE, {
    P.BATCH: RW, P.SCHEDULES: RW,
}, "our record of each batch schedule")
IDEMPOTENCY_TABLE = Resource("IDEMPOTENCY_TABLE", "IdempotencyTable", Kind.TABLE, {
    P.SUBMIT: RW,
}, "Idempotency-Key records")
WEBHOOKS_TABLE = Resource("WEBHOOKS_TABLE", "WebhooksTable", Kind.TABLE, {
    P.TASKS: RW, P.HANDLE_RESULT: RW, P.WEBHOOK_DELIVER: RW, P.WEBHOOK_API: RW, P.METRICS: A.INSPECT,
    P.DEAD_LETTERS: RW,
}, "webhook deliveries and disabled endpoints")
ARTICLES_BUCKET = Resource("ARTICLES_BUCKET", "ArticlesBucket", Kind.BUCKET, {
    P.CONTENTS: A.READ, P.HANDLE_RESULT: A.READ, P.RUNNER: A.PUT,
}, "article results (the runner's output; bodies over the inline limit)")
INTAKE_QUEUE_URL = Resource("INTAKE_QUEUE_URL", "IntakeQueueUrl", Kind.QUEUE, {
    P.SWEEPER: A.SEND, P.SUBMIT: A.SEND, P.BATCH: A.SEND, P.SCHEDULES: A.SEND, P.TASKS: A.SEND, P.METRICS: A.INSPECT,
    P.DEAD_LETTERS: A.SEND,
}, "submitted tasks → the dispatcher")
INTAKE_DLQ_URL = Resource("INTAKE_DLQ_URL", "IntakeDlqUrl", Kind.QUEUE, {
    P.METRICS: A.INSPECT, P.DEAD_LETTERS: A.INSPECT | A.CONSUME,
}, "intake messages that failed every delivery")
RUNNER_JOBS_QUEUE_URL = Resource("RUNNER_JOBS_QUEUE_URL", "RunnerJobsQueueUrl", Kind.QUEUE, {
    P.POLL: A.SEND | A.INSPECT, P.RUNNER: A.CONSUME, P.METRICS: A.INSPECT, P.DEAD_LETTERS: A.SEND,
}, "the state machine's jobs → runners")
RUNNER_JOBS_DLQ_URL = Resource("RUNNER_JOBS_DLQ_URL", "RunnerJobsDlqUrl", Kind.QUEUE, {
    P.METRICS: A.INSPECT, P.DEAD_LETTERS: A.INSPECT | A.CONSUME,
}, "runner jobs that failed every delivery")
WEBHOOK_QUEUE_URL = Resource("WEBHOOK_QUEUE_URL", "WebhookQueueUrl", Kind.QUEUE, {
    P.TASKS: A.SEND, P.HANDLE_RESULT: A.SEND, P.WEBHOOK_DELIVER: A.SEND, P.WEBHOOK_API: A.SEND,
    P.METRICS: A.INSPECT, P.DEAD_LETTERS: A.SEND,
}, "one message per webhook attempt")
WEBHOOK_DLQ_URL = Resource("WEBHOOK_DLQ_URL", "WebhookDlqUrl", Kind.QUEUE, {
    P.METRICS: A.INSPECT, P.DEAD_LETTERS: A.INSPECT | A.CONSUME,
}, "webhook messages that failed every delivery")
WEBHOOK_SECRET_ID = Resource("WEBHOOK_SECRET_ID", "WebhookSecretName", Kind.SECRET, {
    P.WEBHOOK_DELIVER: A.READ,
}, "the Standard Webhooks signing secret (WEBHOOK_SECRET_KEY of the old system)")
STATE_MACHINE_ARN = Resource("STATE_MACHINE_ARN", "StateMachineArn", Kind.STATE_MACHINE, {
    P.DISPATCH: A.START, P.TASKS: A.STOP | A.HISTORY, P.METRICS: A.INSPECT, P.RUNNER: A.RESPOND,
    P.DEAD_LETTERS: A.STOP, P.SWEEPER: A.READ,
}, "one execution per task attempt")
EVENT_BUS_NAME = Resource("EVENT_BUS_NAME", "ContentEventBusName", Kind.EVENT_BUS, {
    P.HANDLE_RESULT: A.PUT, P.CONTENTS: A.PUT,
}, "content.approved / content.publish_due events")
EVENT_BUS_ARN = Resource("EVENT_BUS_ARN", "ContentEventBusArn", Kind.EVENT_BUS, {
    P.HANDLE_RESULT: A.NAME, P.CONTENTS: A.NAME,
}, "the bus as a Scheduler target")
PUBLISH_SCHEDULER_ROLE_ARN = Resource("PUBLISH_SCHEDULER_ROLE_ARN", "PublishSchedulerRoleArn", Kind.ROLE, {
    P.HANDLE_RESULT: A.PASS, P.CONTENTS: A.PASS,
}, "the role one-time publish_due schedules put events with")
BATCH_FUNCTION_ARN = Resource("BATCH_FUNCTION_ARN", "BatchFunctionArn", Kind.FUNCTION, {
    P.SCHEDULES: A.NAME,
}, "the target of batch schedules")
BATCH_SCHEDULER_ROLE_ARN = Resource("BATCH_SCHEDULER_ROLE_ARN", "BatchSchedulerRoleArn", Kind.ROLE, {
    P.SCHEDULES: A.PASS,
}, "the role batch schedules invoke the batch function with")
CONTROLS_PARAMETER_PATH = Resource("CONTROLS_PARAMETER_PATH", "ControlsParameterPath", Kind.PARAMETERS, {
    P.SUBMIT: A.READ, P.BATCH: A.READ, P.SCHEDULES: A.READ, P.RUNNER: A.READ, P.CONTROLS: RW,
}, "live controls (SSM Parameter Store): the kill switch, the global cap, the runner's slots")
CONTROLS_HISTORY_TABLE = Resource("CONTROLS_HISTORY_TABLE", "ControlsHistoryTable", Kind.TABLE, {
    P.CONTROLS: RW,
}, "every change of a live control: who, when, old → new")
# fmt: on
RESOURCES: tuple[Resource, ...] = (
    TASKS_TABLE,
    CONTENTS_TABLE,
    JOBS_TABLE,
    COUNTERS_TABLE,
    ACCOUNTS_TABLE,
    SCHEDULES_TABLE,
    IDEMPOTENCY_TABLE,
    WEBHOOKS_TABLE,
    ARTICLES_BUCKET,
    INTAKE_QUEUE_URL,
    INTAKE_DLQ_URL,
    RUNNER_JOBS_QUEUE_URL,
    RUNNER_JOBS_DLQ_URL,
    WEBHOOK_QUEUE_URL,
    WEBHOOK_DLQ_URL,
    WEBHOOK_SECRET_ID,
    STATE_MACHINE_ARN,
    EVENT_BUS_NAME,
    EVENT_BUS_ARN,
    PUBLISH_SCHEDULER_ROLE_ARN,
    BATCH_FUNCTION_ARN,
    BATCH_SCHEDULER_ROLE_ARN,
    CONTROLS_PARAMETER_PATH,
    CONTROLS_HISTORY_TABLE,
)
BY_ENV = {resource.env: resource for resource in RESOURCES}
assert len(BY_ENV) == len(RESOURCES), "a resource is declared twice"


def used_by(principal: Principal) -> list[Resource]:
    return [resource for resource in RESOURCES if principal in resource.users]


def environment_from_outputs(outputs: dict[str, str], principal: Principal | None = None) -> dict[str, str]:
    """The resource environment of a principal (or of everything) from a deployed stack's outputs:
    how the local stack starts runners and how the integration tests configure handlers."""
    chosen = used_by(principal) if principal else RESOURCES
    return {resource.env: outputs[resource.output] for resource in chosen if resource.output in outputs}
