"""The local stack starts its runners with the settings the functions were deployed with: a
runner whose RUNNER_HEARTBEAT_SECONDS differed from poll's would have its jobs judged dead
(found by the 20-minute benchmark run: local runners lacked it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from contenthub.resources import RESOURCES, Principal, used_by
from contenthub_local.stack import LocalStack

DEPLOYED = {
    "ASYNC_TASK_TIMEOUT": "1800", "ASYNC_POLL_INTERVAL": "30", "CREATOR_MODE": "async",
    "RUNNER_HEARTBEAT_SECONDS": "20", "TASKS_TABLE": "not-for-the-runner", "POWERTOOLS_SERVICE_NAME": "poll",
}  # fmt: skip


class FakeLambda:
    def get_function_configuration(self, FunctionName: str) -> dict[str, Any]:  # noqa: N803 - boto3's name
        assert FunctionName == "stack-poll-123"
        return {"Environment": {"Variables": DEPLOYED}}


def stack_with(tmp_path: Path, runner_env: dict[str, str]) -> LocalStack:
    stack = LocalStack(workdir=tmp_path, runner_env=runner_env)
    stack.outputs = {r.output: r.output.lower() for r in RESOURCES}
    stack.client = lambda service: FakeLambda()  # type: ignore[method-assign]
    stack.function_name = lambda name: f"stack-{name}-123"  # type: ignore[method-assign]
    return stack


def test_runner_settings_come_from_the_deployed_functions(tmp_path: Path):
    env = stack_with(tmp_path, {}).runner_environment()
    assert env["RUNNER_HEARTBEAT_SECONDS"] == "20"
    assert env["ASYNC_TASK_TIMEOUT"] == "1800" and env["CREATOR_MODE"] == "async"
    assert env["TASKS_TABLE"] == "taskstable"  # the stack's own outputs, not another function's setting
    assert env["POWERTOOLS_SERVICE_NAME"] == "contenthub-runner"
    # Every resource the runner uses (contenthub/resources.py), from the stack's outputs.
    assert {r.env: env[r.env] for r in used_by(Principal.RUNNER)} == {
        r.env: r.output.lower() for r in used_by(Principal.RUNNER)
    }


def test_runner_env_overrides_win(tmp_path: Path):
    env = stack_with(tmp_path, {"RUNNER_HEARTBEAT_SECONDS": "2", "CREATOR_KIND": "cli"}).runner_environment()
    assert env["RUNNER_HEARTBEAT_SECONDS"] == "2" and env["CREATOR_KIND"] == "cli"


def test_a_function_runs_locally_only_on_its_runtimes_python():
    from contenthub_local.lambda_adapter import runtime_mismatch

    assert runtime_mismatch("python3.13", (3, 13)) is None
    message = runtime_mismatch("python3.14", (3, 13))
    assert message is not None and "python3.14" in message and "3.13" in message
