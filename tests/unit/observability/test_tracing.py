"""Tracing costs nothing at cold start when it is off (issue #15): with tracing off no part of the
X-Ray SDK is imported (Powertools' Tracer imports it at init even to disable it); on Lambda with
tracing on, the Tracer is Powertools' X-Ray one, so traces are unchanged."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT

PROBE = """
import json, sys
from contenthub.observability import tracer
print(json.dumps({"xray": sorted(m for m in sys.modules if m.startswith("aws_xray_sdk"))[:3],
                  "provider": type(tracer.provider).__module__ + "." + type(tracer.provider).__name__,
                  "disabled": tracer.disabled}))
"""


def probe(**environment: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("LAMBDA_TASK_ROOT", "POWERTOOLS_TRACE_DISABLED", "AWS_SAM_LOCAL")}  # fmt: skip
    result = subprocess.run([sys.executable, "-c", PROBE], env={**env, **environment}, cwd=ROOT,
                            capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_tracing_off_imports_no_xray_sdk():
    for environment in ({}, {"LAMBDA_TASK_ROOT": "/var/task", "POWERTOOLS_TRACE_DISABLED": "true"}):
        found = probe(**environment)
        assert found["xray"] == [], (environment, found)
        assert found["provider"].endswith("NoTracing")


def test_tracing_on_in_lambda_uses_the_xray_provider():
    found = probe(LAMBDA_TASK_ROOT="/var/task")
    assert "aws_xray_sdk" in found["provider"] and not found["disabled"]
    assert found["xray"]
