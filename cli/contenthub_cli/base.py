"""What every command shares: the invocation state, the global options (accepted before and after
the command), page and wait options, printing a result, and time/list parsing."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import click
from rich.console import RenderableType

from contenthub_cli.client import Client
from contenthub_cli.config import resolve
from contenthub_cli.errors import UsageProblem
from contenthub_cli.output import emit, emit_json

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class State:
    """Global options of one invocation; the client is made on first use, after every option is read."""

    json: bool = False
    endpoint: str | None = None
    region: str | None = None
    profile: str | None = None
    _client: Client | None = field(default=None, repr=False)

    @property
    def client(self) -> Client:
        if self._client is None:
            self._client = Client.from_settings(resolve(self.endpoint, self.region, self.profile))
        return self._client

    def show(self, data: Any, human: RenderableType | str) -> None:
        """The API's JSON with --json, else the human rendering."""
        if self.json:
            emit_json(data)
        else:
            emit(human)


def _store(name: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        state = ctx.find_object(State)
        if state is not None and value not in (None, False):
            setattr(state, name, value)

    return callback


GLOBAL_NAMES = ("json_", "endpoint", "region", "profile")


def global_options(f: F) -> F:
    """--json, --endpoint, --region, --profile: on the root, on each group and on each command."""
    options = [
        click.option("--json", "json_", is_flag=True, default=False, expose_value=False, callback=_store("json"),
                     help="Print the API's JSON instead of tables (errors too, as {\"error\": {...}})."),
        click.option("--endpoint", metavar="URL", expose_value=False, callback=_store("endpoint"),
                     help="API base URL [env CONTENTHUB_ENDPOINT; default: the local stack]."),
        click.option("--region", expose_value=False, callback=_store("region"),
                     help="AWS region for SigV4 [default: from the endpoint, AWS_REGION or the profile]."),
        click.option("--profile", metavar="NAME", expose_value=False, callback=_store("profile"),
                     help="Config profile [env CONTENTHUB_PROFILE; default: [default]]."),
    ]  # fmt: skip
    for option in reversed(options):
        f = option(f)
    return f


def command(group: click.Group, name: str, example: str, **settings: Any) -> Callable[[F], click.Command]:
    """A command of `group` with the global options and an `Example:` at the end of its help."""
    examples = example.strip().splitlines()

    def decorate(f: F) -> click.Command:
        epilog = "\b\nExample:\n" + "\n".join(f"  {line.strip()}" for line in examples)
        made = group.command(name, epilog=epilog, **settings)(global_options(f))
        # The command's own options first in its help, the global ones after them.
        made.params.sort(key=lambda p: p.name in GLOBAL_NAMES)
        return made

    return decorate


def group(name: str, help: str, example: str) -> click.Group:  # noqa: A002
    @click.group(name, help=help, epilog=f"\b\nExample:\n  {example}")
    @global_options
    def grouped() -> None:
        pass

    return grouped


def page_options(f: F) -> F:
    for option in reversed([
        click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True, help="Items per page."),
        click.option("--cursor", help="next_cursor of the previous page."),
        click.option("--all", "every", is_flag=True, help="Follow every page."),
    ]):  # fmt: skip
        f = option(f)
    return f


def wait_options(f: F) -> F:
    for option in reversed([
        click.option("--interval", type=float, default=1.0, show_default=True, help="Seconds between status checks."),
        click.option("--timeout", type=float, default=None,
                     help="Stop waiting after this many seconds (exit 6; the task keeps running)."),
    ]):  # fmt: skip
        f = option(f)
    return f


def pages(client: Client, path: str, key: str, query: dict[str, Any], every: bool) -> dict[str, Any]:
    """One page, or with --all every page (following next_cursor)."""
    data = client.request("GET", path, query=query)
    items = list(data[key])
    while every and data.get("next_cursor"):
        data = client.request("GET", path, query={**query, "cursor": data["next_cursor"]})
        items += data[key]
    return {key: items, "next_cursor": None if every else data.get("next_cursor")}


def more(data: dict[str, Any]) -> str | None:
    return f"more: --cursor {data['next_cursor']}" if data.get("next_cursor") else None


def csv(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def csv_ints(text: str, option: str) -> list[int]:
    try:
        return [int(part) for part in csv(text)]
    except ValueError as error:
        raise UsageProblem(f"{option} takes comma-separated account ids, e.g. 49,50 (got {text!r})") from error


RELATIVE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def when(text: str | None, now: datetime | None = None) -> str | None:
    """`24h`, `7d`, `30m` (that long ago) become an ISO 8601 UTC time; anything else is passed on as is."""
    if text is None:
        return None
    match = RELATIVE.match(text)
    if not match:
        return text
    moment = (now or datetime.now(UTC)) - timedelta(**{UNITS[match.group(2)]: int(match.group(1))})
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def since_until() -> list[Callable[[F], F]]:
    return [
        click.option("--since", metavar="WHEN", help="Created at or after: ISO 8601, or 30m / 24h / 7d ago."),
        click.option("--until", metavar="WHEN", help="Created at or before: ISO 8601, or 30m / 24h / 7d ago."),
    ]


def since_until_options(f: F) -> F:
    for option in reversed(since_until()):
        f = option(f)
    return f
