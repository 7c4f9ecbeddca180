"""The Standard state machine that runs one attempt of one task.

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

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

_TRANSIENT = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    # A function that ran past its timeout (a slow dependency). Poll and HandleResult are idempotent,
    # so running them again is safe; found by the 1,000-task load run, where 2 polls timed out.
    "Sandbox.Timedout",
]


class Orchestration(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        tasks_table: dynamodb.ITable,
        runner_jobs: sqs.IQueue,
        poll_fn: lambda_.IFunction,
        result_fn: lambda_.IFunction,
        timeout_seconds: int,
        completion_mode: str = "poll",
        heartbeat_seconds: int = 600,
    ) -> None:
        super().__init__(scope, construct_id)
        whole_state = sfn.TaskInput.from_object({"action": "fail", "input": sfn.JsonPath.entire_payload})

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
            condition_expression="#st IN (:pending, :running)",
            expression_attribute_names={"#st": "status"},
            expression_attribute_values={
                ":running": tasks.DynamoAttributeValue.from_string("running"),
                ":pending": tasks.DynamoAttributeValue.from_string("pending"),
                ":stage": tasks.DynamoAttributeValue.from_string("waiting for a runner"),
                ":now": tasks.DynamoAttributeValue.from_string(sfn.JsonPath.string_at("$$.State.EnteredTime")),
            },
            result_path=sfn.JsonPath.DISCARD,
        )
        mark_running.add_catch(mark_failed, result_path="$.error")

        if completion_mode == "callback":
            dispatch_job = tasks.SqsSendMessage(
                self,
                "DispatchJob",
                queue=runner_jobs,
                integration_pattern=sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
                message_body=sfn.TaskInput.from_object(
                    {"job": sfn.JsonPath.object_at("$.job"), "task_token": sfn.JsonPath.task_token}
                ),
                heartbeat_timeout=sfn.Timeout.duration(Duration.seconds(heartbeat_seconds)),
                task_timeout=sfn.Timeout.duration(Duration.seconds(timeout_seconds)),
                result_path="$.poll",  # the runner's SendTaskSuccess output: {"status", "result_key", ...}
            )
        elif completion_mode == "poll":
            dispatch_job = tasks.SqsSendMessage(
                self,
                "DispatchJob",
                queue=runner_jobs,
                message_body=sfn.TaskInput.from_json_path_at("$.job"),
                result_path=sfn.JsonPath.DISCARD,
            )
        else:
            raise ValueError(f"COMPLETION_MODE must be poll or callback, not {completion_mode!r}")
        dispatch_job.add_catch(mark_failed, result_path="$.error")

        handle_result = lambda_step(
            "HandleResult",
            result_fn,
            sfn.TaskInput.from_object({"action": "store", "input": sfn.JsonPath.entire_payload}),
            "$.result",
        )
        stored = handle_result.next(sfn.Succeed(self, "Stored"))
        if completion_mode == "callback":
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
                .when(sfn.Condition.string_equals("$.poll.status", "running"), wait_poll.next(poll))
                .when(sfn.Condition.string_equals("$.poll.status", "succeeded"), stored)
                .otherwise(mark_failed)
            )
            definition = mark_running.next(dispatch_job).next(wait_first).next(poll).next(decide)

        self.log_group = logs.LogGroup(
            self, "Logs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY
        )
        self.state_machine = sfn.StateMachine(
            self,
            "TaskMachine",
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_chainable(definition),
            timeout=Duration.seconds(timeout_seconds + 600),
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=self.log_group, level=sfn.LogLevel.ALL, include_execution_data=True),
        )
