"""Bulk `task retry --status …` and `task cancel --status …`: select through GET /tasks pages, then act on
each task. Without --yes nothing is changed: the tasks that would be acted on are listed (exit 0)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from contenthub_cli.base import State, since_until, when
from contenthub_cli.errors import CliError
from contenthub_cli.output import lines, table

F = TypeVar("F", bound=Callable[..., Any])
COLUMNS = ["task_id", "status", "account_id", "topic", "attempt", "created_at"]
PAGE = 100


def selection_options(statuses: list[str]) -> Callable[[F], F]:
    def decorate(f: F) -> F:
        for option in reversed([
            click.option("--status", type=click.Choice(statuses), help="Act on every task in this status."),
            click.option("--account", type=int, help="With --status: only this account's tasks."),
            *since_until(),
            click.option("--yes", is_flag=True, help="With --status: really act (otherwise list what would be done)."),
        ]):  # fmt: skip
            f = option(f)
        return f

    return decorate


def select(
    state: State, status: str, account: int | None, since: str | None, until: str | None
) -> list[dict[str, Any]]:
    query = {"status": status, "account_id": account, "since": when(since), "until": when(until), "limit": PAGE}
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        data = state.client.request("GET", "/tasks", query={**query, "cursor": cursor})
        found += data["tasks"]
        cursor = data.get("next_cursor")
        if not cursor:
            return found


def run(
    state: State, verb: str, status: str, *, account: int | None, since: str | None, until: str | None, yes: bool
) -> None:
    tasks = select(state, status, account, since, until)
    if not yes:
        data = {"dry_run": True, "action": verb, "matched": len(tasks), "tasks": tasks}
        head = f"dry run: would {verb} {len(tasks)} {status} task(s); run again with --yes to {verb} them"
        state.show(data, lines(head, *([table(tasks, COLUMNS)] if tasks else [])))
        return
    done: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    worst: CliError | None = None
    for item in tasks:
        try:
            done.append(state.client.request("POST", f"/tasks/{item['task_id']}/{verb}"))
        except CliError as error:
            failed.append({"task_id": item["task_id"], **error.as_json()})
            click.echo(f"contenthub: {item['task_id']}: {error}", err=True)
            worst = error if worst is None or error.exit_code > worst.exit_code else worst
    past = {"cancel": "cancelled", "retry": "queued again"}[verb]
    data = {"dry_run": False, "action": verb, "matched": len(tasks), "done": done, "failed": failed}
    head = f"{len(done)} of {len(tasks)} {status} task(s) {past}" + (f", {len(failed)} refused" if failed else "")
    state.show(data, lines(head, *([table(done, COLUMNS)] if done else [])))
    if worst is not None:
        raise type(worst)(f"{len(failed)} of {len(tasks)} task(s) could not be {past.split()[0]}: {worst}",
                          code=worst.code, http_status=worst.http_status, reported=True)  # fmt: skip
