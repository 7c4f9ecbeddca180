"""`contenthub scheduler …`: cron schedules (EventBridge Scheduler) that submit batches of tasks."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.console import RenderableType

from contenthub_cli.base import State, command, group
from contenthub_cli.errors import UsageProblem
from contenthub_cli.output import lines, pairs, table

scheduler = group("scheduler", "Cron schedules that submit batches of tasks.", "contenthub scheduler list")
SCHEDULE_KEYS = ["schedule_id", "name", "type", "state", "cron", "timezone", "expression", "params",
                 "next_fire_times", "last_fired_at", "created_at"]  # fmt: skip
SCHEDULE_ID = click.argument("schedule_id")


def register(root: click.Group) -> None:
    root.add_command(scheduler)


def schedule_text(schedule: dict[str, Any]) -> RenderableType:
    shown = {
        **schedule,
        "params": json.dumps(schedule["params"], ensure_ascii=False),
        "next_fire_times": ", ".join(schedule.get("next_fire_times") or []),
    }
    return pairs(shown, SCHEDULE_KEYS)


@command(scheduler, "create", """
    contenthub scheduler create --name "每日内容生成" --type async_content_generation --cron "0 8 * * *" \\
      --params '{"account_ids": [49], "count_per_account": 3}'""")  # fmt: skip
@click.option("--name", required=True, help="Display name.")
@click.option("--type", "type_", default="async_content_generation", show_default=True, help="Schedule type.")
@click.option("--cron", required=True, help="5-field Unix cron, e.g. '0 8 * * *'.")
@click.option("--timezone", default="UTC", show_default=True, help="IANA name, e.g. Asia/Shanghai.")
@click.option("--params", required=True, help='JSON, e.g. \'{"account_ids": [49], "count_per_account": 3}\'.')
@click.option("--paused", is_flag=True, help="Create it paused.")
@click.pass_obj
def create(state: State, name: str, type_: str, cron: str, timezone: str, params: str, paused: bool) -> None:
    """Create a cron schedule (EventBridge Scheduler)."""
    try:
        parsed = json.loads(params)
    except json.JSONDecodeError as error:
        raise UsageProblem(f"--params is not valid JSON: {error.msg} at position {error.pos}") from error
    body = {"name": name, "type": type_, "cron": cron, "timezone": timezone, "params": parsed, "enabled": not paused}
    schedule = state.client.request("POST", "/schedules", body)
    state.show(schedule, lines(f"schedule {schedule['schedule_id']} created", schedule_text(schedule)))


@command(scheduler, "list", "contenthub scheduler list")
@click.pass_obj
def list_(state: State) -> None:
    """All schedules."""
    data = state.client.request("GET", "/schedules")
    rows = [{**s, "next": (s.get("next_fire_times") or [""])[0]} for s in data["schedules"]]
    state.show(data, table(rows, ["schedule_id", "name", "state", "cron", "timezone", "next", "last_fired_at"]))


@command(scheduler, "show", "contenthub scheduler show batch-1a2b3c4d5e")
@SCHEDULE_ID
@click.pass_obj
def show(state: State, schedule_id: str) -> None:
    """A schedule and its next fire times."""
    schedule = state.client.request("GET", f"/schedules/{schedule_id}")
    state.show(schedule, schedule_text(schedule))


def _state_change(action: str) -> None:
    @command(scheduler, action, f"contenthub scheduler {action} batch-1a2b3c4d5e")
    @SCHEDULE_ID
    @click.pass_obj
    def change(state: State, schedule_id: str) -> None:
        schedule = state.client.request("POST", f"/schedules/{schedule_id}/{action}")
        state.show(schedule, f"schedule {schedule['schedule_id']} is {schedule['state']}")

    change.help = f"{action.capitalize()} a schedule."


_state_change("pause")
_state_change("resume")


@command(scheduler, "delete", "contenthub scheduler delete batch-1a2b3c4d5e")
@SCHEDULE_ID
@click.pass_obj
def delete(state: State, schedule_id: str) -> None:
    """Delete a schedule."""
    state.client.request("DELETE", f"/schedules/{schedule_id}")
    state.show({"schedule_id": schedule_id, "deleted": True}, f"schedule {schedule_id} deleted")


@command(scheduler, "run-now", "contenthub scheduler run-now batch-1a2b3c4d5e")
@SCHEDULE_ID
@click.pass_obj
def run_now(state: State, schedule_id: str) -> None:
    """Fire a schedule now."""
    data = state.client.request("POST", f"/schedules/{schedule_id}/run")
    columns = ["task_id", "account_id", "topic", "status"]
    state.show(data, lines(f"{data['created']} task(s) created", table(data["tasks"], columns)))


@command(scheduler, "preview", """
    contenthub scheduler preview batch-1a2b3c4d5e --count 3
    contenthub scheduler preview --cron "30 9 * * 1-5" --timezone Asia/Shanghai""")  # fmt: skip
@click.argument("schedule_id", required=False)
@click.option("--cron", help="A 5-field cron to preview instead of a schedule.")
@click.option("--timezone", default="UTC", show_default=True, help="IANA name, with --cron.")
@click.option("--count", type=int, default=5, show_default=True, help="How many fire times.")
@click.pass_obj
def preview(state: State, schedule_id: str | None, cron: str | None, timezone: str, count: int) -> None:
    """Next fire times of a schedule, or of --cron."""
    if schedule_id:
        schedule = state.client.request("GET", f"/schedules/{schedule_id}")
        cron, timezone = schedule["cron"], schedule["timezone"]
    elif not cron:
        raise UsageProblem("preview needs a schedule id or --cron")
    query = {"cron": cron, "timezone": timezone, "count": count}
    data = state.client.request("GET", "/schedules/preview", query=query)
    text = f"next fire times of '{cron}' ({timezone}):\n" + "\n".join(f"  {t}" for t in data["fire_times"])
    state.show(data, text)
