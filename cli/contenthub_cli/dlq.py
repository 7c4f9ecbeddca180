"""`contenthub dlq …`: the dead-letter queues — count, peek, redrive, or fail the tasks instead."""

from __future__ import annotations

from typing import Any

import click

from contenthub_cli.base import State, command, csv, group
from contenthub_cli.errors import UsageProblem
from contenthub_cli.output import lines, table

NAMES = ["intake", "runner-jobs", "webhooks"]
dlq = group("dlq", "Dead-letter queues: count, look, redrive or fail the tasks.", "contenthub dlq peek intake")
MESSAGE_COLUMNS = ["message_id", "task_id", "delivery_id", "task_status", "receive_count", "age_seconds", "source"]


def register(root: click.Group) -> None:
    root.add_command(dlq)


@command(dlq, "list", "contenthub dlq list")
@click.pass_obj
def list_(state: State) -> None:
    """Each dead-letter queue with its message count and source queue."""
    data = state.client.request("GET", "/dlq")
    state.show(data, table(data["queues"], ["name", "count", "in_flight", "source", "can_fail_tasks"]))


@command(dlq, "peek", "contenthub dlq peek intake --limit 10")
@click.argument("name", type=click.Choice(NAMES))
@click.option("--limit", type=click.IntRange(1, 50), default=20, show_default=True, help="Most messages shown.")
@click.pass_obj
def peek(state: State, name: str, limit: int) -> None:
    """Look at a DLQ's messages (task or delivery, why, age); they stay in the queue."""
    data = state.client.request("GET", f"/dlq/{name}/messages", query={"limit": limit})
    reasons = sorted({m["reason"] for m in data["messages"]})
    state.show(data, lines(f"{data['count']} message(s) in {name}", table(data["messages"], MESSAGE_COLUMNS),
                           *[f"reason: {r}" for r in reasons]))  # fmt: skip


def _selection(ids: str | None, yes: bool, verb: str, name: str) -> dict[str, Any]:
    chosen = csv(ids)
    if not chosen and not yes:
        raise UsageProblem(f"{verb} every message of {name}? say --yes, or choose some with --ids ID,ID")
    return {"message_ids": chosen} if chosen else {"all": True}


REDRIVE_EXAMPLE = """
    contenthub dlq redrive intake --yes
    contenthub dlq redrive runner-jobs --ids 6f1c…,8a2d…
    contenthub dlq redrive intake --fail-tasks --reason 'bad brief' --yes"""


@command(dlq, "redrive", REDRIVE_EXAMPLE)
@click.argument("name", type=click.Choice(NAMES))
@click.option("--ids", metavar="IDS", help="Only these message ids (comma separated; see dlq peek).")
@click.option("--yes", is_flag=True, help="Without --ids: really act on every message.")
@click.option(
    "--fail-tasks", is_flag=True, help="Instead of redriving: end each message's task failed (intake, runner-jobs)."
)
@click.option("--reason", help="With --fail-tasks: the task's error [default: why it was dead-lettered].")
@click.pass_obj
def redrive(state: State, name: str, ids: str | None, yes: bool, fail_tasks: bool, reason: str | None) -> None:
    """Send messages back to their source queue (each task still starts once), or with --fail-tasks
    end their tasks failed and remove the messages."""
    body = _selection(ids, yes, "fail the tasks of" if fail_tasks else "redrive", name)
    if fail_tasks:
        data = state.client.request("POST", f"/dlq/{name}/fail", {**body, **({"reason": reason} if reason else {})})
        failed = sum(t["outcome"] == "failed" for t in data["tasks"])
        head = f"{failed} task(s) failed, {len(data['tasks'])} message(s) removed"
        parts: list[Any] = [head, table(data["tasks"], ["message_id", "task_id", "outcome"])]
    else:
        if reason:
            raise UsageProblem("--reason goes with --fail-tasks")
        data = state.client.request("POST", f"/dlq/{name}/redrive", body)
        parts = [f"{len(data['moved'])} message(s) sent back to the source queue of {name}"]
    if data.get("not_found"):
        parts.append("not found (already gone): " + ", ".join(data["not_found"]))
    state.show(data, lines(*parts))
