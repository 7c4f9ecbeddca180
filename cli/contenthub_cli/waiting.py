"""Following a task until it ends, with a live progress bar on stderr (stdout stays the result)."""

from __future__ import annotations

import time
from typing import Any

from rich.console import RenderableType
from rich.progress import BarColumn, Progress, TextColumn

from contenthub_cli.client import Client
from contenthub_cli.errors import TaskEnded, WaitTimedOut
from contenthub_cli.output import bar, console, lines, pairs, table

TERMINAL = ("succeeded", "failed", "timed_out", "cancelled")
TASK_KEYS = ["task_id", "status", "account_id", "topic", "keywords", "stage", "attempt", "error", "content_id",
             "source", "created_at", "started_at", "finished_at", "progress"]  # fmt: skip
ATTEMPT_COLUMNS = ["attempt", "status", "error", "started_at", "finished_at"]


def task_text(task: dict[str, Any]) -> RenderableType:
    shown = {**task, "progress": bar(int(task.get("progress") or 0))}
    parts: list[RenderableType | str] = [pairs(shown, TASK_KEYS)]
    if task.get("history"):
        parts += ["history", table(task["history"], ATTEMPT_COLUMNS)]
    return lines(*parts)


def attempts(task: dict[str, Any]) -> list[dict[str, Any]]:
    """Every attempt of a task, oldest first: its history, then the current one."""
    current = {k: task.get(k) for k in ATTEMPT_COLUMNS}
    return [*(task.get("history") or []), current]


def watch(client: Client, task_id: str, interval: float, timeout: float | None, quiet: bool = False) -> dict[str, Any]:
    """Poll the task until it ends; the bar is drawn on stderr unless `quiet` (--json)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    task = client.request("GET", f"/tasks/{task_id}")
    progress = Progress(
        TextColumn("{task.description:<9}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[stage]}"),
        console=console(stderr=True),
        disable=quiet,
    )
    with progress:
        shown = progress.add_task(task["status"], total=100, stage="")
        while True:
            progress.update(
                shown,
                completed=int(task.get("progress") or 0),
                description=task["status"],
                stage=task.get("stage") or "",
            )
            if task["status"] in TERMINAL:
                return task
            if deadline is not None and time.monotonic() > deadline:
                raise WaitTimedOut(
                    f"task {task_id} is still {task['status']} after {timeout:g} s (it keeps running)",
                    extra={"task": task},
                )
            time.sleep(interval)
            task = client.request("GET", f"/tasks/{task_id}")


def ended(task: dict[str, Any]) -> None:
    """Exit 5 unless the task succeeded."""
    if task["status"] != "succeeded":
        raise TaskEnded(
            f"task {task['task_id']} ended {task['status']}: {task.get('error') or 'no reason given'}",
            code=f"task_{task['status']}",
            extra={"task": task},
        )
