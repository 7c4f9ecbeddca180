"""The Lambda functions, with shared defaults: one runtime, ARM, JSON logs with retention,
X-Ray tracing, the two layers (third-party deps and our shared package)."""

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constants import DEPS_LAYER_DESCRIPTION, FUNCTIONS_DIR, SERVICE
from infra.layers import build_deps_layer, build_shared_layer

RUNTIME = lambda_.Runtime.PYTHON_3_14
WEBHOOK_BATCH_SIZE = 5


def webhook_deliver_timeout(webhook_timeout: int) -> int:
    """Seconds: a whole batch of deliveries, each up to WEBHOOK_TIMEOUT plus overhead."""
    return WEBHOOK_BATCH_SIZE * (webhook_timeout + 5) + 10


class Functions(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, environment: dict[str, str]) -> None:
        super().__init__(scope, construct_id)
        self.environment = environment
        self.deps_layer = lambda_.LayerVersion(
            self,
            "DepsLayer",
            code=lambda_.Code.from_asset(str(build_deps_layer())),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[lambda_.Architecture.ARM_64],
            description=DEPS_LAYER_DESCRIPTION,
        )
        self.shared_layer = lambda_.LayerVersion(
            self,
            "SharedLayer",
            code=lambda_.Code.from_asset(str(build_shared_layer())),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[lambda_.Architecture.ARM_64],
            description="ContentHub shared domain code (models, settings, logic, data access)",
        )
        self.submit = self._function(
            "Submit",
            "submit",
            "Tasks API: submit, batch, read, list, cancel, retry, cleanup, stats",
            Duration.seconds(30),
        )
        self.batch = self._function(
            "ScheduledBatch",
            "submit",
            "Schedule firings → batch submit",
            Duration.seconds(60),
            handler="handler.scheduled",
        )
        self.accounts = self._function("Accounts", "accounts", "Accounts API", Duration.seconds(10))
        self.contents = self._function("Contents", "contents", "Contents API: list, read, review", Duration.seconds(10))
        self.schedules = self._function(
            "Schedules", "schedules", "Schedules API (EventBridge Scheduler)", Duration.seconds(30)
        )
        self.dispatch = self._function("Dispatch", "dispatch", "Intake queue → Step Functions", Duration.seconds(30))
        self.poll = self._function("Poll", "poll", "Reads the runner's status row for a task", Duration.seconds(10))
        self.handle_result = self._function(
            "HandleResult", "handle_result", "Stores content or records a failure", Duration.seconds(30)
        )
        self.metrics = self._function("Metrics", "metrics", "Monitor API: metrics and health", Duration.seconds(10))
        webhook_timeout = int(environment["WEBHOOK_TIMEOUT"])
        self.webhook_deliver = self._function(
            "WebhookDeliver", "webhooks", "Delivers signed webhooks with retries",
            Duration.seconds(webhook_deliver_timeout(webhook_timeout)), handler="handler.deliver",
        )  # fmt: skip
        self.webhook_api = self._function(
            "WebhookApi",
            "webhooks",
            "Webhook deliveries API: list, redeliver",
            Duration.seconds(10),
            handler="handler.api",
        )

    def _function(
        self, construct_id: str, folder: str, description: str, timeout: Duration, handler: str = "handler.main"
    ) -> lambda_.Function:
        log_group = logs.LogGroup(
            self,
            f"{construct_id}Logs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.DESTROY,
        )
        return lambda_.Function(
            self,
            construct_id,
            runtime=RUNTIME,
            architecture=lambda_.Architecture.ARM_64,
            handler=handler,
            code=lambda_.Code.from_asset(str(FUNCTIONS_DIR / folder), exclude=["__pycache__"]),
            layers=[self.deps_layer, self.shared_layer],
            description=description,
            timeout=timeout,
            memory_size=512,
            tracing=lambda_.Tracing.ACTIVE,
            logging_format=lambda_.LoggingFormat.JSON,
            log_group=log_group,
            environment={
                **self.environment,
                "POWERTOOLS_SERVICE_NAME": SERVICE,
                "POWERTOOLS_METRICS_NAMESPACE": "ContentHub",
                "LOG_LEVEL": "INFO",
            },
        )
