"""WEBHOOK_ALLOW_PRIVATE_TARGETS turns the SSRF guard off: only the local stack may synthesize it."""

import json
import os
import subprocess
import sys

import pytest

from contenthub_local.synth import LOCAL_CONTEXT, synth
from infra.app import build_app
from infra.constants import ROOT, STACK_NAME
from tests.conftest import SHARED_CONTEXT


@pytest.mark.parametrize("value", ["true", "True", "1", "yes", True])
def test_a_deployment_that_allows_private_webhook_targets_does_not_synthesize(value):
    with pytest.raises(ValueError, match="WEBHOOK_ALLOW_PRIVATE_TARGETS.*local stack"):
        build_app(context={"WEBHOOK_ALLOW_PRIVATE_TARGETS": value})
    with pytest.raises(ValueError, match="WEBHOOK_ALLOW_PRIVATE_TARGETS"):
        build_app(context={"WEBHOOK_ALLOW_PRIVATE_TARGETS": value, "LOCAL_STACK": "false"})


def test_cdk_synth_with_the_context_flag_fails_with_a_clear_message():
    """What `cdk synth -c WEBHOOK_ALLOW_PRIVATE_TARGETS=true` runs: the app, with the context in
    CDK_CONTEXT_JSON."""
    env = {**os.environ, "CDK_CONTEXT_JSON": json.dumps({"WEBHOOK_ALLOW_PRIVATE_TARGETS": "true"})}
    result = subprocess.run([sys.executable, "-m", "infra.app"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "WEBHOOK_ALLOW_PRIVATE_TARGETS=true is for the local stack only" in result.stderr, result.stderr[-2000:]


def test_the_local_stack_synth_allows_them_for_its_loopback_receiver():
    assert LOCAL_CONTEXT["LOCAL_STACK"] == "true"
    template = json.loads((synth(SHARED_CONTEXT) / f"{STACK_NAME}.template.json").read_text())
    environments = [
        r["Properties"]["Environment"]["Variables"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function" and "Environment" in r["Properties"]
    ]
    assert environments and all(e.get("WEBHOOK_ALLOW_PRIVATE_TARGETS") == "true" for e in environments)
