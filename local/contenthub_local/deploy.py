"""Deploy a synthesized cloud assembly into moto, as `cdk deploy` would into an account:
bootstrap resources (the assets bucket and the bootstrap version parameter), asset upload,
then CreateStack with the template — all through the public AWS APIs of the moto server."""

from __future__ import annotations

import ast
import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

from contenthub_local.moto_seams import ACCOUNT  # the account moto deploys into

BOOTSTRAP_QUALIFIER = "hnb659fds"


class DeployFailed(RuntimeError):
    """CloudFormation could not create the stack: a service refused one of its resources."""


def _error_text(error: Exception) -> str:
    """The refusing service's error code and message, from the raw response botocore could not parse."""
    text = str(error)
    raw = text.split("invalid XML received. Further retries may succeed:", 1)[-1].strip()
    try:
        body = ast.literal_eval(raw) if raw.startswith(("b'", 'b"')) else raw
        parsed = json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)
        return f"{str(parsed.get('__type', '')).split('#')[-1]}: {parsed.get('message') or parsed.get('Message')}"
    except (ValueError, SyntaxError, AttributeError):
        return raw


def _zip_dir(path: Path) -> bytes:
    """An asset folder as deployed, bytecode included (infra/layers.py builds it for Lambda's Python)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(path.rglob("*")):
            if file.is_file():
                archive.write(file, file.relative_to(path).as_posix())
    return buffer.getvalue()


def _substitute(value: str, region: str) -> str:
    return (
        value.replace("${AWS::AccountId}", ACCOUNT)
        .replace("${AWS::Region}", region)
        .replace("${AWS::Partition}", "aws")
    )


def bootstrap(clients: Any, region: str) -> None:
    clients.ssm.put_parameter(
        Name=f"/cdk-bootstrap/{BOOTSTRAP_QUALIFIER}/version", Value="30", Type="String", Overwrite=True
    )
    clients.s3.create_bucket(Bucket=f"cdk-{BOOTSTRAP_QUALIFIER}-assets-{ACCOUNT}-{region}")


def upload_assets(clients: Any, assembly: Path, stack_name: str, region: str) -> None:
    manifest = json.loads((assembly / f"{stack_name}.assets.json").read_text())
    for asset in manifest.get("files", {}).values():
        source = assembly / asset["source"]["path"]
        body = _zip_dir(source) if asset["source"].get("packaging") == "zip" else source.read_bytes()
        for destination in asset["destinations"].values():
            clients.s3.put_object(
                Bucket=_substitute(destination["bucketName"], region),
                Key=_substitute(destination["objectKey"], region),
                Body=body,
            )


def create_stack(clients: Any, assembly: Path, stack_name: str, region: str) -> dict[str, str]:
    template = (assembly / f"{stack_name}.template.json").read_text()
    bucket = f"cdk-{BOOTSTRAP_QUALIFIER}-assets-{ACCOUNT}-{region}"
    key = f"templates/{stack_name}-{os.urandom(4).hex()}.json"
    clients.s3.put_object(Bucket=bucket, Key=key, Body=template.encode())
    try:
        clients.cloudformation.create_stack(
            StackName=stack_name,
            TemplateURL=f"https://{bucket}.s3.amazonaws.com/{key}",
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
        )
    except (ClientError, ResponseParserError) as error:
        # moto creates the resources inside CreateStack: a resource the service refuses (as AWS
        # would fail the stack with CREATE_FAILED) ends the call with that service's error.
        raise DeployFailed(f"{stack_name}: a resource was refused: {_error_text(error)}") from error
    clients.cloudformation.get_waiter("stack_create_complete").wait(
        StackName=stack_name, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
    )
    stack = clients.cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def _resolve(value: Any, region: str) -> Any:
    """The pseudo parameters and joins CDK uses in managed policy ARNs."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Ref" in value:
        return {"AWS::Partition": "aws", "AWS::Region": region, "AWS::AccountId": ACCOUNT}.get(value["Ref"])
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        resolved = [_resolve(part, region) for part in parts]
        return separator.join(resolved) if all(isinstance(p, str) for p in resolved) else None
    return None


def _physical_ids(clients: Any, stack_name: str) -> dict[str, str]:
    resources = clients.cloudformation.list_stack_resources(StackName=stack_name)["StackResourceSummaries"]
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}


def attach_managed_policies(clients: Any, assembly: Path, stack_name: str, region: str) -> int:
    """moto's CloudFormation ignores a role's ManagedPolicyArns: attach them as CloudFormation would
    (the AWS managed policies are loaded: moto config iam.load_aws_managed_policies)."""
    template = json.loads((assembly / f"{stack_name}.template.json").read_text())
    attached = 0
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        arns = [_resolve(arn, region) for arn in resource.get("Properties", {}).get("ManagedPolicyArns", [])]
        if not arns:
            continue
        role_name = _physical_ids(clients, stack_name)[logical_id]
        for arn in arns:
            if arn:
                clients.iam.attach_role_policy(RoleName=role_name, PolicyArn=arn)
                attached += 1
    return attached


def role_arn_of(clients: Any, assembly: Path, stack_name: str, resource_type: str, role_property: str) -> str | None:
    """The ARN of the role a resource of this type names in `role_property` (e.g. the runner's ECS
    task role: AWS::ECS::TaskDefinition TaskRoleArn), as deployed."""
    template = json.loads((assembly / f"{stack_name}.template.json").read_text())
    for resource in template["Resources"].values():
        if resource["Type"] != resource_type:
            continue
        reference = resource.get("Properties", {}).get(role_property)
        if isinstance(reference, dict) and "Fn::GetAtt" in reference:
            role_name = _physical_ids(clients, stack_name)[reference["Fn::GetAtt"][0]]
            return f"arn:aws:iam::{ACCOUNT}:role/{role_name}"
    return None
