"""`make deploy` / `make destroy`: check what a deploy needs, say what is missing, then run the CDK
CLI with the settings given (`make deploy CREATOR_KIND=bedrock ALARM_EMAIL=ops@example.com`).

    python -m infra.deploy check | deploy | destroy
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from contenthub.settings import DEPLOYED
from infra.constants import (
    BUILD_DIR,
    CONTEXT_ALARM_EMAIL,
    CONTEXT_ALARM_FAILURE_RATE,
    CONTEXT_ALARM_OLDEST_PENDING,
    CONTEXT_CALLBACK_HEARTBEAT,
    CONTEXT_COMPLETION_MODE,
    ROOT,
    STACK_NAME,
)

CDK = ["npx", "--yes", "aws-cdk@2"]
MIN_BOOTSTRAP_VERSION = 6
BOOTSTRAP_PARAMETER = "/cdk-bootstrap/hnb659fds/version"
SETTINGS = (*DEPLOYED, CONTEXT_ALARM_EMAIL, CONTEXT_COMPLETION_MODE, CONTEXT_CALLBACK_HEARTBEAT,
            CONTEXT_ALARM_FAILURE_RATE, CONTEXT_ALARM_OLDEST_PENDING)  # fmt: skip
OUTPUTS_FILE = BUILD_DIR / "deployed-outputs.json"


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def context_args(environment: dict[str, str]) -> list[str]:
    """`-c NAME=VALUE` for every setting given in the environment (make passes its variables)."""
    return [arg for name in SETTINGS if environment.get(name) for arg in ("-c", f"{name}={environment[name]}")]


def docker_check(run: Callable[[list[str]], tuple[int, str]]) -> Check:
    """The runner image is built for linux/arm64 on the deploying machine: a Docker engine, and
    either an arm64 machine or buildx with an arm64 builder (QEMU emulation)."""
    if shutil.which("docker") is None:
        return Check("docker", False, "Docker is not installed: the runner image is built on this machine")
    code, out = run(["docker", "info", "--format", "{{.Architecture}}"])
    if code != 0:
        return Check("docker", False, "no Docker engine answers (`docker info` failed): start Docker")
    if out.strip() in ("aarch64", "arm64"):
        return Check("docker", True, "arm64 engine")
    code, out = run(["docker", "buildx", "ls"])
    if code == 0 and "linux/arm64" in out:
        return Check("docker", True, "buildx can build linux/arm64")
    return Check(
        "docker", False,
        "this Docker cannot build linux/arm64 images: install QEMU emulation "
        "(`docker run --privileged --rm tonistiigi/binfmt --install arm64`) and use buildx",
    )  # fmt: skip


def aws_checks() -> list[Check]:
    """Credentials, and a CDK bootstrap of at least version 6 in the account and region."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    try:
        identity = boto3.client("sts").get_caller_identity()
    except (NoCredentialsError, BotoCoreError, ClientError) as error:
        return [Check("credentials", False, f"no usable AWS credentials ({error}); configure a profile or keys")]
    region = boto3.session.Session().region_name
    checks = [Check("credentials", True, f"account {identity['Account']} as {identity['Arn']}")]
    if not region:
        return [*checks, Check("region", False, "no region: set AWS_REGION (or a profile's region)")]
    bootstrap = f"run: npx aws-cdk@2 bootstrap aws://{identity['Account']}/{region}"
    try:
        value = boto3.client("ssm", region_name=region).get_parameter(Name=BOOTSTRAP_PARAMETER)["Parameter"]["Value"]
    except ClientError:
        return [*checks, Check("bootstrap", False, f"{region} is not bootstrapped for CDK; {bootstrap}")]
    ok = int(value) >= MIN_BOOTSTRAP_VERSION
    detail = f"version {value} in {region}" + ("" if ok else f" (need {MIN_BOOTSTRAP_VERSION}+); {bootstrap}")
    return [*checks, Check("bootstrap", ok, detail)]


def _run(command: list[str]) -> tuple[int, str]:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return 1, str(error)
    return done.returncode, done.stdout + done.stderr


def checks() -> list[Check]:
    found = [Check("node", shutil.which("npx") is not None, "npx runs the CDK CLI (Node.js 20+)")]
    return [*found, docker_check(_run), *aws_checks()]


def report(found: list[Check]) -> bool:
    for check in found:
        print(f"  {'ok ' if check.ok else 'MISSING'} {check.name:<12} {check.detail}")
    return all(check.ok for check in found)


def main(argv: list[str]) -> int:
    action = argv[0] if argv else "check"
    if action not in ("check", "deploy", "destroy"):
        print(__doc__)
        return 2
    print("checking what a deploy needs:")
    needed = checks() if action != "destroy" else [c for c in checks() if c.name != "docker"]
    if not report(needed):
        print("fix what is MISSING above, then run it again (docs/deploy.md)")
        return 1
    if action == "check":
        return 0
    settings = context_args(dict(os.environ))
    if action == "destroy":
        code = subprocess.call([*CDK, "destroy", STACK_NAME, *settings], cwd=ROOT)
        print("\nkept on purpose (delete them yourself when you are sure): the DynamoDB tables, the articles and "
              "access-log buckets, and the webhook signing secret (docs/deploy.md, 'Teardown').")  # fmt: skip
        return code
    BUILD_DIR.mkdir(exist_ok=True)
    code = subprocess.call([*CDK, "deploy", STACK_NAME, "--outputs-file", str(OUTPUTS_FILE), *settings], cwd=ROOT)
    if code == 0 and OUTPUTS_FILE.exists():
        outputs = json.loads(Path(OUTPUTS_FILE).read_text()).get(STACK_NAME, {})
        api = outputs.get("ApiUrl", "<ApiUrl>")
        print(f"\nAPI: {api}\nDashboard: {outputs.get('DashboardUrl')}\nAlarms: {outputs.get('AlarmTopicArn')}")
        print(f"next: contenthub --endpoint {api} smoke --create-account")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
