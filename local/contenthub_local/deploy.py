"""Deploy a synthesized cloud assembly into moto, as `cdk deploy` would into an account:
bootstrap resources (the assets bucket and the bootstrap version parameter), asset upload,
then CreateStack with the template — all through the public AWS APIs of the moto server."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

from contenthub_local.moto_seams import ACCOUNT  # the account moto deploys into

BOOTSTRAP_QUALIFIER = "hnb659fds"


def _zip_dir(path: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(path.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
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
    clients.cloudformation.create_stack(
        StackName=stack_name,
        TemplateURL=f"https://{bucket}.s3.amazonaws.com/{key}",
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    clients.cloudformation.get_waiter("stack_create_complete").wait(
        StackName=stack_name, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
    )
    stack = clients.cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
