"""`contenthub smoke`: the first thing to run after a deploy. Against any endpoint it checks the
API answers, submits one task and waits for the stored article, printing each stage with the time
it was reached; it exits non-zero with the reason when a stage fails (the usual exit codes)."""

from __future__ import annotations

import time
from typing import Any

import click

from contenthub_cli.base import State, command
from contenthub_cli.errors import ApiRefused, TaskEnded, WaitTimedOut

SMOKE_ACCOUNT = {"name": "smoke test", "topics": ["smoke test"]}


def register(root: click.Group) -> None:
    root.add_command(smoke)


class Stages:
    """Each stage as it is reached: printed at once (stderr with --json), kept for the summary."""

    def __init__(self, quiet: bool):
        self.started = time.monotonic()
        self.quiet = quiet
        self.seen: list[dict[str, Any]] = []

    def reached(self, name: str, detail: str = "") -> None:
        elapsed = round(time.monotonic() - self.started, 2)
        self.seen.append({"stage": name, "at_s": elapsed, "detail": detail})
        click.echo(f"{elapsed:7.2f}s  {name:<11} {detail}".rstrip(), err=self.quiet)


@command(
    click.Group(), "smoke",
    "contenthub smoke --endpoint https://abc123.execute-api.eu-west-1.amazonaws.com/v1 --account 49",
)  # fmt: skip
@click.option("--account", "account_id", type=click.IntRange(1, 2**53 - 1), default=49, show_default=True,
              help="Account the smoke task is for.")  # fmt: skip
@click.option("--create-account", is_flag=True, help="Create the account first when it does not exist.")
@click.option("--topic", default="Smoke test: what ContentHub does", show_default=True)
@click.option("--timeout", type=float, default=900, show_default=True,
              help="Seconds to wait for the article (a runner scaling up from zero takes a few minutes).")  # fmt: skip
@click.option("--interval", type=float, default=2, show_default=True, help="Seconds between status checks.")
@click.pass_obj
def smoke(state: State, account_id: int, create_account: bool, topic: str, timeout: float, interval: float) -> None:
    """Submit one task and follow it to the stored article, stage by stage."""
    client, stages = state.client, Stages(quiet=state.json)
    metrics = client.request("GET", "/metrics")
    stages.reached("api", f"{client.endpoint} answers; system {metrics['system_status']}")
    try:
        account = client.request("GET", f"/accounts/{account_id}")
        stages.reached("account", f"{account_id} ({account['name']})")
    except ApiRefused as error:
        if error.http_status != 404 or not create_account:
            raise
        client.request("POST", "/accounts", {"account_id": account_id, **SMOKE_ACCOUNT})
        stages.reached("account", f"{account_id} created")
    task = client.request("POST", "/tasks", {"account_id": account_id, "topic": topic, "keywords": ["smoke"]})
    stages.reached("submitted", task["task_id"])
    deadline = time.monotonic() + timeout
    last = (task["status"], task.get("stage"))
    while task["status"] in ("pending", "running"):
        if time.monotonic() > deadline:
            stage = task.get("stage") or "no stage"
            raise WaitTimedOut(f"task {task['task_id']} is still {task['status']} ({stage}) after {timeout:g} s")
        time.sleep(interval)
        task = client.request("GET", f"/tasks/{task['task_id']}")
        if (task["status"], task.get("stage")) != last:
            last = (task["status"], task.get("stage"))
            stages.reached(task["status"], f"{task.get('progress', 0)}% {task.get('stage') or ''}")
    if task["status"] != "succeeded":
        raise TaskEnded(f"task {task['task_id']} ended {task['status']}: {task.get('error') or 'no reason given'}")
    content = client.request("GET", f"/contents/{task['content_id']}")
    body = content.get("body") or ""
    stages.reached("stored", f"{content['content_id']}: {content['title']!r}, {len(body)} characters")
    state.show({"ok": True, "task_id": task["task_id"], "content_id": content["content_id"], "stages": stages.seen},
               f"smoke test passed in {stages.seen[-1]['at_s']:.1f} s")  # fmt: skip
