"""Every state machine definition the app synthesizes passes asl-validator (the npm package,
pinned, installed into .build/node_modules on first use), and every template cfn-lint with its
warnings shown and none ignored: the deploy template (poll mode), and the local stack's templates
in both completion modes (poll and callback; the end-to-end stacks synthesize them, so they come
from the cache)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from contenthub_local.synth import synth
from infra.constants import BUILD_DIR, STACK_NAME
from tests.conftest import SHARED_CONTEXT

ASL_VALIDATOR = "4.0.0"
ACCOUNT, REGION = "123456789012", "us-east-1"
ARNS = {  # how a GetAtt <resource>.Arn reads once deployed
    "AWS::Lambda::Function": "arn:aws:lambda:{region}:{account}:function:{name}",
    "AWS::DynamoDB::Table": "arn:aws:dynamodb:{region}:{account}:table/{name}",
    "AWS::SQS::Queue": "arn:aws:sqs:{region}:{account}:{name}",
}


@pytest.fixture(scope="session")
def asl_validator() -> Path:
    """The asl-validator CLI, installed with npm from the npm registry once (cached in .build)."""
    package = BUILD_DIR / "node_modules" / "asl-validator" / "package.json"
    cli = BUILD_DIR / "node_modules" / ".bin" / "asl-validator"
    if not cli.exists() or json.loads(package.read_text())["version"] != ASL_VALIDATOR:
        npm = shutil.which("npm")
        assert npm, "npm (Node.js 20+) is needed to install asl-validator"
        BUILD_DIR.mkdir(exist_ok=True)
        subprocess.run(
            [npm, "install", "--prefix", str(BUILD_DIR), "--no-audit", "--no-fund", "--no-save",
             f"asl-validator@{ASL_VALIDATOR}"],
            check=True, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    return cli


@pytest.fixture(scope="session")
def templates(synthesized: Any) -> dict[str, Path]:
    return {
        "deploy (poll)": Path(synthesized[2]),
        "local (poll)": synth(SHARED_CONTEXT) / f"{STACK_NAME}.template.json",
        "local (callback)": synth({"COMPLETION_MODE": "callback"}) / f"{STACK_NAME}.template.json",
    }


def resolve(value: Any, resources: dict[str, Any]) -> Any:
    """A template value as the deployed stack would read (Ref/GetAtt/Join to plausible names and ARNs)."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(str(resolve(part, resources)) for part in parts)
    if "Ref" in value:
        name = value["Ref"]
        pseudo = {
            "AWS::Partition": "aws",
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::URLSuffix": "amazonaws.com",
        }
        if name in pseudo:
            return pseudo[name]
        if resources[name]["Type"] == "AWS::SQS::Queue":
            return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"
        return name
    if "Fn::GetAtt" in value:
        name, attribute = value["Fn::GetAtt"]
        pattern = ARNS.get(resources[name]["Type"])
        assert attribute == "Arn" and pattern, f"cannot resolve {value}"
        return pattern.format(region=REGION, account=ACCOUNT, name=name)
    raise AssertionError(f"cannot resolve {value}")


def definitions(template: Path) -> dict[str, str]:
    resources = json.loads(template.read_text())["Resources"]
    found = {
        logical_id: resolve(resource["Properties"]["DefinitionString"], resources)
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::StepFunctions::StateMachine"
    }
    assert found, f"no state machine in {template}"
    return found


def test_every_state_machine_definition_passes_asl_validator(templates, asl_validator, tmp_path):
    modes = set()
    for name, template in templates.items():
        for logical_id, definition in definitions(template).items():
            parsed = json.loads(definition)
            modes.add("callback" if "waitForTaskToken" in definition else "poll")
            path = tmp_path / f"{name.replace(' ', '-').strip('()')}-{logical_id}.asl.json"
            path.write_text(json.dumps(parsed, indent=2))
            result = subprocess.run([str(asl_validator), "--json-path", str(path)], capture_output=True, text=True)
            assert result.returncode == 0, f"{name} {logical_id}:\n{result.stdout}{result.stderr}"
    assert modes == {"poll", "callback"}


def test_asl_validator_refuses_a_broken_definition(asl_validator, tmp_path):
    """The check can fail: a Choice with no rules and a Next that names no state."""
    broken = {
        "StartAt": "A",
        "States": {"A": {"Type": "Choice", "Choices": []}, "B": {"Type": "Pass", "Next": "Nowhere"}},
    }
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    result = subprocess.run([str(asl_validator), "--json-path", str(tmp_path / "broken.json")], capture_output=True)
    assert result.returncode != 0


def test_cfn_lint_is_clean_with_warnings_shown(templates, tmp_path):
    """No check ignored (run outside the repository, so .cfnlintrc.yaml cannot ignore one either)."""
    for name, template in templates.items():
        result = subprocess.run(
            [str(Path(sys.executable).parent / "cfn-lint"), "--", str(template)],
            capture_output=True, text=True, cwd=tmp_path,
        )  # fmt: skip
        assert result.returncode == 0, f"{name}:\n{result.stdout}{result.stderr}"
