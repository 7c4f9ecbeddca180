"""`contenthub control …`: the live controls — kill switch, global cap, runner slots — and their history."""

from __future__ import annotations

from typing import Any

import click

from contenthub_cli.base import State, command, group
from contenthub_cli.output import lines, table

control = group(
    "control",
    "Live controls without a redeploy: pause/resume submits, the global cap, the runner's slots.",
    "contenthub control pause --reason 'provider outage'",
)
LABELS = {"generation enabled": "generation_enabled", "max concurrent tasks (cap)": "max_concurrent_tasks",
          "runner slots": "runner_slots"}  # fmt: skip
HISTORY_COLUMNS = ["at", "who", "control", "old", "new", "reason"]


def register(root: click.Group) -> None:
    root.add_command(control)


def _shown(data: dict[str, Any]) -> Any:
    deployed = data.get("deployed") or {}
    rows = [{"control": label, "value": data[key], "deployed": deployed.get(key), "parameter":
             (data.get("parameters") or {}).get(key)} for label, key in LABELS.items()]  # fmt: skip
    parts: list[Any] = [table(rows, ["control", "value", "deployed", "parameter"])]
    if data.get("changes") is not None:
        changes = data["changes"]
        parts.append(
            "no change (already so)" if not changes else
            "changed: " + ", ".join(f"{c['control']} {c['old']} → {c['new']}" for c in changes)
        )  # fmt: skip
        parts.append(f"in force everywhere within {data.get('takes_effect_within_seconds', 15)} s")
    return lines(*parts)


def _change(state: State, reason: str | None, **values: Any) -> None:
    body = {**values, **({"reason": reason} if reason else {})}
    data = state.client.request("PUT", "/controls", body)
    state.show(data, _shown(data))


reason_option = click.option("--reason", help="Why; recorded with the change.")


@command(control, "show", "contenthub control show")
@click.pass_obj
def show(state: State) -> None:
    """The controls in force, their deployed values and their SSM parameters."""
    data = state.client.request("GET", "/controls")
    state.show(data, _shown(data))


@command(control, "pause", "contenthub control pause --reason 'model provider outage'")
@reason_option
@click.pass_obj
def pause(state: State, reason: str | None) -> None:
    """Refuse new submits and schedule firings (HTTP 503) until resumed; running tasks finish."""
    _change(state, reason, generation_enabled=False)


@command(control, "resume", "contenthub control resume")
@reason_option
@click.pass_obj
def resume(state: State, reason: str | None) -> None:
    """Accept submits and schedule firings again."""
    _change(state, reason, generation_enabled=True)


@command(control, "cap", "contenthub control cap 2 --reason 'protect the model quota'")
@click.argument("n", type=click.IntRange(1, 1000))
@reason_option
@click.pass_obj
def cap(state: State, n: int, reason: str | None) -> None:
    """Set the global cap: at most N jobs generating at once across all runners."""
    _change(state, reason, max_concurrent_tasks=n)


@command(control, "slots", "contenthub control slots 3")
@click.argument("n", type=click.IntRange(1, 1000))
@reason_option
@click.pass_obj
def slots(state: State, n: int, reason: str | None) -> None:
    """Set the jobs one runner runs at once (its slots)."""
    _change(state, reason, runner_slots=n)


@command(control, "history", "contenthub control history --limit 20")
@click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True, help="Most changes shown.")
@click.pass_obj
def history(state: State, limit: int) -> None:
    """Changes of the controls, newest first: when, who, old → new."""
    data = state.client.request("GET", "/controls/history", query={"limit": limit})
    state.show(data, table(data["changes"], HISTORY_COLUMNS))
