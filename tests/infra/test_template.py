"""What the synthesized template must contain (the design card's resources)."""

import json
from pathlib import Path

from aws_cdk.assertions import Match


def test_tables_on_demand_encrypted_with_pitr(template):
    # tasks, contents, jobs, counters, accounts, schedules, idempotency, webhook deliveries, controls history
    template.resource_count_is("AWS::DynamoDB::Table", 9)
    template.all_resources_properties(
        "AWS::DynamoDB::Table",
        {
            "BillingMode": "PAY_PER_REQUEST",
            "SSESpecification": {"SSEEnabled": True},
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        },
    )


def test_tasks_table_indexes_and_ttl(template):
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": [{"AttributeName": "task_id", "KeyType": "HASH"}],
            "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
            "GlobalSecondaryIndexes": Match.array_with(
                [
                    Match.object_like(
                        {
                            "IndexName": "by_status",
                            "KeySchema": [
                                {"AttributeName": "status", "KeyType": "HASH"},
                                {"AttributeName": "created_at", "KeyType": "RANGE"},
                            ],
                        }
                    ),
                    Match.object_like(
                        {
                            "IndexName": "by_account",
                            "KeySchema": [
                                {"AttributeName": "account_id", "KeyType": "HASH"},
                                {"AttributeName": "created_at", "KeyType": "RANGE"},
                            ],
                        }
                    ),
                ]
            ),
        },
    )


def test_contents_table_indexes(template):
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": [{"AttributeName": "content_id", "KeyType": "HASH"}],
            "GlobalSecondaryIndexes": Match.array_with(
                [Match.object_like({"IndexName": "by_account"}), Match.object_like({"IndexName": "by_task"})]
            ),
        },
    )


def test_queues_have_dlqs_sse_and_refuse_non_tls(template):
    # intake, runner-jobs, webhooks: each with a DLQ
    template.resource_count_is("AWS::SQS::Queue", 6)
    template.all_resources_properties("AWS::SQS::Queue", {"SqsManagedSseEnabled": True})
    queues = template.find_resources("AWS::SQS::Queue")
    with_dlq = [q for q in queues.values() if "RedrivePolicy" in q["Properties"]]
    assert len(with_dlq) == 3
    policies = template.find_resources("AWS::SQS::QueuePolicy")
    assert len(policies) == 6
    for policy in policies.values():
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        assert any(
            s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements
        )


def test_article_bucket_private_encrypted_tls_only(template):
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketEncryption": Match.any_value(),
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "VersioningConfiguration": {"Status": "Enabled"},
            "LoggingConfiguration": Match.any_value(),
        },
    )
    for policy in template.find_resources("AWS::S3::BucketPolicy").values():
        assert any(s["Effect"] == "Deny" for s in policy["Properties"]["PolicyDocument"]["Statement"])


def test_functions_share_runtime_arch_layers_tracing_and_json_logs(template):
    functions = template.find_resources("AWS::Lambda::Function")
    assert len(functions) == len(
        list(Path(__file__).resolve().parents[2].glob("functions/*/handler.py"))
    )  # one per folder of functions/, each its own principal in the resource map
    assert {f["Properties"]["Handler"] for f in functions.values()} == {"handler.main"}
    for function in functions.values():
        props = function["Properties"]
        assert props["Runtime"] == "python3.13"
        assert props["Architectures"] == ["arm64"]
        assert len(props["Layers"]) == 2
        assert props["TracingConfig"] == {"Mode": "Active"}
        assert props["LoggingConfig"]["LogFormat"] == "JSON"
    template.resource_count_is("AWS::Lambda::LayerVersion", 2)


def test_queue_consumers_report_partial_batch_failures(template):
    mappings = template.find_resources("AWS::Lambda::EventSourceMapping")
    assert sorted(m["Properties"]["BatchSize"] for m in mappings.values()) == [5, 10]  # webhooks, intake
    for mapping in mappings.values():
        assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def _definition(template) -> dict:
    [machine] = template.find_resources("AWS::StepFunctions::StateMachine").values()
    parts = machine["Properties"]["DefinitionString"]["Fn::Join"][1]
    text = "".join(p if isinstance(p, str) else "X" for p in parts)  # tokens (ARNs, names) inside strings
    return json.loads(text)


