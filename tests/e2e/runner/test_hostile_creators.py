"""A hostile creator program through the local stack (issue #12, Medium #5, Medium #9, Low): the
`cli` creator in async mode (cli_stack's runners) prints huge lines, floods progress, fails with a
huge reason, returns float metadata and a 600 KB summary, forks a child holding its stdout, and
is fed option-like values. Every task ends, every value the state machine carries stays small,
the content is stored exactly, and the program never sees the runner's AWS credentials."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

import pytest

from tests.e2e.conftest import RunningStack
from tests.fixtures.fake_creator import FLOATS

pytestmark = pytest.mark.e2e
FEW_KB = 4096
STATE_BOUND = 16 * 1024  # far below Step Functions' 256 KB; hostile output would be 1 MB


def state_values(stack: RunningStack, task_id: str) -> list[tuple[str, int]]:
    """(event type, size) of every input and output the execution carried from state to state."""
    sfn = stack.client("stepfunctions")
    arn = stack.outputs["StateMachineArn"].replace(":stateMachine:", ":execution:") + f":{task_id}"
    deadline = time.monotonic() + 15  # the task is terminal inside HandleResult/MarkFailed; the execution ends after
    while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.2)
    sizes = []
    for event in sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]:
        for key, details in event.items():
            if key.endswith("EventDetails") and isinstance(details, dict):
                sizes += [(event["type"], len(str(details[f]))) for f in ("input", "output", "cause") if f in details]
    return sizes


def run_all(stack: RunningStack, submissions: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    submitted = {name: stack.submit(**body)["task_id"] for name, body in submissions.items()}
    return {name: stack.wait_until_done(task_id, timeout=180)[0] for name, task_id in submitted.items()}


def test_hostile_creator_output_ends_every_task_with_bounded_state(cli_stack: RunningStack):
    tasks = run_all(cli_stack, {
        "bigstderr": {"topic": "bigstderr", "keywords": ["AI"]},
        "bigstage": {"topic": "bigstage", "keywords": ["AI"]},
        "chatty": {"topic": "chatty", "keywords": ["AI"]},
        "bigerror": {"topic": "bigerror", "keywords": ["AI"]},
        "floaty": {"topic": "floaty", "keywords": ["AI"]},
        "forker": {"topic": "forker", "keywords": ["AI"]},
    })  # fmt: skip
    for name, task in tasks.items():
        assert task["status"] in ("succeeded", "failed"), (name, task)  # never stuck running
        assert len(json.dumps(task)) <= 2 * FEW_KB, name
        oversized = [(kind, size) for kind, size in state_values(cli_stack, task["task_id"]) if size > STATE_BOUND]
        assert not oversized, (name, oversized)

    assert tasks["bigstderr"]["status"] == "failed"
    assert tasks["bigstderr"]["error"].startswith("the creator exited with code 3: eee")
    assert "truncated" in tasks["bigstderr"]["error"]
    assert tasks["bigerror"]["status"] == "failed"
    assert tasks["bigerror"]["error"].startswith("the creator's job failed: rrr")
    assert "truncated" in tasks["bigerror"]["error"]
    for name in ("bigstage", "chatty", "floaty", "forker"):
        assert tasks[name]["status"] == "succeeded", tasks[name]

    content = cli_stack.content(tasks["floaty"]["content_id"])  # the raw item
    expected = json.loads(json.dumps({"creator": "fake-cli", **FLOATS}), parse_float=Decimal)
    assert content["metadata"] == expected  # every float exactly, as a number
    assert content["truncated"] == ["summary"] and "truncated" in content["summary"]
    assert len(content["summary"].encode()) <= FEW_KB
    assert content["body_s3_key"].endswith(f"{tasks['floaty']['task_id']}/attempt-1.json")


def test_the_program_gets_values_as_values_and_no_aws_credentials(cli_stack: RunningStack):
    tasks = run_all(cli_stack, {
        "help": {"topic": "--help", "keywords": ["--mode=async"]},
        "echo": {"topic": "echo", "keywords": ["--mode=sync", "AI"]},
    })  # fmt: skip
    assert tasks["help"]["status"] == "succeeded", tasks["help"]
    assert cli_stack.content(tasks["help"]["content_id"])["title"] == "About --help"
    echo = cli_stack.content(tasks["echo"]["content_id"])
    assert echo["tags"] == ["--mode=sync", "AI"]
    argv = echo["metadata"]["argv"]  # what `generate --mode=async` received
    assert argv[:2] == ["generate", "--mode=async"] and "--keywords=--mode=sync,AI" in argv
    received = echo["metadata"]["env"]
    assert "PATH" in received and not [name for name in received if name.upper().startswith("AWS_")], received
