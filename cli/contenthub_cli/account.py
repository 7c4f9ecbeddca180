"""`contenthub account …`: the accounts content is generated for (settings, topic pool, daily quota)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from contenthub_cli.base import State, command, csv, group, more, page_options, pages
from contenthub_cli.errors import UsageProblem
from contenthub_cli.output import lines, pairs, table

F = TypeVar("F", bound=Callable[..., Any])
account = group("account", "Accounts: settings, topic pool, daily quota.", "contenthub account show 49")
ACCOUNT_FIELDS = ["name", "platform", "language", "tone", "length", "topics", "webhook_url", "webhook_enabled",
                  "daily_quota"]  # fmt: skip
ACCOUNT_KEYS = ["account_id", *ACCOUNT_FIELDS, "tasks_today", "created_at", "updated_at"]


def register(root: click.Group) -> None:
    root.add_command(account)


def account_fields(required_name: bool) -> Callable[[F], F]:
    def decorate(f: F) -> F:
        for option in reversed([
            click.option("--name", required=required_name, help="Display name."),
            click.option("--platform", help="e.g. wechat, blog."),
            click.option("--language", help="Article language, e.g. zh-CN."),
            click.option("--tone", help="e.g. informative, 轻松."),
            click.option("--length", type=int, help="Target words."),
            click.option("--topics", help="Topic pool, comma separated."),
            click.option("--webhook-url", help="This account's webhook (https)."),
            click.option("--webhook-enabled/--no-webhook-enabled", default=None, help="Send this account's webhooks."),
            click.option("--daily-quota", type=int, help="Tasks per UTC day."),
        ]):  # fmt: skip
            f = option(f)
        return f

    return decorate


def _body(fields: dict[str, Any], clear: tuple[str, ...] = ()) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for field in ACCOUNT_FIELDS:
        value = fields.get(field)
        if value is not None:
            body[field] = csv(value) if field == "topics" else value
    for field in clear:
        body[field] = None
    return body


@command(
    account, "create", 'contenthub account create --id 49 --name "科技博客" --topics "人工智能,云计算" --daily-quota 20'
)
@click.option("--id", "account_id", type=int, required=True, help="Account id, e.g. 49.")
@account_fields(True)
@click.pass_obj
def create(state: State, account_id: int, **fields: Any) -> None:
    """Create an account."""
    created = state.client.request("POST", "/accounts", {"account_id": account_id, **_body(fields)})
    state.show(created, lines(f"account {created['account_id']} created", pairs(created, ACCOUNT_KEYS)))


@command(account, "list", "contenthub account list --all")
@page_options
@click.pass_obj
def list_(state: State, limit: int, cursor: str | None, every: bool) -> None:
    """Accounts."""
    data = pages(state.client, "/accounts", "accounts", {"limit": limit, "cursor": cursor}, every)
    columns = ["account_id", "name", "platform", "language", "daily_quota", "tasks_today", "topics"]
    state.show(data, lines(table(data["accounts"], columns), *filter(None, [more(data)])))


@command(account, "show", "contenthub account show 49")
@click.argument("account_id", type=int)
@click.pass_obj
def show(state: State, account_id: int) -> None:
    """An account."""
    found = state.client.request("GET", f"/accounts/{account_id}")
    state.show(found, pairs(found, ACCOUNT_KEYS))


@command(account, "update", "contenthub account update 49 --tone formal --clear language")
@click.argument("account_id", type=int)
@account_fields(False)
@click.option("--clear", multiple=True, metavar="FIELD", type=click.Choice([f for f in ACCOUNT_FIELDS if f != "name"]),
              help="Reset a field to its default (repeatable).")  # fmt: skip
@click.pass_obj
def update(state: State, account_id: int, clear: tuple[str, ...], **fields: Any) -> None:
    """Change an account's fields."""
    body = _body(fields, clear)
    if not body:
        raise UsageProblem("nothing to update: give at least one field option or --clear FIELD")
    updated = state.client.request("PATCH", f"/accounts/{account_id}", body)
    state.show(updated, lines(f"account {updated['account_id']} updated", pairs(updated, ACCOUNT_KEYS)))