def test_standard_state_machine_in_poll_mode(template):
    template.has_resource_properties(
        "AWS::StepFunctions::StateMachine",
        {
            "StateMachineType": "STANDARD",
            "TracingConfiguration": {"Enabled": True},
            "LoggingConfiguration": Match.object_like({"Level": "ALL"}),
        },
    )
    states = _definition(template)["States"]
    assert _definition(template)["StartAt"] == "MarkRunning"
    assert {
        "MarkRunning",
        "DispatchJob",
        "WaitFirst",
        "Poll",
        "Outcome",
        "WaitPoll",
        "HandleResult",
        "MarkFailed",
        "Failed",
        "Stored",
    } <= set(states)
    assert states["WaitFirst"]["SecondsPath"] == "$.timing.first_wait"
    assert states["WaitPoll"]["Next"] == "Poll"
    for name in ("MarkRunning", "DispatchJob", "Poll", "HandleResult"):
        assert states[name]["Catch"][0]["Next"] == "MarkFailed", name
    for name in ("Poll", "HandleResult", "MarkFailed"):
        assert states[name]["Retry"][0]["BackoffRate"] == 2, name
    assert states["DispatchJob"]["Resource"].endswith(":states:::sqs:sendMessage")
    assert states["MarkRunning"]["Resource"].endswith(":states:::dynamodb:updateItem")


def test_rest_api_routes_all_require_iam(template):
    from infra.components.api import ROUTES

    methods = template.find_resources("AWS::ApiGateway::Method")
    assert len(methods) == sum(len(verbs) for verbs in ROUTES.values())
    assert {m["Properties"]["HttpMethod"] for m in methods.values()} == {"GET", "POST", "PUT", "PATCH", "DELETE"}
    for method in methods.values():
        assert method["Properties"]["AuthorizationType"] == "AWS_IAM"
        assert method["Properties"]["Integration"]["Type"] == "AWS_PROXY"
        assert "RequestValidatorId" in method["Properties"]
    paths = {r["Properties"]["PathPart"] for r in template.find_resources("AWS::ApiGateway::Resource").values()}
    assert paths == {part for route in ROUTES for part in route.split("/") if part}
    template.has_resource_properties(
        "AWS::ApiGateway::Stage",
        {
            "AccessLogSetting": Match.any_value(),
            "TracingEnabled": True,
            "MethodSettings": Match.array_with(
                [Match.object_like({"ThrottlingRateLimit": 100, "ThrottlingBurstLimit": 200})]
            ),
        },
    )
    template.resource_count_is("AWS::ApiGateway::RequestValidator", 1)


def test_settings_reach_the_functions(template):
    for function in template.find_resources("AWS::Lambda::Function").values():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["ASYNC_TASK_TIMEOUT"] == "1800"
        assert variables["ASYNC_POLL_INTERVAL"] == "30"
        assert variables["ASYNC_AUTO_APPROVE"] == "true"


def test_webhook_signing_secret_is_generated_in_secrets_manager_and_never_in_the_environment(template):
    template.has_resource_properties(
        "AWS::SecretsManager::Secret",
        {
            "GenerateSecretString": Match.object_like(
                {"SecretStringTemplate": '{"prefix": "whsec_"}', "GenerateStringKey": "key", "ExcludePunctuation": True}
            ),
        },
    )
    named = []
    for function in template.find_resources("AWS::Lambda::Function").values():
        variables = function["Properties"]["Environment"]["Variables"]
        if "WEBHOOK_SECRET_ID" in variables:  # only its name, and only where it is read
            assert "ContentHub/webhook-signing-secret-" in json.dumps(variables["WEBHOOK_SECRET_ID"])
            named.append(variables["CONTENTHUB_FUNCTION"])
        assert not any("whsec_" in json.dumps(value) for value in variables.values())
    assert named == ["webhook_deliver"]


def test_only_the_webhook_sender_reads_the_secret(template):
    readers = [
        name
        for name, policy in template.find_resources("AWS::IAM::Policy").items()
        if "secretsmanager:GetSecretValue" in json.dumps(policy)
    ]
    assert len(readers) == 1 and "WebhookDeliver" in readers[0]


def _alarms(template) -> dict:
    return {name: a["Properties"] for name, a in template.find_resources("AWS::CloudWatch::Alarm").items()}


def test_every_dlq_has_a_not_empty_alarm_to_the_sns_topic(template):
    [topic] = template.find_resources("AWS::SNS::Topic").keys()
    dlq_alarms = [a for name, a in _alarms(template).items() if "DlqNotEmpty" in name]
    assert len(dlq_alarms) == 3
    for alarm in dlq_alarms:
        assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible" and alarm["Threshold"] == 0
        assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
        assert alarm["AlarmActions"] == [{"Ref": topic}]


