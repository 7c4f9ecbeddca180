"""What a user sees: `python -m contenthub_local --demo` (`make run`) prints no warnings, no URL
that does not work locally (the template's execute-api URL), one line naming the resource types
moto's CloudFormation does not create, the demo task from submit to stored article; Ctrl-C stops
it quietly."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import SHARED_CONTEXT

ROOT = Path(__file__).resolve().parents[3]
CONTEXT = [arg for key, value in SHARED_CONTEXT.items() for arg in ("-c", f"{key}={value}")]  # the cached synth
ENV = {**os.environ, "OFFLINE_CREATOR_DURATION": "0.4", "PYTHONUNBUFFERED": "1"}
NOISE = re.compile(r"warning|traceback|no moto cloudformation support|execute-api|brokenpipe", re.IGNORECASE)


def test_the_demos_first_screen_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "contenthub_local", "--demo", "--exit-after-demo", "--port", "0", *CONTEXT],
        cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    screen = result.stdout + result.stderr
    assert result.returncode == 0, screen
    assert not [line for line in screen.splitlines() if NOISE.search(line)], screen
    skipped = [line for line in screen.splitlines() if "moto's CloudFormation does not create" in line]
    assert len(skipped) == 1 and "AWS::ApiGateway::Stage" in skipped[0] and "AWS::SQS::QueuePolicy" in skipped[0]
    assert re.search(r"API: +http://127\.0\.0\.1:\d+", screen) and "succeeded  100%" in screen
    logs = Path(re.search(r"logs: +(\S+)", screen).group(1))  # type: ignore[union-attr]
    assert not logs.exists()  # the temporary folder is removed when the stack stops (CONTENTHUB_KEEP_LOCAL keeps it)


def test_ctrl_c_stops_the_stack_quietly():
    process = subprocess.Popen(
        [sys.executable, "-m", "contenthub_local", "--port", "0", *CONTEXT],
        cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    seen: list[str] = []
    deadline = time.monotonic() + 600
    assert process.stdout is not None
    for line in process.stdout:
        seen.append(line)
        if "Press Ctrl-C to stop." in line or time.monotonic() > deadline:
            break
    assert "Press Ctrl-C to stop." in "".join(seen), "".join(seen)
    process.send_signal(signal.SIGINT)
    rest, _ = process.communicate(timeout=120)
    screen = "".join(seen) + rest
    assert process.returncode == 0, screen
    assert "stopping the local stack" in rest
    assert not [line for line in screen.splitlines() if NOISE.search(line)], screen
