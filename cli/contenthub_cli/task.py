"""`contenthub task …`: one task (status, watch, history, cancel, retry), lists, stats, cleanup, batches."""

from __future__ import annotations

from typing import Any

import click

from contenthub_cli import bulk
from contenthub_cli.base import (
    State,
    command,
    csv,
    csv_ints,
    group,
    more,
    page_options,
    pages,
    since_until_options,
    wait_options,
    when,
)
from contenthub_cli.errors import UsageProblem
from contenthub_cli.output import lines, pairs, percent, table
from contenthub_cli.waiting import ended, task_text, watch

STATUSES = ["pending", "running", "succeeded", "failed", "timed_out", "cancelled"]
TASK_COLUMNS = ["task_id", "status", "progress", "account_id", "topic", "attempt", "created_at"]
task = group(
    "task", "Tasks: status, lists, cancel, retry, cleanup, stats, batches.", "contenthub task list --since 24h"
)


def register(root: click.Group) -> None:
    root.add_command(task)


@command(task, "status", "contenthub task status task-abc123def456")
@click.argument("task_id")
@click.pass_obj
def status(state: State, task_id: str) -> None:
    """A task's details, status and progress."""
    found = state.client.request("GET", f"/tasks/{task_id}")
    state.show(found, task_text(found))


@command(task, "list", "contenthub task list --status failed --account 49 --since 24h --limit 20")
@click.option("--status", type=click.Choice(STATUSES))
@click.option("--account", type=int, help="Only this account's tasks.")
@since_until_options
@page_options
@click.pass_obj
def list_(
    state: State,
    status: str | None,
    account: int | None,
    since: str | None,
    until: str | None,
    limit: int,
    cursor: str | None,
    every: bool,
) -> None:
    """Tasks, newest first."""
    query = {"status": status, "account_id": account, "since": when(since), "until": when(until),
             "limit": limit, "cursor": cursor}  # fmt: skip
    data = pages(state.client, "/tasks", "tasks", query, every)
    state.show(data, lines(table(data["tasks"], TASK_COLUMNS), *filter(None, [more(data)])))


@command(task, "watch", "contenthub task watch task-abc123def456 --timeout 1800")
@click.argument("task_id")
@wait_options
@click.pass_obj
def watch_(state: State, task_id: str, interval: float, timeout: float | None) -> None:
    """Follow a task with a progress bar (on stderr) until it ends.

    Exit 0 when it succeeded, 5 when it failed, was cancelled or timed out, 6 when --timeout passed.
    """
    found = watch(state.client, task_id, interval, timeout, quiet=state.json)
    ended(found)
    state.show(found, task_text(found))


@command(task, "history", "contenthub task history task-abc123def456")
@click.argument("task_id")
@click.pass_obj
def history(state: State, task_id: str) -> None:
    """Every attempt of a task, oldest first (the current one last), with the states its
    execution went through and where its time went (queued, generating, storing)."""
    found = state.client.request("GET", f"/tasks/{task_id}/history")
    rows = [{**a, **a["timings"]} for a in found["attempts"]]
    parts: list[Any] = [table(rows, HISTORY_COLUMNS)]
    for attempt in found["attempts"]:
        path = " → ".join(_collapsed([s["name"] for s in attempt["states"]])) or "(not started)"
        parts += ["", f"attempt {attempt['attempt']} ({attempt['execution_status'] or 'no execution yet'}): {path}"]
    state.show(found, lines(*parts))


HISTORY_COLUMNS = ["attempt", "status", "error", "started_at", "finished_at", "queued_seconds", "generating_seconds",
                   "storing_seconds"]  # fmt: skip


def _collapsed(names: list[str]) -> list[str]:
    """Each state once, in the order first entered, with how often a polling loop entered it."""
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return [name if n == 1 else f"{name} ×{n}" for name, n in counts.items()]


def _one_or_many(state: State, verb: str, task_id: str | None, status: str | None, **selection: Any) -> dict | None:
    """The task named by its id (returned), or with --status every matching task (done here, None)."""
    if task_id and status:
        raise UsageProblem(f"give a task id or --status, not both ({verb} one task, or every matching task)")
    if task_id:
        return state.client.request("POST", f"/tasks/{task_id}/{verb}")  # type: ignore[no-any-return]
    if not status:
        raise UsageProblem(f"{verb} needs a task id, or --status to select tasks")
    bulk.run(state, verb, status, **selection)
    return None


CANCEL_EXAMPLE = """
    contenthub task cancel task-abc123def456
    contenthub task cancel --status pending --account 49 --yes"""