def test_failure_rate_oldest_pending_and_stale_runner_alarms(template):
    alarms = _alarms(template)
    [failure] = [a for n, a in alarms.items() if "FailureRate" in n]
    assert failure["Threshold"] == 20
    expressions = [m.get("Expression", "") for m in failure["Metrics"]]
    assert any("100 * (FILL(failed, 0) + FILL(timedout, 0)) / total" in e for e in expressions)
    oldest = [a for n, a in alarms.items() if "OldestMessage" in n]
    assert len(oldest) == 3 and all(a["Threshold"] == 900 for a in oldest)
    assert all(a["MetricName"] == "ApproximateAgeOfOldestMessage" for a in oldest)
    [stale] = [a for n, a in alarms.items() if "RunnerHeartbeatStale" in n]
    assert any("FILL(beats, 0) == 0" in m.get("Expression", "") for m in stale["Metrics"])
    assert any(
        m.get("MetricStat", {}).get("Metric", {}).get("MetricName") == "RunnerHeartbeat" for m in stale["Metrics"]
    )


def test_dashboard_shows_tasks_queues_dlqs_state_machine_lambdas_webhooks_and_runner(template):
    [dashboard] = template.find_resources("AWS::CloudWatch::Dashboard").values()
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for needle in ("TasksSubmitted", "TasksSucceeded", "TasksFailed", "TasksTimedOut", "TasksCancelled",
                   "GenerationDuration", "QueueWait", "ApproximateAgeOfOldestMessage",
                   "ApproximateNumberOfMessagesVisible", "ExecutionsFailed", "Errors", "Throttles",
                   "WebhooksDelivered", "WebhooksFailed", "RunnerSlotsInUse", "Dead-letter queues",
                   # the API's 5xx and latency, the Fargate runners, the success rate, model tokens
                   "5XXError", "Latency", "ECS/ContainerInsights", "RunningTaskCount", "success rate %",
                   "InputTokens", "OutputTokens"):  # fmt: skip
        assert needle in body, needle


def test_callback_mode_waits_for_the_runners_task_token(tmp_path):
    from aws_cdk.assertions import Template

    from infra.app import build_app

    app = build_app(context={"COMPLETION_MODE": "callback", "CALLBACK_HEARTBEAT_SECONDS": "120"}, outdir=str(tmp_path))
    template = Template.from_stack(app.node.find_child("ContentHub"))
    states = _definition(template)["States"]
    dispatch = states["DispatchJob"]
    assert dispatch["Resource"].endswith(":states:::sqs:sendMessage.waitForTaskToken")
    assert dispatch["HeartbeatSeconds"] == 120 and dispatch["TimeoutSeconds"] == 1800
    assert dispatch["Parameters"]["MessageBody"] == {"job.$": "$.job", "task_token.$": "$$.Task.Token"}
    assert dispatch["Next"] == "HandleResult" and dispatch["Catch"][0]["Next"] == "MarkFailed"
    assert "Poll" not in states and "WaitFirst" not in states


def test_runner_runs_as_an_arm_fargate_service_scaled_on_queue_depth_from_zero(template):
    template.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        {
            "RuntimePlatform": {"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"},
            "RequiresCompatibilities": ["FARGATE"],
            "ContainerDefinitions": [Match.object_like({"StopTimeout": 120, "LogConfiguration": Match.any_value()})],
        },
    )
    template.has_resource_properties("AWS::ECS::Service", {"DesiredCount": 0, "LaunchType": "FARGATE"})
    # cap 5 / 5 slots per task → at most one task
    template.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalableTarget", {"MinCapacity": 0, "MaxCapacity": 1}
    )
    policies = template.find_resources("AWS::ApplicationAutoScaling::ScalingPolicy").values()
    assert len(policies) == 2  # scale out on depth, scale in to zero when nothing waits or runs
    for policy in policies:
        assert policy["Properties"]["StepScalingPolicyConfiguration"]["AdjustmentType"] == "ExactCapacity"
    depth_alarms = [a for a in template.find_resources("AWS::CloudWatch::Alarm").values()
                    if any("inflight" in json.dumps(m) for m in a["Properties"].get("Metrics", []))]  # fmt: skip
    assert depth_alarms, "scaling must count in-flight jobs, so scale-in does not stop running work"


def test_runner_task_role_can_report_to_the_state_machine_and_use_its_stores(template):
    policies = json.dumps(
        [p for name, p in template.find_resources("AWS::IAM::Policy").items() if "RunnerTaskTaskRole" in name]
    )
    for action in ("states:SendTaskSuccess", "states:SendTaskHeartbeat", "sqs:ReceiveMessage", "s3:PutObject",
                   "dynamodb:UpdateItem", "bedrock:InvokeModel"):  # fmt: skip
        assert action in policies, action
