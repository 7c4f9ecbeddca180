"""Orchestration: the intake queue and its dispatcher, the runner-jobs queue, the Poll and
HandleResult functions, and the Standard state machine that runs one attempt of one task.

poll mode (default):
MarkRunning ─► DispatchJob ─► WaitFirst ─► Poll ─► Choice ─running─► WaitPoll ─► Poll
                                                    ├─succeeded─► HandleResult ─► Succeed
                                                    └─otherwise─► MarkFailed ─► Fail
callback mode (CDK context COMPLETION_MODE=callback):
MarkRunning ─► DispatchJob (.waitForTaskToken, HeartbeatSeconds, TimeoutSeconds) ─► HandleResult ─► Succeed
  the runner sends SendTaskHeartbeat while it works and SendTaskSuccess/SendTaskFailure at the end.
Every task state catches into MarkFailed; Lambda states retry transient errors with backoff.
Wait times come from the execution input (set by the dispatcher from settings), so they can
change per task without a redeploy.
"""

from dataclasses import dataclass

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from contenthub import resources as r
from contenthub.observability import MetricName
from contenthub.resources import Principal
from contenthub.states import CompletionMode, ResultAction, TaskStatus
from infra.components.alerts import Alerts
from infra.components.lambdas import Lambdas
from infra.components.messaging import queue_pair
from infra.components.monitoring import app_metric
from infra.wiring import Wiring

_TRANSIENT = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    # A function that ran past its timeout (a slow dependency). Poll and HandleResult are idempotent,
    # so running them again is safe; found by the 1,000-task load run, where 2 polls timed out.
    "Sandbox.Timedout",
    # The Invoke call itself timed out before Lambda answered.
    "Lambda.ClientExecutionTimeoutException",
]
# Transient errors of the DynamoDB and SQS service integrations (throttling, a service hiccup).
_TRANSIENT_DYNAMODB = [
    "DynamoDB.ProvisionedThroughputExceededException", "DynamoDB.RequestLimitExceeded",
    "DynamoDB.ThrottlingException", "DynamoDB.InternalServerErrorException", "DynamoDB.TransactionConflictException",
    "DynamoDB.SdkClientException",
]  # fmt: skip
_TRANSIENT_SQS = ["SQS.SdkClientException", "SQS.AmazonSQSException", "SQS.KmsThrottledException"]


@dataclass(frozen=True)
class OrchestrationSettings:
    timeout_seconds: int  # ASYNC_TASK_TIMEOUT
    completion_mode: CompletionMode
    heartbeat_seconds: int  # callback mode's HeartbeatSeconds
    intake_visibility: int
    max_receive: int
    oldest_pending_seconds: int
    failure_rate_percent: float


