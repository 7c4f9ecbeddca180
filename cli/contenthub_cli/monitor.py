"""`contenthub monitor …`: metrics, recent / failed / pending tasks, daily statistics, health."""

from __future__ import annotations

from typing import Any

import click

from contenthub_cli.base import State, command, group
from contenthub_cli.errors import CliError, ServiceUnavailable
from contenthub_cli.output import lines, pairs, percent, table
from contenthub_cli.task import TASK_COLUMNS

monitor = group("monitor", "Metrics, recent and failed tasks, daily statistics, health.", "contenthub monitor metrics")
LIMIT = click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True, help="Most tasks shown.")


def register(root: click.Group) -> None:
    root.add_command(monitor)


@command(monitor, "metrics", "contenthub monitor metrics")
@click.pass_obj
def metrics(state: State) -> None:
    """Total tasks, tasks today, in flight, success rate, system status."""
    m = state.client.request("GET", "/metrics")
    shown = {**m, "success_rate": percent(m["success_rate"])}
    labels = {"total tasks": "total_tasks", "tasks today": "tasks_today", "in flight": "in_flight",
              "success rate": "success_rate", "system status": "system_status"}  # fmt: skip
    state.show(m, pairs(shown, labels))


@command(monitor, "recent", "contenthub monitor recent --limit 50")
@LIMIT
@click.pass_obj
def recent(state: State, limit: int) -> None:
    """The latest tasks, newest first."""
    data = state.client.request("GET", "/tasks", query={"limit": limit})
    state.show(data, table(data["tasks"], TASK_COLUMNS))


@command(monitor, "failed", "contenthub monitor failed --limit 20")
@LIMIT
@click.pass_obj
def failed(state: State, limit: int) -> None:
    """The latest failed and timed-out tasks, newest first."""
    tasks = [
        t
        for status in ("failed", "timed_out")
        for t in state.client.request("GET", "/tasks", query={"status": status, "limit": limit})["tasks"]
    ]
    tasks = sorted(tasks, key=lambda t: t["created_at"], reverse=True)[:limit]
    state.show({"tasks": tasks}, table(tasks, ["task_id", "status", "account_id", "topic", "error", "created_at"]))


@command(monitor, "pending", "contenthub monitor pending")
@LIMIT
@click.pass_obj
def pending(state: State, limit: int) -> None:
    """Tasks waiting to run."""
    data = state.client.request("GET", "/tasks", query={"status": "pending", "limit": limit})
    state.show(data, table(data["tasks"], ["task_id", "account_id", "topic", "stage", "created_at"]))


@command(monitor, "stats", "contenthub monitor stats --days 7")
@click.option("--days", type=int, default=7, show_default=True, help="Days back from today (UTC).")
@click.pass_obj
def stats(state: State, days: int) -> None:
    """Daily statistics: submitted, succeeded, failed, timed out, cancelled, success rate."""
    data = state.client.request("GET", "/stats", query={"days": days})
    rows = [{**d, "success_rate": percent(d["success_rate"])} for d in data["days"]]
    columns = ["date", "submitted", "succeeded", "failed", "timed_out", "cancelled", "success_rate"]
    state.show(data, table(rows, columns))


def _report(error: CliError) -> dict[str, Any] | None:
    body = error.body
    return body if error.http_status == 503 and isinstance(body, dict) and "checks" in body else None


@command(monitor, "health", "contenthub monitor health --json")
@click.pass_obj
def health(state: State) -> None:
    """Dependency checks. Exit 0 when healthy or degraded; exit 4 when unhealthy (HTTP 503), after
    printing the report all the same."""
    try:
        report = state.client.request("GET", "/health")
        failing = None
    except CliError as error:
        report = _report(error)
        if report is None:
            raise
        failing = error
    rows = [{"check": name, **check} for name, check in report["checks"].items()]
    state.show(report, lines(report["message"], "", table(rows, ["check", "status", "detail", "reason"])))
    if failing is not None:
        raise ServiceUnavailable(f"system unhealthy: {report['message']} (HTTP 503)", code="unhealthy",
                                 http_status=503, body=failing.body, reported=True)  # fmt: skip
