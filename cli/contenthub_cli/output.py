"""Output for people (rich tables and key/value blocks; rich measures CJK text as two columns) and
for scripts (JSON). Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

# Colours by value, for the columns that hold a state.
STYLES = {
    "succeeded": "green",
    "approved": "green",
    "delivered": "green",
    "ok": "green",
    "healthy": "green",
    "ENABLED": "green",
    "running": "cyan",
    "pending": "yellow",
    "draft": "yellow",
    "warn": "yellow",
    "degraded": "yellow",
    "DISABLED": "yellow",
    "failed": "red",
    "timed_out": "red",
    "dead": "red",
    "error": "red",
    "unhealthy": "red",
    "rejected": "red",
    "cancelled": "magenta",
    "disabled": "magenta",
}
STATE_COLUMNS = {"status", "state", "last"}
MAX_CELL = 48


def colour_wanted(stream: Any) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def console(stderr: bool = False) -> Console:
    """A console on stdout or stderr: a terminal's width and colours, or no escapes and no wrapping."""
    stream = sys.stderr if stderr else sys.stdout
    tty = colour_wanted(stream)
    return Console(
        file=stream,
        color_system="auto" if tty else None,
        width=None if tty else 4096,  # a file or a pipe: never wrap or clip ids
        highlight=False,
        markup=False,
        emoji=False,
    )


def emit(renderable: RenderableType) -> None:
    """Print for people, without trailing blanks on any line."""
    out = console()
    with out.capture() as captured:
        out.print(renderable)
    click.echo("\n".join(line.rstrip() for line in captured.get().rstrip("\n").split("\n")))


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def styled(value: Any, column: str = "status") -> Text:
    text = cell(value)
    return Text(text, style=STYLES.get(text, "") if column in STATE_COLUMNS else "")


def table(rows: list[dict[str, Any]], columns: list[str], max_width: int = MAX_CELL) -> RenderableType:
    """Columns with uppercase headers, two spaces apart; long cells end in an ellipsis."""
    if not rows:
        return Text("(none)")
    grid = Table(box=None, show_edge=False, pad_edge=False, padding=(0, 2, 0, 0), header_style="bold")
    for name in columns:
        longest = max(len(cell(r.get(name))) for r in rows)
        is_id = name.endswith("_id") or name == "id"
        grid.add_column(
            name.upper(),
            no_wrap=True,
            overflow="ellipsis",
            max_width=None if is_id else max_width,
            min_width=longest if is_id else None,
        )
    for row in rows:
        grid.add_row(*(styled(row.get(name), name) for name in columns))
    return grid


def pairs(data: dict[str, Any], keys: list[str] | dict[str, str]) -> RenderableType:
    """A key/value block; `keys` is a list of keys, or {label: key}."""
    labels = keys if isinstance(keys, dict) else {k: k for k in keys}
    grid = Table.grid(padding=(0, 2, 0, 0))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for label, key in labels.items():
        value = data.get(key)
        grid.add_row(label, value if isinstance(value, Text) else styled(value, key))
    return grid


def lines(*parts: RenderableType | str) -> RenderableType:
    """Renderables one under the other; a str is plain text (never markup)."""
    return Group(*(Text(p) if isinstance(p, str) else p for p in parts))


def percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.1f}%"


def bar(progress: int) -> str:
    return "[" + "#" * (progress // 5) + "." * (20 - progress // 5) + f"] {progress}%"
