"""AWS's limits on the running local stack: each broken on purpose, each refused with the error
AWS returns (limits.py and moto's own checks; the deploy-time side is tests/infra/test_deploy_limits.py).
Where AWS has raised a limit, the current one is what is refused (SQS messages and asynchronous
Lambda payloads: 1 MB since 2025/2026, not 256 KB)."""

from __future__ import annotations

import io
import json
import time
import uuid
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.e2e.conftest import RunningStack
from tests.e2e.parity.aws import ACCOUNT

PROBE = """
def handler(event, context):
    return "x" * int(event.get("size", 0))
"""
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": [
    "lambda.amazonaws.com", "states.amazonaws.com"]}, "Action": "sts:AssumeRole"}]}  # fmt: skip


def zipped(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("probe.py", source)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def probe(local_stack: RunningStack) -> Iterator[dict[str, str]]:
    """A function that returns `size` bytes, its role, and a role a state machine may invoke it with."""
    iam = local_stack.client("iam")
    suffix = uuid.uuid4().hex[:8]
    role = iam.create_role(RoleName=f"parity-probe-{suffix}", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]
    fn = local_stack.client("lambda").create_function(
        FunctionName=f"parity-probe-{suffix}", Runtime="python3.13", Role=role["Arn"], Handler="probe.handler",
        Code={"ZipFile": zipped(PROBE)}, Timeout=30,
    )  # fmt: skip
    invoke = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": fn["FunctionArn"]}]}  # fmt: skip
    iam.put_role_policy(RoleName=role["RoleName"], PolicyName="invoke-probe", PolicyDocument=json.dumps(invoke))
    yield {"name": fn["FunctionName"], "arn": fn["FunctionArn"], "role": role["Arn"]}
    local_stack.client("lambda").delete_function(FunctionName=fn["FunctionName"])


def slow_client(stack: RunningStack, service: str) -> Any:
    return boto3.client(  # type: ignore[call-overload]
        service, endpoint_url=stack.endpoint, region_name="us-east-1",
        config=Config(read_timeout=120, retries={"max_attempts": 1}),
    )  # fmt: skip


def error_of(call: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as raised:
        call()
    return {**raised.value.response["Error"], "status": raised.value.response["ResponseMetadata"]["HTTPStatusCode"]}


def test_lambda_payloads_over_6_mb_sync_and_1_mb_async_are_refused(local_stack: RunningStack, probe):
    lam = slow_client(local_stack, "lambda")
    big = json.dumps({"pad": "x" * 6_300_000}).encode()
    error = error_of(lambda: lam.invoke(FunctionName=probe["name"], Payload=big))
    assert (error["Code"], error["status"]) == ("RequestEntityTooLargeException", 413)
    assert "6291456 bytes" in error["Message"]
    over_async = json.dumps({"pad": "x" * 1_050_000}).encode()
    error = error_of(lambda: lam.invoke(FunctionName=probe["name"], InvocationType="Event", Payload=over_async))
    assert (error["Code"], error["status"]) == ("RequestEntityTooLargeException", 413)
    # AWS raised the asynchronous limit from 256 KB to 1 MB: 300 KB is accepted.
    accepted = lam.invoke(
        FunctionName=probe["name"], InvocationType="Event", Payload=json.dumps({"pad": "x" * 300_000})
    )
    assert accepted["StatusCode"] == 202


def test_a_lambda_response_over_6_mb_is_a_function_error(local_stack: RunningStack, probe):
    response = slow_client(local_stack, "lambda").invoke(FunctionName=probe["name"], Payload=b'{"size": 6400000}')
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(response["Payload"].read())["errorType"] == "Function.ResponseSizeTooLarge"


def run_machine(stack: RunningStack, probe: dict[str, str], size: int) -> tuple[dict[str, Any], list[str]]:
    """A Task invoking the probe for `size` bytes, with Catch States.ALL → a Pass state."""
    definition = {
        "StartAt": "Big",
        "States": {
            "Big": {"Type": "Task", "Resource": probe["arn"], "Parameters": {"size": size}, "End": True,
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]},
            "Caught": {"Type": "Pass", "End": True},
        },
    }  # fmt: skip
    sfn = stack.client("stepfunctions")
    machine = sfn.create_state_machine(
        name=f"parity-limit-{uuid.uuid4().hex[:8]}", definition=json.dumps(definition), roleArn=probe["role"]
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    deadline = time.monotonic() + 60
    while (described := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
        assert time.monotonic() < deadline, "the execution did not end"
        time.sleep(0.2)
    history = sfn.get_execution_history(executionArn=execution)["events"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e]
    return described, entered


def test_a_state_result_over_256_kb_fails_the_execution_past_catch_states_all(local_stack: RunningStack, probe):
    small, entered = run_machine(local_stack, probe, 1000)
    assert small["status"] == "SUCCEEDED" and entered == ["Big"]
    big, entered = run_machine(local_stack, probe, 300_000)
    assert (big["status"], big["error"]) == ("FAILED", "States.DataLimitExceeded")
    assert entered == ["Big"]  # States.ALL does not catch it: "Caught" never ran


def test_an_execution_input_over_256_kb_is_refused(local_stack: RunningStack):
    sfn = local_stack.client("stepfunctions")
    payload = json.dumps({"task_id": "task-000000000000", "pad": "x" * 262_144})
    error = error_of(lambda: sfn.start_execution(stateMachineArn=local_stack.outputs["StateMachineArn"], input=payload))
    assert error["Code"] == "ValidationException"
    assert "less than or equal to 262144" in error["Message"]


def test_an_sqs_message_over_the_queue_limit_is_refused(local_stack: RunningStack):
    sqs = local_stack.client("sqs")
    url = sqs.create_queue(QueueName=f"parity-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    try:
        maximum = int(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["MaximumMessageSize"])["Attributes"][
            "MaximumMessageSize"])  # fmt: skip
        assert maximum == 1_048_576  # SQS's default and ceiling since 2025 (256 KB before)
        error = error_of(lambda: sqs.send_message(QueueUrl=url, MessageBody="x" * (maximum + 1)))
        assert error["Code"] == "InvalidParameterValue"
        sqs.send_message(QueueUrl=url, MessageBody="x" * 300_000)  # over the old 256 KB: accepted, as on AWS
    finally:
        sqs.delete_queue(QueueUrl=url)


def test_a_dynamodb_item_over_400_kb_and_floats_are_refused(local_stack: RunningStack):
    dynamodb = local_stack.client("dynamodb")
    name = f"parity-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
    )  # fmt: skip
    try:
        error = error_of(lambda: dynamodb.put_item(TableName=name, Item={"k": {"S": "a"}, "v": {"S": "x" * 410_000}}))
        assert (error["Code"], error["Message"]) == (
            "ValidationException",
            "Item size has exceeded the maximum allowed size",
        )
        table = boto3.resource("dynamodb", endpoint_url=local_stack.endpoint, region_name="us-east-1").Table(name)
        with pytest.raises(TypeError, match="Float types are not supported"):
            table.put_item(Item={"k": "b", "n": 1.5})  # refused by boto3 before it is sent
        table.put_item(Item={"k": "b", "n": Decimal("1.5")})
    finally:
        dynamodb.delete_table(TableName=name)


def test_lambda_configuration_limits_are_refused(local_stack: RunningStack, probe):
    lam = local_stack.client("lambda")
    common = {"Runtime": "python3.13", "Role": probe["role"], "Handler": "probe.handler",
              "Code": {"ZipFile": zipped(PROBE)}}  # fmt: skip
    error = error_of(lambda: lam.create_function(FunctionName=f"parity-{uuid.uuid4().hex[:6]}", Timeout=901, **common))
    assert error["Code"] == "ValidationException" and "less than or equal to 900" in error["Message"]
    five_kb = {"Variables": {f"KEY_{i}": "v" * 100 for i in range(45)}}
    error = error_of(
        lambda: lam.create_function(FunctionName=f"parity-{uuid.uuid4().hex[:6]}", Environment=five_kb, **common)
    )
    assert error["Code"] == "InvalidParameterValueException" and "exceeded the 4KB limit" in error["Message"]
    error = error_of(lambda: lam.update_function_configuration(FunctionName=probe["name"], Timeout=1000))
    assert error["Code"] == "ValidationException"
    assert lam.get_function_configuration(FunctionName=probe["name"])["Timeout"] == 30  # unchanged


def test_an_event_source_whose_queue_visibility_is_below_the_function_timeout_is_refused(
    local_stack: RunningStack, probe
):
    sqs, lam = local_stack.client("sqs"), local_stack.client("lambda")
    url = sqs.create_queue(QueueName=f"parity-{uuid.uuid4().hex[:8]}", Attributes={"VisibilityTimeout": "5"})[
        "QueueUrl"
    ]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    try:
        error = error_of(lambda: lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=probe["name"]))
        assert error["Code"] == "InvalidParameterValueException"
        assert error["Message"] == "Queue visibility timeout: 5 seconds is less than Function timeout: 30 seconds"
    finally:
        sqs.delete_queue(QueueUrl=url)
    assert arn.startswith(f"arn:aws:sqs:us-east-1:{ACCOUNT}:")
