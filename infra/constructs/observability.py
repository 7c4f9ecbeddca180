"""The CloudWatch dashboard, and alarms to an SNS topic:
any DLQ not empty; failure rate above ALARM_FAILURE_RATE_PERCENT; a message (a task waiting to be
dispatched, or a job waiting for a runner) older than ALARM_OLDEST_PENDING_SECONDS; runner
heartbeats stale while jobs wait."""

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from contenthub.observability import NAMESPACE, SERVICE, MetricName

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


class Observability(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        functions: dict[str, lambda_.IFunction],
        queues: dict[str, sqs.IQueue],
        dlqs: dict[str, sqs.IQueue],
        state_machine: sfn.IStateMachine,
        failure_rate_percent: float,
        oldest_pending_seconds: int,
        heartbeat_seconds: int,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self,
            "AlarmTopic",
            display_name="ContentHub alarms",
            enforce_ssl=True,
            master_key=kms.Alias.from_alias_name(self, "SnsKey", "alias/aws/sns"),
        )
        action = cw_actions.SnsAction(self.topic)
        self.alarms: list[cw.Alarm] = []
        stack = Stack.of(self)

        def alarm(construct_id: str, metric: cw.IMetric, threshold: float, description: str, periods: int = 1) -> None:
            created = cw.Alarm(
                self,
                construct_id,
                alarm_name=f"{stack.stack_name}-{construct_id}",
                metric=metric,
                threshold=threshold,
                evaluation_periods=periods,
                comparison_operator=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
                alarm_description=description,
            )
            created.add_alarm_action(action)
            self.alarms.append(created)

        for name, dlq in dlqs.items():
            alarm(
                f"{name}DlqNotEmpty",
                dlq.metric_approximate_number_of_messages_visible(period=Duration.minutes(1), statistic="Maximum"),
                0,
                f"The {name} dead-letter queue holds messages: they failed every retry and need a look.",
            )
        failure_rate = cw.MathExpression(
            expression="IF(total > 0, 100 * (failed + timedout) / total, 0)",
            using_metrics={
                "failed": app_metric(MetricName.FAILED),
                "timedout": app_metric(MetricName.TIMED_OUT),
                "total": cw.MathExpression(
                    expression="FILL(ok, 0) + FILL(failed2, 0) + FILL(timedout2, 0)",
                    using_metrics={
                        "ok": app_metric(MetricName.SUCCEEDED),
                        "failed2": app_metric(MetricName.FAILED),
                        "timedout2": app_metric(MetricName.TIMED_OUT),
                    },
                    period=FIVE_MINUTES,
                ),
            },
            period=FIVE_MINUTES,
            label="failure rate %",
        )
        alarm("FailureRate", failure_rate, failure_rate_percent,
              f"More than {failure_rate_percent}% of finished tasks failed or timed out in 5 minutes.")  # fmt: skip
        for name, queue in queues.items():
            alarm(
                f"{name}OldestMessage",
                queue.metric_approximate_age_of_oldest_message(period=Duration.minutes(1), statistic="Maximum"),
                oldest_pending_seconds,
                f"A message on the {name} queue has waited more than {oldest_pending_seconds} s.",
                periods=3,
            )
        stale_period = Duration.seconds(max(60, -(-3 * heartbeat_seconds // 60) * 60))
        runner_stale = cw.MathExpression(
            expression="IF(FILL(jobs, 0) > 0 AND FILL(beats, 0) == 0, 1, 0)",
            using_metrics={
                "jobs": queues["RunnerJobs"].metric_approximate_number_of_messages_visible(period=stale_period),
                "beats": app_metric(MetricName.RUNNER_HEARTBEAT, period=stale_period),
            },
            period=stale_period,
            label="jobs waiting with no runner heartbeat",
        )
        alarm("RunnerHeartbeatStale", runner_stale, 0, "Jobs are waiting but no runner has sent a heartbeat.")

        self.dashboard = cw.Dashboard(self, "Dashboard", default_interval=Duration.hours(3))
        task_metrics = [MetricName.SUBMITTED, MetricName.STARTED, MetricName.SUCCEEDED, MetricName.FAILED,
                        MetricName.TIMED_OUT, MetricName.CANCELLED]  # fmt: skip
        self.dashboard.add_widgets(
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
        self.dashboard.add_widgets(
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
        self.dashboard.add_widgets(
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
            for a in self.alarms
        ]
        self.dashboard.add_widgets(cw.AlarmStatusWidget(title="Alarms", alarms=by_arn, width=24))
