"""The local sandbox writes Lambda's platform lines (JSON log format) around each invocation: the
benchmark reads function durations from them, as one reads REPORT lines on AWS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from contenthub_local.lambda_adapter import _Sandbox

HANDLER = """
import time
def main(event, context):
    if event.get("fail"):
        raise ValueError("asked to fail")
    time.sleep(event.get("sleep", 0))
    return {"ok": event}
"""


def test_each_invocation_is_reported_with_its_duration_and_the_first_with_the_init(tmp_path: Path):
    (tmp_path / "handler.py").write_text(HANDLER)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path]), "_HANDLER": "handler.main",
           "AWS_LAMBDA_FUNCTION_NAME": "probe", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512"}  # fmt: skip
    requests = [{"event": {"sleep": 0.05}, "request_id": "r1"}, {"event": {}, "request_id": "r2"},
                {"event": {"fail": True}, "request_id": "r3"}]  # fmt: skip
    stdin = "".join(json.dumps(r) + "\n" for r in requests)
    done = subprocess.run([sys.executable, "-m", "contenthub_local.lambda_bootstrap"], input=stdin, env=env,
                          capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert answers[0] == {"ready": True} and [a["ok"] for a in answers[1:]] == [True, True, False]
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith('{"time"')]
    assert [(line["type"], line["record"]["requestId"]) for line in lines] == [
        ("platform.start", "r1"), ("platform.report", "r1"), ("platform.start", "r2"), ("platform.report", "r2"),
        ("platform.start", "r3"), ("platform.report", "r3"),
    ]  # fmt: skip
    reports = [line["record"] for line in lines if line["type"] == "platform.report"]
    assert [r["status"] for r in reports] == ["success", "success", "error"]
    first, second, _ = (r["metrics"] for r in reports)
    assert first["durationMs"] >= 50 and first["initDurationMs"] > 0 and "initDurationMs" not in second
    # Billed by the millisecond, rounded up; a cold invocation's init is billed too (since August 2025).
    assert 0 <= first["billedDurationMs"] - (first["durationMs"] + first["initDurationMs"]) <= 1.02
    assert 0 <= second["billedDurationMs"] - second["durationMs"] <= 1.01
    assert first["memorySizeMB"] == 512 and first["maxMemoryUsedMB"] > 0
    assert lines[0]["time"].endswith("Z")


def test_an_invocation_that_times_out_is_reported_with_status_timeout(tmp_path: Path):
    (tmp_path / "handler.py").write_text(HANDLER)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path]), "_HANDLER": "handler.main",
           "AWS_LAMBDA_FUNCTION_NAME": "probe", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256"}  # fmt: skip
    log = tmp_path / "probe.log"
    sandbox = _Sandbox(env, log)
    answer = sandbox.invoke({"sleep": 30}, timeout=0.5)
    assert answer["payload"]["errorType"] == "Sandbox.Timedout" and not sandbox.alive
    [report] = [json.loads(line) for line in log.read_text().splitlines() if '"platform.report"' in line]
    assert report["record"]["status"] == "timeout"
    assert report["record"]["metrics"]["durationMs"] == 500 and report["record"]["metrics"]["memorySizeMB"] == 256