class Orchestration(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, lambdas: Lambdas, wiring: Wiring, alerts: Alerts,
        tasks_table: dynamodb.ITable, options: OrchestrationSettings,
    ) -> None:  # fmt: skip
        super().__init__(scope, construct_id)
        self.intake, self.intake_dlq = queue_pair(
            self, "Intake", Duration.seconds(options.intake_visibility), options.max_receive, alerts,
            options.oldest_pending_seconds,
        )  # fmt: skip
        # A runner job stays invisible while it runs; past the timeout the task is over anyway.
        self.runner_jobs, self.runner_jobs_dlq = queue_pair(
            self, "RunnerJobs", Duration.seconds(options.timeout_seconds + 60), options.max_receive, alerts,
            options.oldest_pending_seconds,
        )  # fmt: skip
        functions = Construct(self, "Functions")  # apart from the states named Poll, HandleResult, …
        self.dispatch = lambdas.function(
            functions, Principal.DISPATCH, "Intake queue → Step Functions", Duration.seconds(30)
        )
        self.dispatch.add_event_source(
            event_sources.SqsEventSource(self.intake, batch_size=10, report_batch_item_failures=True)
        )
        self.poll = lambdas.function(
            functions, Principal.POLL, "Reads the runner's status row for a task", Duration.seconds(10)
        )
        self.handle_result = lambdas.function(
            functions, Principal.HANDLE_RESULT, "Stores content or records a failure", Duration.seconds(30)
        )
        for principal, fn in ((Principal.DISPATCH, self.dispatch), (Principal.POLL, self.poll),
                              (Principal.HANDLE_RESULT, self.handle_result)):  # fmt: skip
            wiring.use(principal, fn)
        self.state_machine = self._state_machine(tasks_table, options)
        # Pending tasks whose intake message was lost are queued again (or failed) by the sweeper.
        self.sweeper = lambdas.function(
            functions, Principal.SWEEPER, "Re-queues pending tasks whose intake message was lost", Duration.seconds(60)
        )
        wiring.use(Principal.SWEEPER, self.sweeper)
        events.Rule(
            self, "SweepEvery5Minutes", schedule=events.Schedule.rate(Duration.minutes(5)),
            targets=[events_targets.LambdaFunction(self.sweeper, retry_attempts=0)],
        )  # fmt: skip
        wiring.provide(r.INTAKE_QUEUE_URL, self.intake, self.intake.queue_url)
        wiring.provide(r.INTAKE_DLQ_URL, self.intake_dlq, self.intake_dlq.queue_url)
        wiring.provide(r.RUNNER_JOBS_QUEUE_URL, self.runner_jobs, self.runner_jobs.queue_url)
        wiring.provide(r.RUNNER_JOBS_DLQ_URL, self.runner_jobs_dlq, self.runner_jobs_dlq.queue_url)
        wiring.provide(r.STATE_MACHINE_ARN, self.state_machine, self.state_machine.state_machine_arn)
        alerts.alarm(
            self, "FailureRate", failure_rate(), options.failure_rate_percent,
            f"More than {options.failure_rate_percent}% of finished tasks failed or timed out in 5 minutes.",
        )  # fmt: skip

    def _state_machine(self, tasks_table: dynamodb.ITable, options: OrchestrationSettings) -> sfn.StateMachine:
        timeout_seconds, completion_mode = options.timeout_seconds, options.completion_mode
        runner_jobs, poll_fn, result_fn = self.runner_jobs, self.poll, self.handle_result
        whole_state = sfn.TaskInput.from_object(
            {"action": ResultAction.FAIL.value, "input": sfn.JsonPath.entire_payload}
        )

        mark_failed = tasks.LambdaInvoke(
            self,
            "MarkFailed",
            lambda_function=result_fn,
            payload=whole_state,
            payload_response_only=True,
            result_path="$.failure",
            retry_on_service_exceptions=False,
        )
        mark_failed.add_retry(errors=["States.ALL"], interval=Duration.seconds(2), max_attempts=5, backoff_rate=2)
        mark_failed.next(sfn.Fail(self, "Failed", error="TaskNotSucceeded", cause="see the task's status and error"))

        def lambda_step(
            name: str, fn: lambda_.IFunction, payload: sfn.TaskInput, result_path: str
        ) -> tasks.LambdaInvoke:
            step = tasks.LambdaInvoke(
                self, name, lambda_function=fn, payload=payload, payload_response_only=True,
                result_path=result_path, retry_on_service_exceptions=False,
            )  # fmt: skip
            step.add_retry(errors=_TRANSIENT, interval=Duration.seconds(1), max_attempts=3, backoff_rate=2)
            step.add_catch(mark_failed, result_path="$.error")
            return step

        mark_running = tasks.DynamoUpdateItem(
            self,
            "MarkRunning",
            table=tasks_table,
            key={"task_id": tasks.DynamoAttributeValue.from_string(sfn.JsonPath.string_at("$.task_id"))},
            update_expression="SET #st = :running, stage = :stage, started_at = :now, updated_at = :now",
            # Only this attempt: a late start of an attempt already over (cancelled, retried) changes nothing.
            condition_expression="#st IN (:pending, :running) AND attempt = :attempt",
            expression_attribute_names={"#st": "status"},
            expression_attribute_values={
                ":running": tasks.DynamoAttributeValue.from_string(TaskStatus.RUNNING.value),
                ":pending": tasks.DynamoAttributeValue.from_string(TaskStatus.PENDING.value),
                ":stage": tasks.DynamoAttributeValue.from_string("waiting for a runner"),
                ":attempt": tasks.DynamoAttributeValue.from_number(sfn.JsonPath.number_at("$.attempt")),
                ":now": tasks.DynamoAttributeValue.from_string(sfn.JsonPath.string_at("$$.State.EnteredTime")),
            },
            result_path=sfn.JsonPath.DISCARD,
        )
        mark_running.add_retry(errors=_TRANSIENT_DYNAMODB, interval=Duration.seconds(1), max_attempts=3, backoff_rate=2)
        mark_running.add_catch(mark_failed, result_path="$.error")

        if completion_mode == CompletionMode.CALLBACK:
            dispatch_job = tasks.SqsSendMessage(
                self,
                "DispatchJob",
                queue=runner_jobs,
                integration_pattern=sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
                message_body=sfn.TaskInput.from_object(
                    {"job": sfn.JsonPath.object_at("$.job"), "task_token": sfn.JsonPath.task_token}
                ),
                heartbeat_timeout=sfn.Timeout.duration(Duration.seconds(options.heartbeat_seconds)),
                task_timeout=sfn.Timeout.duration(Duration.seconds(timeout_seconds)),
                result_path="$.poll",  # the runner's SendTaskSuccess output: {"status", "result_key", ...}
            )
        elif completion_mode == CompletionMode.POLL:
            dispatch_job = tasks.SqsSendMessage(
                self,
                "DispatchJob",
                queue=runner_jobs,
                message_body=sfn.TaskInput.from_json_path_at("$.job"),
                result_path=sfn.JsonPath.DISCARD,
            )
        else:
            raise ValueError(f"COMPLETION_MODE must be poll or callback, not {completion_mode!r}")
        dispatch_job.add_retry(errors=_TRANSIENT_SQS, interval=Duration.seconds(1), max_attempts=3, backoff_rate=2)
        dispatch_job.add_catch(mark_failed, result_path="$.error")

        handle_result = lambda_step(
            "HandleResult",
            result_fn,
            sfn.TaskInput.from_object({"action": ResultAction.STORE.value, "input": sfn.JsonPath.entire_payload}),
            "$.result",
        )
        stored = handle_result.next(sfn.Succeed(self, "Stored"))
        if completion_mode == CompletionMode.CALLBACK:
            definition = mark_running.next(dispatch_job).next(stored)
        else:
            poll = lambda_step(
                "Poll",
                poll_fn,
                sfn.TaskInput.from_object(
                    {
                        "task_id": sfn.JsonPath.string_at("$.task_id"),
                        "attempt": sfn.JsonPath.number_at("$.attempt"),
                        "started_at": sfn.JsonPath.string_at("$$.Execution.StartTime"),
                    }
                ),
                "$.poll",
            )
            wait_first = sfn.Wait(self, "WaitFirst", time=sfn.WaitTime.seconds_path("$.timing.first_wait"))
            wait_poll = sfn.Wait(self, "WaitPoll", time=sfn.WaitTime.seconds_path("$.timing.poll_interval"))
            decide = (
                sfn.Choice(self, "Outcome")
                .when(sfn.Condition.string_equals("$.poll.status", TaskStatus.RUNNING.value), wait_poll.next(poll))
                .when(sfn.Condition.string_equals("$.poll.status", TaskStatus.SUCCEEDED.value), stored)
                .otherwise(mark_failed)
            )
            definition = mark_running.next(dispatch_job).next(wait_first).next(poll).next(decide)

        log_group = logs.LogGroup(
            self, "Logs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY
        )
        return sfn.StateMachine(
            self,
            "TaskMachine",
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_chainable(definition),
            timeout=Duration.seconds(timeout_seconds + 600),
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=True),
        )


def failure_rate() -> cw.MathExpression:
    """Failed and timed-out tasks as a % of finished ones, per 5 minutes."""
    five = Duration.minutes(5)
    return cw.MathExpression(
        expression="IF(total > 0, 100 * (FILL(failed, 0) + FILL(timedout, 0)) / total, 0)",
        using_metrics={
            "failed": app_metric(MetricName.FAILED),
            "timedout": app_metric(MetricName.TIMED_OUT),
            # FILL: a period with failures but no timeouts (or the reverse) still has a value.
            "total": cw.MathExpression(
                expression="FILL(ok, 0) + FILL(failed2, 0) + FILL(timedout2, 0)",
                using_metrics={
                    "ok": app_metric(MetricName.SUCCEEDED),
                    "failed2": app_metric(MetricName.FAILED),
                    "timedout2": app_metric(MetricName.TIMED_OUT),
                },
                period=five,
            ),
        },
        period=five,
        label="failure rate %",
    )