@command(task, "cancel", CANCEL_EXAMPLE, short_help="Cancel one task, or every task in a status.")
@click.argument("task_id", required=False)
@bulk.selection_options(["running", "pending"])
@click.pass_obj
def cancel(state: State, task_id: str | None, status: str | None, **selection: Any) -> None:
    """Cancel a pending or running task, or with --status every matching one.

    With --status, nothing changes without --yes: the tasks that would be cancelled are listed.
    """
    done = _one_or_many(state, "cancel", task_id, status, **selection)
    if done is not None:
        state.show(done, f"task {done['task_id']} cancelled")


RETRY_EXAMPLE = """
    contenthub task retry task-abc123def456
    contenthub task retry --status failed --account 49 --since 24h --yes"""


@command(task, "retry", RETRY_EXAMPLE, short_help="Retry one task, or every task in a status.")
@click.argument("task_id", required=False)
@bulk.selection_options(["failed", "timed_out", "cancelled"])
@click.pass_obj
def retry(state: State, task_id: str | None, status: str | None, **selection: Any) -> None:
    """Retry a failed, timed-out or cancelled task, or with --status every matching one.

    A retry is a new attempt of the same task. With --status, nothing changes without --yes: the
    tasks that would be retried are listed.
    """
    done = _one_or_many(state, "retry", task_id, status, **selection)
    if done is not None:
        state.show(done, f"task {done['task_id']} queued again (attempt {done['attempt']})")


@command(task, "cleanup", "contenthub task cleanup --days 30 --yes")
@click.option("--days", type=int, default=30, show_default=True, help="Finished tasks older than this.")
@click.option("--yes", is_flag=True, help="Really delete (otherwise a dry run).")
@click.pass_obj
def cleanup(state: State, days: int, yes: bool) -> None:
    """Delete finished tasks older than N days (a dry run unless --yes)."""
    data = state.client.request("POST", "/tasks/cleanup", {"older_than_days": days, "dry_run": not yes})
    by_status = ", ".join(f"{k} {v}" for k, v in data["by_status"].items())
    if data["dry_run"]:
        text = (
            f"dry run: {data['matched']} finished task(s) created before {data['cutoff']} would be deleted "
            f"({by_status}); run again with --yes to delete them"
        )
    else:
        text = f"deleted {data['deleted']} finished task(s) created before {data['cutoff']} ({by_status})"
        text += "; more remain, run again" if data["more"] else ""
    state.show(data, text)


@command(task, "stats", "contenthub task stats")
@click.pass_obj
def stats(state: State) -> None:
    """Tasks by status, today's counts and the success rate."""
    data = state.client.request("GET", "/tasks/stats")
    rows = [{"status": k, "total": v, "today": data["today"].get(k, "")} for k, v in data["by_status"].items()]
    summary = {"total tasks": data["total_tasks"], "submitted today": data["today"]["submitted"],
               "retries": data["retried"], "success rate": percent(data["success_rate"])}  # fmt: skip
    state.show(data, lines(pairs(summary, list(summary)), "", table(rows, ["status", "total", "today"])))


@command(task, "batch", 'contenthub task batch --accounts 49,50 --count 3 --topics "人工智能,云计算" --auto-approve')
@click.option("--accounts", required=True, metavar="IDS", help="Account ids, comma separated, e.g. 49,50.")
@click.option("--count", type=click.IntRange(1, 20), default=1, show_default=True, help="Tasks per account.")
@click.option("--topics", help="Topics, comma separated, used in turn [default: each account's topic pool].")
@click.option("--keywords", help="Comma separated, e.g. 'AI,机器学习'.")
@click.option("--auto-approve/--no-auto-approve", default=None,
              help="Approve without review [default: the service's ASYNC_AUTO_APPROVE].")  # fmt: skip
@click.option("--auto-publish", is_flag=True, help="Publish once approved.")
@click.option("--idempotency-key", metavar="KEY", help="A repeat with the same key creates nothing new.")
@click.pass_obj
def batch(state: State, accounts: str, count: int, topics: str | None, keywords: str | None,
          auto_approve: bool | None, auto_publish: bool, idempotency_key: str | None) -> None:  # fmt: skip
    """Submit COUNT tasks for each account at once (POST /tasks/batch)."""
    body: dict[str, Any] = {"account_ids": csv_ints(accounts, "--accounts"), "count_per_account": count}
    if topics:
        body["topics"] = csv(topics)
    if keywords:
        body["keywords"] = csv(keywords)
    if auto_approve is not None:
        body["auto_approve"] = auto_approve
    if auto_publish:
        body["auto_publish"] = True
    data = state.client.request("POST", "/tasks/batch", body, headers={"Idempotency-Key": idempotency_key})
    columns = ["task_id", "account_id", "topic", "status"]
    state.show(data, lines(f"{data['created']} task(s) created", table(data["tasks"], columns)))
