"""The runner on AWS: a container image (runner/Dockerfile) as an ECS Fargate service, scaled on
runner-jobs queue depth (visible + in flight) from 0 to what the global cap needs."""

import math

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_applicationautoscaling as autoscaling
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from contenthub.observability import MetricName
from contenthub.resources import Principal
from infra.components.alerts import Alerts
from infra.components.monitoring import app_metric
from infra.constants import ROOT
from infra.wiring import Wiring

# Container stop timeout (ECS allows up to 120 s); the runner's shutdown grace fits inside it.
STOP_TIMEOUT_SECONDS = 120
IMAGE_EXCLUDES = [
    ".git",
    ".venv",
    ".build",
    "cdk.out",
    "tests",
    "docs",
    "**/__pycache__",
    "*.egg-info",
    "functions",
    "infra",
    "bench",
    ".ci",
    # Tool caches: large, and they would change the image's asset hash on every run.
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    ".schemathesis",
    ".coverage",
]


class Runner(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        queue: sqs.IQueue,
        wiring: Wiring,
        alerts: Alerts,
        settings: dict[str, str],
    ) -> None:
        max_concurrent = int(settings["ASYNC_MAX_CONCURRENT_TASKS"])
        slots_per_task = int(settings["ASYNC_WORKER_COUNT"])
        heartbeat_seconds = int(settings["RUNNER_HEARTBEAT_SECONDS"])
        super().__init__(scope, construct_id)
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            max_azs=2,
            nat_gateways=0,  # public subnets only: the tasks reach AWS APIs and model endpoints directly
            subnet_configuration=[ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC)],
            flow_logs={"all": ec2.FlowLogOptions(traffic_type=ec2.FlowLogTrafficType.REJECT)},
        )
        self.cluster = ecs.Cluster(self, "Cluster", vpc=self.vpc, container_insights_v2=ecs.ContainerInsights.ENABLED)
        self.task_definition = ecs.FargateTaskDefinition(
            self,
            "Task",
            cpu=512,
            memory_limit_mib=1024,
            runtime_platform=ecs.RuntimePlatform(
                cpu_architecture=ecs.CpuArchitecture.ARM64, operating_system_family=ecs.OperatingSystemFamily.LINUX
            ),
        )
        log_group = logs.LogGroup(
            self, "Logs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY
        )
        container = self.task_definition.add_container(
            "runner",
            # Built for the task's CPU: an image built on an x86 machine never starts on ARM64 (exec format error).
            image=ecs.ContainerImage.from_asset(
                str(ROOT), file="runner/Dockerfile", exclude=IMAGE_EXCLUDES, platform=ecr_assets.Platform.LINUX_ARM64
            ),
            logging=ecs.LogDrivers.aws_logs(stream_prefix="runner", log_group=log_group),
            environment={
                "POWERTOOLS_SERVICE_NAME": "contenthub-runner",
                "RUNNER_SHUTDOWN_GRACE_SECONDS": str(STOP_TIMEOUT_SECONDS - 20),
            },
            stop_timeout=Duration.seconds(STOP_TIMEOUT_SECONDS),
            readonly_root_filesystem=False,
        )
        self.security_group = ec2.SecurityGroup(
            self, "TaskSecurityGroup", vpc=self.vpc, allow_all_outbound=True, description="runner tasks: egress only"
        )
        self.service = ecs.FargateService(
            self,
            "Service",
            cluster=self.cluster,
            task_definition=self.task_definition,
            desired_count=0,
            min_healthy_percent=0,
            max_healthy_percent=200,
            assign_public_ip=True,
            security_groups=[self.security_group],
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
            circuit_breaker=ecs.DeploymentCircuitBreaker(rollback=True),
        )
        # Tasks needed = jobs waiting or running, divided by slots per task, capped by the global cap.
        max_tasks = max(1, math.ceil(max_concurrent / slots_per_task))
        depth = cw.MathExpression(
            expression="FILL(visible, 0) + FILL(inflight, 0)",
            using_metrics={
                "visible": queue.metric_approximate_number_of_messages_visible(period=Duration.minutes(1)),
                "inflight": queue.metric_approximate_number_of_messages_not_visible(period=Duration.minutes(1)),
            },
            period=Duration.minutes(1),
            label="runner jobs waiting or running",
        )
        scaling = self.service.auto_scale_task_count(min_capacity=0, max_capacity=max_tasks)
        scaling.scale_on_metric(
            "QueueDepth",
            metric=depth,
            adjustment_type=autoscaling.AdjustmentType.EXACT_CAPACITY,
            scaling_steps=[
                autoscaling.ScalingInterval(upper=0, change=0),
                *[
                    autoscaling.ScalingInterval(lower=1 + n * slots_per_task, change=min(n + 1, max_tasks))
                    for n in range(max_tasks)
                ],
            ],
            cooldown=Duration.minutes(1),
            evaluation_periods=1,
        )

        wiring.use(Principal.RUNNER, self.task_definition.task_role, container.add_environment)
        role = self.task_definition.task_role
        for statement in creator_permissions(Stack.of(self), settings):
            role.add_to_principal_policy(statement)
        # Jobs wait but no runner has sent a heartbeat. A runner scaled up from zero needs a few
        # minutes to start (the service scales on a 1-minute metric, then Fargate pulls and starts
        # the image): only 5 such minutes in a row alarm.
        stale_period = Duration.seconds(max(60, -(-3 * heartbeat_seconds // 60) * 60))
        runner_stale = cw.MathExpression(
            expression="IF(FILL(jobs, 0) > 0 AND FILL(beats, 0) == 0, 1, 0)",
            using_metrics={
                "jobs": queue.metric_approximate_number_of_messages_visible(period=stale_period),
                "beats": app_metric(MetricName.RUNNER_HEARTBEAT, period=stale_period),
            },
            period=stale_period,
            label="jobs waiting with no runner heartbeat",
        )
        alerts.alarm(
            self, "RunnerHeartbeatStale", runner_stale, 0,
            "Jobs have waited 5 minutes with no runner heartbeat: the runner does not start or keeps dying.",
            periods=max(1, 300 // int(stale_period.to_seconds())),
        )  # fmt: skip


GEO_PREFIXES = ("us.", "eu.", "apac.", "us-gov.", "jp.", "au.", "ca.", "global.")


def creator_permissions(stack: Stack, settings: dict[str, str]) -> list[iam.PolicyStatement]:
    """What the configured creator calls: Bedrock's model (a cross-region inference profile needs
    the profile in this region and its foundation model in every destination region), and the
    OpenAI key's secret."""
    partition = stack.partition
    statements = []
    model = settings["BEDROCK_MODEL_ID"]
    if model.startswith(GEO_PREFIXES):
        base = model.split(".", 1)[1]
        resources = [
            f"arn:{partition}:bedrock:{stack.region}:{stack.account}:inference-profile/{model}",
            f"arn:{partition}:bedrock:*::foundation-model/{base}",
        ]
    else:
        resources = [f"arn:{partition}:bedrock:{stack.region}::foundation-model/{model}"]
    statements.append(
        iam.PolicyStatement(
            actions=["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"], resources=resources
        )
    )
    if secret := settings.get("OPENAI_API_KEY_SECRET_ID"):
        # A name or an ARN; Secrets Manager adds a random 6-character suffix to a secret's ARN.
        arn = (
            secret
            if secret.startswith("arn:")
            else f"arn:{partition}:secretsmanager:{stack.region}:{stack.account}:secret:{secret}-??????"
        )
        statements.append(iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"], resources=[arn]))
    return statements
