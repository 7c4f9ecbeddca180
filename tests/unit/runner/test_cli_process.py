"""The `cli` creator's process handling (issue #12, Low): a program that leaves a child holding its
stdout still answers at once, and nothing it started outlives the call."""

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from contenthub.models import JobRequest
from contenthub.settings import Settings
from contenthub_runner.creators import build_creator
from tests.conftest import FAKE_CREATOR


@pytest.fixture(autouse=True)
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_CREATOR_STATE", str(tmp_path))
    monkeypatch.setenv("CREATOR_ENV_ALLOW", "FAKE_CREATOR_STATE")


def creator(mode):
    settings = Settings(CREATOR_KIND="cli", CREATOR_CLI_PATH=FAKE_CREATOR, CREATOR_MODE=mode, ASYNC_POLL_INTERVAL=1,
                        CREATOR_KILL_GRACE_SECONDS=1)  # fmt: skip
    return build_creator("cli", settings)


def alive(pid):
    """Running (a zombie waiting for its reaper counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_child_holding_stdout_neither_loses_the_output_nor_outlives_the_call(mode):
    threads = threading.active_count()
    job = JobRequest(job_id="task-0123456789ab#1", task_id="task-0123456789ab", attempt=1, account_id=49,
                     topic="forker", keywords=["AI"])  # fmt: skip
    started = time.monotonic()
    article = creator(mode).generate(job, lambda *_: None, lambda: False)
    took = time.monotonic() - started
    child = article.metadata["child_pid"]
    try:
        assert article.title == "About forker"  # the parent's output, not lost
        assert took < 5, f"the job waited {took:.1f} s for a child that sleeps 60 s"
        deadline = time.monotonic() + 2
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(child), "the program's child outlived the call"
        assert threading.active_count() == threads  # no reader thread left blocked
    finally:
        if alive(child):
            os.kill(child, signal.SIGKILL)
