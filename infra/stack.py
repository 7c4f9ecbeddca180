"""The ContentHub stack: wires the components together. Each component is one construct that owns
its functions, grants, environment and alarms; the resource map (contenthub/resources.py) gives
every function and the runner its environment and least grants, and the stack its outputs."""

from aws_cdk import CfnOutput, Stack
from constructs import Construct
from pydantic import TypeAdapter

from contenthub.settings import deployed_defaults
from contenthub.states import CompletionMode
from infra.components.alerts import Alerts
from infra.components.api import Api
from infra.components.lambdas import Lambdas
from infra.components.monitoring import Monitoring
from infra.components.operations import Operations
from infra.components.operator_api import OperatorApi
from infra.components.orchestration import Orchestration, OrchestrationSettings
from infra.components.publishing import Publishing
from infra.components.runner import Runner
from infra.components.scheduling import Scheduling
from infra.components.storage import Storage
from infra.components.webhooks import Webhooks
from infra.constants import (
    CONTEXT_ALARM_EMAIL,
    CONTEXT_ALARM_FAILURE_RATE,
    CONTEXT_ALARM_OLDEST_PENDING,
    CONTEXT_CALLBACK_HEARTBEAT,
    CONTEXT_COMPLETION_MODE,
    CONTEXT_INTAKE_VISIBILITY,
    CONTEXT_LOCAL_STACK,
    CONTEXT_MAX_RECEIVE,
)
from infra.wiring import Wiring


class ContentHubStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        context = self.node.try_get_context
        self.settings = {name: str(context(name) or default) for name, default in deployed_defaults().items()}
        flag = TypeAdapter(bool).validate_python
        if flag(self.settings["WEBHOOK_ALLOW_PRIVATE_TARGETS"]) and not flag(context(CONTEXT_LOCAL_STACK) or False):
            raise ValueError(
                "WEBHOOK_ALLOW_PRIVATE_TARGETS=true is for the local stack only: it turns off the webhook SSRF "
                "guard (http, loopback and private receivers). Remove it from the CDK context to deploy."
            )
        timeout = int(self.settings["ASYNC_TASK_TIMEOUT"])
        max_receive = int(context(CONTEXT_MAX_RECEIVE) or 5)
        oldest = int(context(CONTEXT_ALARM_OLDEST_PENDING) or 900)

        wiring = Wiring(self, self.settings)
        lambdas = Lambdas(self, "Lambdas")
        alerts = Alerts(self, "Alerts", email=str(context(CONTEXT_ALARM_EMAIL) or "") or None)
        storage = Storage(self, "Storage", wiring=wiring)
        orchestration = Orchestration(
            self, "Orchestration", lambdas=lambdas, wiring=wiring, alerts=alerts, tasks_table=storage.tasks,
            options=OrchestrationSettings(
                timeout_seconds=timeout,
                completion_mode=CompletionMode(str(context(CONTEXT_COMPLETION_MODE) or CompletionMode.POLL)),
                # Step Functions requires 0 < HeartbeatSeconds < TimeoutSeconds.
                heartbeat_seconds=max(1, min(int(context(CONTEXT_CALLBACK_HEARTBEAT) or 600), timeout - 1)),
                intake_visibility=int(context(CONTEXT_INTAKE_VISIBILITY) or 60), max_receive=max_receive,
                oldest_pending_seconds=oldest,
                failure_rate_percent=float(context(CONTEXT_ALARM_FAILURE_RATE) or 20),
            ),
        )  # fmt: skip
        webhooks = Webhooks(
            self, "Webhooks", lambdas=lambdas, wiring=wiring, alerts=alerts, stack_name=self.stack_name,
            webhook_timeout=int(self.settings["WEBHOOK_TIMEOUT"]), max_receive=max_receive,
            oldest_pending_seconds=oldest,
        )  # fmt: skip
        publishing = Publishing(self, "Publishing", wiring=wiring, stack_name=self.stack_name)
        publishing.allow_scheduling(orchestration.handle_result)  # stored approved content is announced
        Scheduling(self, "Scheduling", lambdas=lambdas, wiring=wiring)
        OperatorApi(self, "OperatorApi", lambdas=lambdas, wiring=wiring, publishing=publishing)
        monitoring = Monitoring(self, "Monitoring", lambdas=lambdas, wiring=wiring)
        Operations(
            self, "Operations", lambdas=lambdas, wiring=wiring, settings=self.settings, stack_name=self.stack_name
        )
        runner = Runner(
            self, "Runner", queue=orchestration.runner_jobs, wiring=wiring, alerts=alerts, settings=self.settings
        )
        functions = wiring.functions()
        api = Api(self, "Api", functions=functions, alerts=alerts)
        dashboard = monitoring.dashboard(
            alerts=alerts, functions={p.value: fn for p, fn in functions.items()},
            queues={"Intake": orchestration.intake, "RunnerJobs": orchestration.runner_jobs,
                    "Webhooks": webhooks.queue},
            dlqs={"Intake": orchestration.intake_dlq, "RunnerJobs": orchestration.runner_jobs_dlq,
                  "Webhooks": webhooks.dlq},
            state_machine=orchestration.state_machine, rest_api=api.rest_api, runner_service=runner.service,
        )  # fmt: skip
        wiring.apply()
        for name, value in {
            "ApiUrl": api.rest_api.url, "RestApiId": api.rest_api.rest_api_id,
            "RunnerCluster": runner.cluster.cluster_name, "RunnerService": runner.service.service_name,
            "AlarmTopicArn": alerts.topic.topic_arn,
            "DashboardUrl": f"https://{self.region}.console.aws.amazon.com/cloudwatch/home?region={self.region}"
            f"#dashboards:name={dashboard.dashboard_name}",
        }.items():  # fmt: skip
            CfnOutput(self, name, value=value)
