"""`contenthub content …`: generate (submit, and wait unless --async) and review contents."""

from __future__ import annotations

from typing import Any

import click
from rich.console import RenderableType

from contenthub_cli.base import State, command, csv, group, more, page_options, pages, wait_options
from contenthub_cli.output import lines, pairs, table
from contenthub_cli.waiting import ended, watch

content = group("content", "Generate and review content.", "contenthub content list --account 49 --status draft")
CONTENT_KEYS = ["content_id", "status", "account_id", "generation_task_id", "tags", "review_note", "created_at"]
CONTENT_COLUMNS = ["content_id", "status", "account_id", "title", "generation_task_id", "created_at"]


def register(root: click.Group) -> None:
    root.add_command(content)


def content_text(item: dict[str, Any]) -> RenderableType:
    article = (item.get("body") or item.get("summary") or "").rstrip()
    return lines(pairs(item, CONTENT_KEYS), "", f"# {item['title']}", *(["", article] if article else []))


@command(content, "generate", """
    contenthub content generate -a 49 -t "人工智能" --keywords "AI,机器学习" --async --auto-approve
    contenthub content generate -a 49 -t "人工智能发展趋势" --no-auto-approve""")  # fmt: skip
@click.option("-a", "--account", type=int, required=True, help="Account id, e.g. 49.")
@click.option("-t", "--topic", required=True, help="What the article is about.")
@click.option("--keywords", help="Comma separated, e.g. 'AI,机器学习'.")
@click.option("--async", "async_", is_flag=True, help="Print the task id and return at once.")
@click.option("--auto-approve/--no-auto-approve", default=None,
              help="Approve without review [default: the service's ASYNC_AUTO_APPROVE].")  # fmt: skip
@click.option("--auto-publish", is_flag=True, help="Publish once approved.")
@click.option("--idempotency-key", metavar="KEY", help="A repeat with the same key returns the same task.")
@wait_options
@click.pass_obj
def generate(
    state: State,
    account: int,
    topic: str,
    keywords: str | None,
    async_: bool,
    auto_approve: bool | None,
    auto_publish: bool,
    idempotency_key: str | None,
    interval: float,
    timeout: float | None,
) -> None:
    """Submit a content-generation task; wait for the article with a progress bar unless --async.

    Waiting ends with exit 5 when the task fails, is cancelled or times out, and with exit 6 when
    --timeout passes first.
    """
    body: dict[str, Any] = {"account_id": account, "topic": topic, "keywords": csv(keywords)}
    if auto_approve is not None:
        body["auto_approve"] = auto_approve
    if auto_publish:
        body["auto_publish"] = True
    client = state.client
    task = client.request("POST", "/tasks", body, headers={"Idempotency-Key": idempotency_key})
    if async_:
        hint = f"follow it with: contenthub task watch {task['task_id']}"
        state.show(task, f"{task['task_id']}\ntask submitted ({task['status']}); {hint}")
        return
    click.echo(
        f"task {task['task_id']} submitted; waiting for the article (Ctrl-C stops waiting, not the task)", err=True
    )
    task = watch(client, task["task_id"], interval, timeout, quiet=state.json)
    ended(task)
    item = client.request("GET", f"/contents/{task['content_id']}")
    state.show(item, content_text(item))


@command(content, "list", "contenthub content list --account 49 --status draft --limit 50")
@click.option("--account", type=int, help="Only this account's contents.")
@click.option("--status", type=click.Choice(["draft", "approved", "rejected"]))
@page_options
@click.pass_obj
def list_(state: State, account: int | None, status: str | None, limit: int, cursor: str | None, every: bool) -> None:
    """Contents, newest first."""
    query = {"account_id": account, "status": status, "limit": limit, "cursor": cursor}
    data = pages(state.client, "/contents", "contents", query, every)
    state.show(data, lines(table(data["contents"], CONTENT_COLUMNS), *filter(None, [more(data)])))


@command(content, "show", "contenthub content show content-1a2b3c4d5e6f-1")
@click.argument("content_id")
@click.pass_obj
def show(state: State, content_id: str) -> None:
    """A content with its article."""
    item = state.client.request("GET", f"/contents/{content_id}")
    state.show(item, content_text(item))


def _review(decision: str, example: str) -> None:
    @command(content, decision, example)
    @click.argument("content_id")
    @click.option("--note", help="Why (kept as review_note).")
    @click.pass_obj
    def review(state: State, content_id: str, note: str | None) -> None:
        item = state.client.request("POST", f"/contents/{content_id}/{decision}", {"note": note})
        state.show(item, f"content {item['content_id']} is {item['status']}")

    review.help = f"{decision.capitalize()} a content."


_review("approve", "contenthub content approve content-1a2b3c4d5e6f-1")
_review("reject", 'contenthub content reject content-1a2b3c4d5e6f-1 --note "重复"')
