"""Deploy-time limits: the synthesized template, broken on purpose one way at a time, is refused
by the local deploy with the error Lambda gives CloudFormation (as `cdk deploy` would fail with
CREATE_FAILED): a function timeout over 900 s, a function environment over 4 KB, an SQS event
source whose queue's visibility timeout is below the function's timeout (the local synth's 5 s
intake visibility against the dispatcher's 30 s was one)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from moto import mock_aws

from contenthub_local import deploy, limits, moto_seams
from contenthub_local.synth import synth
from infra.constants import STACK_NAME
from tests.conftest import SHARED_CONTEXT

REGION = "us-east-1"


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path, dict[str, Any]]]:
    """A bootstrapped account with the assets uploaded, the checks on, and the template to break."""
    assembly = synth(SHARED_CONTEXT)  # the e2e stacks' synth: cached
    undo = moto_seams.check_lambda_configuration(limits.check_function, limits.check_mapping)
    try:
        with mock_aws():
            clients = SimpleNamespace(
                **{s: boto3.client(s, region_name=REGION) for s in ("ssm", "s3", "cloudformation")}
            )
            deploy.bootstrap(clients, REGION)
            deploy.upload_assets(clients, assembly, STACK_NAME, REGION)
            workdir = tmp_path_factory.mktemp("broken")
            template = json.loads((assembly / f"{STACK_NAME}.template.json").read_text())
            yield clients, workdir, template
    finally:
        undo()


def resource(template: dict[str, Any], type_: str, logical_part: str) -> dict[str, Any]:
    return next(r for k, r in template["Resources"].items() if r["Type"] == type_ and logical_part in k)


def break_timeout(template: dict[str, Any]) -> None:
    resource(template, "AWS::Lambda::Function", "Poll")["Properties"]["Timeout"] = 901


def break_environment(template: dict[str, Any]) -> None:
    variables = resource(template, "AWS::Lambda::Function", "Poll")["Properties"]["Environment"]["Variables"]
    variables["PADDING"] = "x" * 4096


def break_visibility(template: dict[str, Any]) -> None:
    mapping = resource(template, "AWS::Lambda::EventSourceMapping", "Dispatch")
    queue = mapping["Properties"]["EventSourceArn"]["Fn::GetAtt"][0]  # the intake queue
    template["Resources"][queue]["Properties"]["VisibilityTimeout"] = 5


@pytest.mark.parametrize(
    ("breaks", "refusal"),
    [
        (break_timeout, "ValidationException: 1 validation error detected: Value '901' at 'timeout'"),
        (break_environment, "InvalidParameterValueException: Lambda was unable to configure your environment"),
        (break_visibility, "InvalidParameterValueException: Queue visibility timeout: 5 seconds is less than "
                           "Function timeout: 30 seconds"),
    ],
)  # fmt: skip
def test_a_template_lambda_refuses_is_not_deployed(account, breaks, refusal):
    clients, workdir, template = account
    broken = json.loads(json.dumps(template))
    breaks(broken)
    name = f"Broken{breaks.__name__.title().replace('_', '')}"
    for bus in [r for r in broken["Resources"].values() if r["Type"] == "AWS::Events::EventBus"]:
        bus["Properties"]["Name"] = f"{name}-content"  # named literally: one per stack in this account
    (workdir / f"{name}.template.json").write_text(json.dumps(broken))
    with pytest.raises(deploy.DeployFailed) as failed:
        deploy.create_stack(clients, workdir, name, REGION)
    assert refusal in str(failed.value)
