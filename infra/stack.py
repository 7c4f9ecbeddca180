"""The ContentHub stack: wires the capabilities together. Each capability is one construct."""

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda_event_sources as event_sources
from constructs import Construct

from infra.constants import (
    CONTEXT_ALARM_FAILURE_RATE,
    CONTEXT_ALARM_OLDEST_PENDING,
    CONTEXT_CALLBACK_HEARTBEAT,
    CONTEXT_COMPLETION_MODE,
    CONTEXT_INTAKE_VISIBILITY,
    CONTEXT_MAX_RECEIVE,
    SETTING_DEFAULTS,
)
from infra.constructs.api import Api
from infra.constructs.functions import WEBHOOK_BATCH_SIZE, Functions, webhook_deliver_timeout
from infra.constructs.messaging import Messaging
from infra.constructs.observability import Observability
from infra.constructs.orchestration import Orchestration
from infra.constructs.publishing import Publishing
from infra.constructs.runner import Runner
from infra.constructs.scheduling import Scheduling
from infra.constructs.storage import Storage
from infra.constructs.webhooks import Webhooks


class ContentHubStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        settings = {name: str(self.node.try_get_context(name) or default) for name, default in SETTING_DEFAULTS.items()}
        timeout = int(settings["ASYNC_TASK_TIMEOUT"])

        storage = Storage(self, "Storage")
        messaging = Messaging(
            self,
            "Messaging",
            intake_visibility=int(self.node.try_get_context(CONTEXT_INTAKE_VISIBILITY) or 60),
            # A runner job stays invisible while it runs; past the timeout the task is over anyway.
            runner_visibility=timeout + 60,
            max_receive=int(self.node.try_get_context(CONTEXT_MAX_RECEIVE) or 5),
        )
        webhooks = Webhooks(
            self,
            "Webhooks",
            stack_name=self.stack_name,
            # AWS's advice for an SQS event source: visibility ≥ 6 × the function's timeout.
            visibility=6 * webhook_deliver_timeout(int(settings["WEBHOOK_TIMEOUT"])),
            max_receive=int(self.node.try_get_context(CONTEXT_MAX_RECEIVE) or 5),
        )
        environment = {
            **settings,
            "TASKS_TABLE": storage.tasks.table_name,
            "CONTENTS_TABLE": storage.contents.table_name,
            "JOBS_TABLE": storage.jobs.table_name,
            "COUNTERS_TABLE": storage.counters.table_name,
            "ARTICLES_BUCKET": storage.articles.bucket_name,
            "INTAKE_QUEUE_URL": messaging.intake.queue_url,
            "INTAKE_DLQ_URL": messaging.intake_dlq.queue_url,
            "RUNNER_JOBS_QUEUE_URL": messaging.runner_jobs.queue_url,
            "RUNNER_JOBS_DLQ_URL": messaging.runner_jobs_dlq.queue_url,
            "WEBHOOK_DLQ_URL": webhooks.dlq.queue_url,
            "WEBHOOKS_TABLE": webhooks.deliveries.table_name,
            "WEBHOOK_QUEUE_URL": webhooks.queue.queue_url,
            "WEBHOOK_SECRET_ID": webhooks.secret_name,
            "ACCOUNTS_TABLE": storage.accounts.table_name,
            "SCHEDULES_TABLE": storage.schedules.table_name,
            "IDEMPOTENCY_TABLE": storage.idempotency.table_name,
        }
        functions = Functions(self, "Functions", environment=environment)
        orchestration = Orchestration(
            self,
            "Orchestration",
            tasks_table=storage.tasks,
            runner_jobs=messaging.runner_jobs,
            poll_fn=functions.poll,
            result_fn=functions.handle_result,
            timeout_seconds=timeout,
            completion_mode=str(self.node.try_get_context(CONTEXT_COMPLETION_MODE) or "poll"),
            # Step Functions requires HeartbeatSeconds < TimeoutSeconds.
            heartbeat_seconds=min(int(self.node.try_get_context(CONTEXT_CALLBACK_HEARTBEAT) or 600), timeout - 1),
        )
        for fn in (functions.dispatch, functions.metrics, functions.submit):
            fn.add_environment("STATE_MACHINE_ARN", orchestration.state_machine.state_machine_arn)
        functions.dispatch.add_event_source(
            event_sources.SqsEventSource(messaging.intake, batch_size=10, report_batch_item_failures=True)
        )

        # Least privilege, per function.
        # Submitting (API, batch, schedule firings, run-now): tasks + counters + the account's quota.
        for fn in (functions.submit, functions.batch, functions.schedules):
            for table in (storage.tasks, storage.counters, storage.accounts):
                table.grant_read_write_data(fn)
            messaging.intake.grant_send_messages(fn)
        storage.idempotency.grant_read_write_data(functions.submit)
        storage.jobs.grant_read_write_data(functions.submit)  # cancel: tell the runner to stop
        orchestration.state_machine.grant_execution(functions.submit, "states:StopExecution")
        storage.schedules.grant_read_write_data(functions.batch)
        storage.schedules.grant_read_write_data(functions.schedules)
        storage.accounts.grant_read_write_data(functions.accounts)
        storage.contents.grant_read_write_data(functions.contents)
        storage.articles.grant_read(functions.contents)  # bodies over the inline limit
        for fn in (functions.dispatch, functions.poll, functions.handle_result):
            storage.accounts.grant_read_data(fn)  # creator defaults; the account's webhook
        storage.tasks.grant_read_data(functions.dispatch)
        storage.counters.grant_read_data(functions.dispatch)  # recent generation times → first wait
        orchestration.state_machine.grant_start_execution(functions.dispatch)
        storage.tasks.grant_read_write_data(functions.poll)
        storage.jobs.grant_read_write_data(functions.poll)  # cancel on timeout, re-queue after a dead runner
        messaging.runner_jobs.grant_send_messages(functions.poll)
        messaging.runner_jobs.grant(functions.poll, "sqs:GetQueueAttributes")  # "N jobs queued" for waiting tasks
        for table in (storage.tasks, storage.contents, storage.counters):
            table.grant_read_write_data(functions.handle_result)
        storage.articles.grant_read(functions.handle_result)
        storage.jobs.grant_read_data(functions.handle_result)  # the runner's error, when a callback lost it
        storage.counters.grant_read_data(functions.metrics)
        # GET /health: describe each table, queue depths, the state machine's status.
        tables = [storage.tasks, storage.contents, storage.jobs, storage.counters, webhooks.deliveries]
        queues = [messaging.intake, messaging.intake_dlq, messaging.runner_jobs, messaging.runner_jobs_dlq,
                  webhooks.queue, webhooks.dlq]  # fmt: skip
        functions.metrics.add_to_role_policy(
            iam.PolicyStatement(actions=["dynamodb:DescribeTable"], resources=[t.table_arn for t in tables])
        )
        functions.metrics.add_to_role_policy(
            iam.PolicyStatement(actions=["sqs:GetQueueAttributes"], resources=[q.queue_arn for q in queues])
        )
        functions.metrics.add_to_role_policy(
            iam.PolicyStatement(
                actions=["states:DescribeStateMachine"], resources=[orchestration.state_machine.state_machine_arn]
            )
        )
        for fn in (functions.handle_result, functions.webhook_deliver, functions.webhook_api, functions.submit):
            webhooks.deliveries.grant_read_write_data(fn)
            webhooks.queue.grant_send_messages(fn)
        webhooks.readable_secret(self).grant_read(functions.webhook_deliver)
        functions.webhook_deliver.add_event_source(
            event_sources.SqsEventSource(webhooks.queue, batch_size=WEBHOOK_BATCH_SIZE, report_batch_item_failures=True)
        )

        runner = Runner(
            self,
            "Runner",
            queue=messaging.runner_jobs,
            environment={
                **settings,
                "JOBS_TABLE": storage.jobs.table_name,
                "TASKS_TABLE": storage.tasks.table_name,
                "COUNTERS_TABLE": storage.counters.table_name,
                "ARTICLES_BUCKET": storage.articles.bucket_name,
                "RUNNER_JOBS_QUEUE_URL": messaging.runner_jobs.queue_url,
            },
            max_concurrent=int(settings["ASYNC_MAX_CONCURRENT_TASKS"]),
            slots_per_task=int(settings["ASYNC_WORKER_COUNT"]),
        )
        storage.jobs.grant_read_write_data(runner.role)
        storage.tasks.grant_read_write_data(runner.role)  # progress, in callback mode
        storage.counters.grant_read_write_data(runner.role)  # slot leases and heartbeat
        storage.articles.grant_put(runner.role)
        messaging.runner_jobs.grant_consume_messages(runner.role)
        orchestration.state_machine.grant_task_response(runner.role)
        runner.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["bedrock:InvokeModel"],
                resources=[
                    f"arn:aws:bedrock:{self.region}::foundation-model/*",
                    f"arn:aws:bedrock:{self.region}:{self.account}:inference-profile/*",
                ],
            )
        )

        publishing = Publishing(self, "Publishing", stack_name=self.stack_name)
        publishing.allow_announcing(functions.handle_result)
        publishing.allow_announcing(functions.contents)  # approving auto-published content announces it
        scheduling = Scheduling(self, "Scheduling", target=functions.batch)
        scheduling.allow_managing(functions.schedules)

        Observability(
            self,
            "Observability",
            functions={
                "submit": functions.submit, "dispatch": functions.dispatch, "poll": functions.poll,
                "handle_result": functions.handle_result, "metrics": functions.metrics,
                "webhook_deliver": functions.webhook_deliver, "webhook_api": functions.webhook_api,
                "batch": functions.batch, "accounts": functions.accounts, "contents": functions.contents,
                "schedules": functions.schedules,
            },
            queues={"Intake": messaging.intake, "RunnerJobs": messaging.runner_jobs, "Webhooks": webhooks.queue},
            dlqs={"Intake": messaging.intake_dlq, "RunnerJobs": messaging.runner_jobs_dlq, "Webhooks": webhooks.dlq},
            state_machine=orchestration.state_machine,
            failure_rate_percent=float(self.node.try_get_context(CONTEXT_ALARM_FAILURE_RATE) or 20),
            oldest_pending_seconds=int(self.node.try_get_context(CONTEXT_ALARM_OLDEST_PENDING) or 900),
            heartbeat_seconds=int(settings["RUNNER_HEARTBEAT_SECONDS"]),
        )  # fmt: skip

        api = Api(
            self, "Api", tasks_fn=functions.submit, monitor_fn=functions.metrics, webhooks_fn=functions.webhook_api,
            accounts_fn=functions.accounts, contents_fn=functions.contents, schedules_fn=functions.schedules,
        )  # fmt: skip

        outputs = {
            "ApiUrl": api.rest_api.url,
            "RestApiId": api.rest_api.rest_api_id,
            "StateMachineArn": orchestration.state_machine.state_machine_arn,
            "TasksTable": storage.tasks.table_name,
            "ContentsTable": storage.contents.table_name,
            "JobsTable": storage.jobs.table_name,
            "CountersTable": storage.counters.table_name,
            "ArticlesBucket": storage.articles.bucket_name,
            "IntakeQueueUrl": messaging.intake.queue_url,
            "IntakeDlqUrl": messaging.intake_dlq.queue_url,
            "RunnerJobsQueueUrl": messaging.runner_jobs.queue_url,
            "RunnerJobsDlqUrl": messaging.runner_jobs_dlq.queue_url,
            "WebhooksTable": webhooks.deliveries.table_name,
            "WebhookQueueUrl": webhooks.queue.queue_url,
            "WebhookDlqUrl": webhooks.dlq.queue_url,
            "WebhookSecretName": webhooks.secret_name,
            "RunnerCluster": runner.cluster.cluster_name,
            "RunnerService": runner.service.service_name,
            "ContentEventBusName": publishing.bus_name,
            "ContentEventBusArn": publishing.bus.event_bus_arn,
            "PublishSchedulerRoleArn": publishing.scheduler_role.role_arn,
            "AccountsTable": storage.accounts.table_name,
            "SchedulesTable": storage.schedules.table_name,
            "IdempotencyTable": storage.idempotency.table_name,
            "BatchFunctionArn": functions.batch.function_arn,
            "BatchSchedulerRoleArn": scheduling.role.role_arn,
        }
        for name, value in outputs.items():
            CfnOutput(self, name, value=value)
        self.settings = settings
