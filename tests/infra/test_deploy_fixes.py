"""What would have broken a first real deploy, asserted on the synthesized template and assets
(issue #13): the runner image's platform, a redeployable secret, alarms that reach someone and
mean something, the runner's creator permissions, the state machine's retries."""

from __future__ import annotations

import json

import pytest
from aws_cdk.assertions import Template

from infra.app import build_app
from infra.constants import STACK_NAME


@pytest.fixture(scope="module")
def configured(tmp_path_factory) -> tuple[Template, dict]:
    """A stack with the settings a real deploy would pass: an alarm email, the OpenAI key's secret,
    a Bedrock cross-region inference profile, callback mode with a tiny timeout."""
    outdir = tmp_path_factory.mktemp("cdk.out-configured")
    context = {
        "ALARM_EMAIL": "ops@example.com", "OPENAI_API_KEY_SECRET_ID": "contenthub/openai-key",
        "BEDROCK_MODEL_ID": "us.anthropic.claude-3-5-haiku-20241022-v1:0", "COMPLETION_MODE": "callback",
        "ASYNC_TASK_TIMEOUT": "1", "CALLBACK_HEARTBEAT_SECONDS": "600",
    }  # fmt: skip
    app = build_app(context=context, outdir=str(outdir))
    template = Template.from_stack(app.node.find_child(STACK_NAME))
    app.synth()
    assets = json.loads((outdir / f"{STACK_NAME}.assets.json").read_text())
    return template, assets


def _runner_policy(template: Template) -> str:
    return json.dumps([p for n, p in template.find_resources("AWS::IAM::Policy").items() if "RunnerTaskTaskRole" in n])


def test_the_runner_image_is_built_for_arm64(configured):
    _, assets = configured
    [image] = assets["dockerImages"].values()
    assert image["source"]["platform"] == "linux/arm64"  # the task runs on ARM64 Fargate


def test_the_signing_secret_is_named_per_stack_so_a_redeploy_after_destroy_creates_a_new_one(template):
    [secret] = template.find_resources("AWS::SecretsManager::Secret").values()
    name = json.dumps(secret["Properties"]["Name"])
    assert "webhook-signing-secret-" in name and "AWS::StackId" in name  # unique per stack creation
    assert secret["DeletionPolicy"] == "Retain"  # kept after destroy (docs/deploy.md says so)
    outputs = template.to_json()["Outputs"]
    assert "AWS::StackId" in json.dumps(outputs["WebhookSecretName"])


def test_cloudwatch_can_publish_alarms_and_someone_is_subscribed(configured):
    template, _ = configured
    [topic] = template.find_resources("AWS::SNS::Topic").values()
    assert "KmsMasterKeyId" in topic["Properties"] and "alias/aws/sns" not in json.dumps(topic)
    [key] = template.find_resources("AWS::KMS::Key").values()
    assert key["Properties"]["EnableKeyRotation"] is True
    key_policy = json.dumps(key["Properties"]["KeyPolicy"])
    assert "cloudwatch.amazonaws.com" in key_policy and "kms:GenerateDataKey*" in key_policy
    topic_policies = json.dumps(template.find_resources("AWS::SNS::TopicPolicy"))
    assert "cloudwatch.amazonaws.com" in topic_policies and "sns:Publish" in topic_policies
    template.has_resource_properties("AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "ops@example.com"})
    outputs = template.to_json()["Outputs"]
    assert {"AlarmTopicArn", "DashboardUrl"} <= set(outputs)
    assert "#dashboards:name=" in json.dumps(outputs["DashboardUrl"])


def test_no_subscription_without_an_alarm_email(template):
    template.resource_count_is("AWS::SNS::Subscription", 0)


def test_the_stale_runner_alarm_tolerates_a_start_from_zero(template):
    [stale] = [a["Properties"] for n, a in template.find_resources("AWS::CloudWatch::Alarm").items()
               if "RunnerHeartbeatStale" in n]  # fmt: skip
    period = max(m.get("MetricStat", {}).get("Period", 0) for m in stale["Metrics"])
    assert period >= 60 and stale["EvaluationPeriods"] * period >= 300  # five minutes of jobs waiting, no heartbeat


def test_the_api_has_5xx_and_latency_alarms(template):
    alarms = {n: a["Properties"] for n, a in template.find_resources("AWS::CloudWatch::Alarm").items()}
    [errors] = [a for n, a in alarms.items() if "Api5xx" in n]
    [latency] = [a for n, a in alarms.items() if "ApiLatency" in n]
    assert errors["MetricName"] == "5XXError" and errors["Namespace"] == "AWS/ApiGateway"
    assert latency["MetricName"] == "Latency" and latency["ExtendedStatistic"] == "p90"


def test_the_runner_may_read_the_openai_key_and_call_the_inference_profile(configured):
    template, _ = configured
    policy = _runner_policy(template)
    assert "secretsmanager:GetSecretValue" in policy and "secret:contenthub/openai-key-??????" in policy
    assert "inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0" in policy
    assert ":bedrock:*::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0" in policy
    assert '"arn:aws:' not in policy  # the stack's partition, not a literal


def test_the_default_runner_may_call_only_its_model(template):
    policy = _runner_policy(template)
    assert "foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0" in policy and "secretsmanager" not in policy


def _states(template: Template) -> dict:
    [machine] = template.find_resources("AWS::StepFunctions::StateMachine").values()
    parts = machine["Properties"]["DefinitionString"]["Fn::Join"][1]
    return json.loads("".join(p if isinstance(p, str) else "X" for p in parts))["States"]


def test_service_integrations_retry_transient_errors(template, configured):
    for states in (_states(template), _states(configured[0])):
        assert "DynamoDB.ProvisionedThroughputExceededException" in states["MarkRunning"]["Retry"][0]["ErrorEquals"]
        assert "SQS.SdkClientException" in states["DispatchJob"]["Retry"][0]["ErrorEquals"]
        assert "Lambda.ClientExecutionTimeoutException" in states["HandleResult"]["Retry"][0]["ErrorEquals"]
        assert states["MarkRunning"]["Parameters"]["ConditionExpression"].endswith("AND attempt = :attempt")


def test_a_tiny_timeout_still_has_a_valid_heartbeat(configured):
    dispatch = _states(configured[0])["DispatchJob"]
    assert dispatch["TimeoutSeconds"] == 1 and dispatch["HeartbeatSeconds"] >= 1
