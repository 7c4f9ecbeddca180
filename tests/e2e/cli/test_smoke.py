"""`contenthub smoke`, the first command after a deploy, run against the local stack as a user
runs it: every stage with its time, a stored article, exit 0; a failing task exits 5 with why."""

from __future__ import annotations

import json

import pytest

from tests.e2e.cli.test_operator_cli import contenthub
from tests.e2e.conftest import FAIL_PREFIX, RunningStack

pytestmark = pytest.mark.e2e


def test_smoke_follows_one_task_to_the_stored_article(local_stack: RunningStack):
    result = contenthub(local_stack, "smoke", "--account", "4990", "--create-account", "--interval", "0.2",
                        "--timeout", "60")  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for stage in ("api", "account", "submitted", "running", "succeeded", "stored"):
        assert f"  {stage}" in out, (stage, out)
    assert "4990 created" in out and "smoke test passed in" in out
    again = contenthub(local_stack, "smoke", "--account", "4990", "--json", "--interval", "0.2", "--timeout", "60")
    summary = json.loads(again.stdout)
    assert again.returncode == 0 and summary["ok"] and summary["content_id"].startswith("content-")
    assert [s["stage"] for s in summary["stages"]][:3] == ["api", "account", "submitted"]


def test_smoke_says_why_a_task_failed_and_exits_5(local_stack: RunningStack):
    result = contenthub(local_stack, "smoke", "--account", "4990", "--create-account", "--topic",
                        f"{FAIL_PREFIX} smoke", "--interval", "0.2", "--timeout", "60")  # fmt: skip
    assert result.returncode == 5, result.stderr
    assert "ended failed" in result.stderr and "OFFLINE_CREATOR_FAIL_PATTERN" in result.stderr


def test_smoke_without_the_account_is_refused_with_exit_3(local_stack: RunningStack):
    result = contenthub(local_stack, "smoke", "--account", "4991")
    assert result.returncode == 3 and "4991 does not exist" in result.stderr
