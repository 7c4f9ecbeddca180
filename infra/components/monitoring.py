"""Monitoring: the Metrics function (GET /metrics, /stats, /health), and the CloudWatch dashboard
of every component's metrics and alarms. The alarms themselves belong to the components."""

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from contenthub.observability import NAMESPACE, SERVICE, MetricName
from contenthub.resources import Principal
from infra.components.alerts import Alerts
from infra.components.lambdas import Lambdas
from infra.wiring import Wiring

FIVE_MINUTES = Duration.minutes(5)


def app_metric(
    name: str, statistic: str = "Sum", period: Duration = FIVE_MINUTES, label: str | None = None
) -> cw.Metric:
    return cw.Metric(
        namespace=NAMESPACE,
        metric_name=name,
        dimensions_map={"service": SERVICE},
        statistic=statistic,
        period=period,
        label=label or name,
    )


class Monitoring(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, lambdas: Lambdas, wiring: Wiring) -> None:
        super().__init__(scope, construct_id)
        self.metrics = lambdas.function(
            self, Principal.METRICS, "Monitor API: metrics and health", Duration.seconds(10)
        )
        wiring.use(Principal.METRICS, self.metrics)

    def dashboard(
        self, *, alerts: Alerts, functions: dict[str, lambda_.IFunction], queues: dict[str, sqs.IQueue],
        dlqs: dict[str, sqs.IQueue], state_machine: sfn.IStateMachine, rest_api: apigw.RestApi | None = None,
        runner_service: ecs.FargateService | None = None,
    ) -> cw.Dashboard:  # fmt: skip
        """The dashboard, once every component exists."""
        stack = Stack.of(self)
        dashboard = cw.Dashboard(self, "Dashboard", default_interval=Duration.hours(3))
        task_metrics = [MetricName.SUBMITTED, MetricName.STARTED, MetricName.SUCCEEDED, MetricName.FAILED,
                        MetricName.TIMED_OUT, MetricName.CANCELLED]  # fmt: skip
        dashboard.add_widgets(
            cw.GraphWidget(title="Tasks", left=[app_metric(m) for m in task_metrics], width=12),
            cw.GraphWidget(
                title="Generation time and queue wait (s)",
                left=[
                    app_metric(MetricName.GENERATION_DURATION, "p50", label="generation p50"),
                    app_metric(MetricName.GENERATION_DURATION, "p90", label="generation p90"),
                ],
                right=[
                    app_metric(MetricName.QUEUE_WAIT, "p50", label="queue wait p50"),
                    app_metric(MetricName.QUEUE_WAIT, "p90", label="queue wait p90"),
                ],
                width=12,
            ),  # fmt: skip
        )
        dashboard.add_widgets(
            cw.GraphWidget(
                title="Queue depth",
                left=[q.metric_approximate_number_of_messages_visible(label=f"{n} visible") for n, q in queues.items()],
                right=[q.metric_approximate_age_of_oldest_message(label=f"{n} oldest (s)") for n, q in queues.items()],
                width=12,
            ),
            cw.GraphWidget(
                title="Dead-letter queues",
                left=[d.metric_approximate_number_of_messages_visible(label=n) for n, d in dlqs.items()],
                width=12,
            ),
        )
        dashboard.add_widgets(
            cw.GraphWidget(
                title="State machine",
                left=[
                    state_machine.metric_started(),
                    state_machine.metric_succeeded(),
                    state_machine.metric_failed(),
                    state_machine.metric_timed_out(),
                ],
                width=8,
            ),  # fmt: skip
            cw.GraphWidget(
                title="Lambda errors and throttles",
                left=[fn.metric_errors(label=f"{n} errors") for n, fn in functions.items()],
                right=[fn.metric_throttles(label=f"{n} throttles") for n, fn in functions.items()],
                width=8,
            ),
            cw.GraphWidget(
                title="Webhooks and runner slots",
                left=[app_metric(MetricName.WEBHOOKS_DELIVERED), app_metric(MetricName.WEBHOOKS_FAILED)],
                right=[
                    app_metric(MetricName.RUNNER_SLOTS_IN_USE, "Maximum", Duration.minutes(1)),
                    app_metric(MetricName.RUNNER_HEARTBEAT, "Sum", Duration.minutes(1)),
                ],
                width=8,
            ),  # fmt: skip
        )
        dashboard.add_widgets(*self._operations_widgets(rest_api, runner_service))
        # Alarms by their (named) ARNs rather than a reference to each alarm resource: same widget,
        # and moto's CloudFormation (which skips AWS::CloudWatch::Alarm) can still resolve the body.
        by_arn = [
            cw.Alarm.from_alarm_arn(
                self,
                f"{a.node.id}Ref",
                stack.format_arn(
                    service="cloudwatch",
                    resource="alarm",
                    resource_name=f"{stack.stack_name}-{a.node.id}",
                    arn_format=ArnFormat.COLON_RESOURCE_NAME,
                ),
            )
            for a in alerts.alarms
        ]
        dashboard.add_widgets(cw.AlarmStatusWidget(title="Alarms", alarms=by_arn, width=24))
        return dashboard

    @staticmethod
    def _operations_widgets(rest_api: apigw.RestApi | None, runner_service: ecs.FargateService | None
                            ) -> list[cw.IWidget]:  # fmt: skip
        """The API's 5xx and latency, the success rate, the Fargate runners, and the models' tokens."""
        ended = {"ok": app_metric(MetricName.SUCCEEDED), "failed": app_metric(MetricName.FAILED),
                 "timed_out": app_metric(MetricName.TIMED_OUT)}  # fmt: skip
        success_rate = cw.MathExpression(
            expression="IF(FILL(ok, 0) + FILL(failed, 0) + FILL(timed_out, 0) > 0, "
            "100 * FILL(ok, 0) / (FILL(ok, 0) + FILL(failed, 0) + FILL(timed_out, 0)))",
            using_metrics=ended, period=FIVE_MINUTES, label="success rate %",
        )  # fmt: skip
        widgets: list[cw.IWidget] = []
        if rest_api is not None:
            widgets.append(cw.GraphWidget(
                title="API: 5xx and latency",
                left=[rest_api.metric_server_error(period=FIVE_MINUTES, label="5xx"),
                      rest_api.metric_client_error(period=FIVE_MINUTES, label="4xx")],
                right=[rest_api.metric_latency(period=FIVE_MINUTES, statistic="p50", label="latency p50 (ms)"),
                       rest_api.metric_latency(period=FIVE_MINUTES, statistic="p90", label="latency p90 (ms)")],
                width=8,
            ))  # fmt: skip
        widgets.append(cw.GraphWidget(title="Success rate (%)", left=[success_rate], left_y_axis=cw.YAxisProps(
            min=0, max=100), width=8))  # fmt: skip
        if runner_service is not None:
            # Container Insights (enabled on the cluster) publishes the running-task count per service.
            running = cw.Metric(
                namespace="ECS/ContainerInsights", metric_name="RunningTaskCount", statistic="Maximum",
                period=Duration.minutes(1), label="Fargate runner tasks",
                dimensions_map={"ClusterName": runner_service.cluster.cluster_name,
                                "ServiceName": runner_service.service_name},
            )  # fmt: skip
            widgets.append(cw.GraphWidget(
                title="Runners: Fargate tasks and slots in use",
                left=[running], right=[app_metric(MetricName.RUNNER_SLOTS_IN_USE, "Maximum", Duration.minutes(1))],
                width=8,
            ))  # fmt: skip
        tokens = [
            cw.MathExpression(
                expression=f"SEARCH('{{{NAMESPACE},model,service}} MetricName=\"{name}\"', 'Sum', 300)",
                using_metrics={},
                label=name,
                period=FIVE_MINUTES,
            )
            for name in (MetricName.INPUT_TOKENS, MetricName.OUTPUT_TOKENS)
        ]
        widgets.append(cw.GraphWidget(title="Model tokens by model", left=tokens, width=24))
        return widgets
