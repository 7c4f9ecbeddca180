"""`contenthub webhook …`: webhook deliveries and redelivery."""

from __future__ import annotations

import click

from contenthub_cli.base import State, command, group
from contenthub_cli.output import lines, table

webhook = group(
    "webhook",
    "Webhook deliveries (list, send again) and disabled endpoints.",
    "contenthub webhook deliveries --status dead",
)


def register(root: click.Group) -> None:
    root.add_command(webhook)


@command(webhook, "deliveries", "contenthub webhook deliveries --status dead --limit 50")
@click.option("--status", default="dead", show_default=True,
              type=click.Choice(["pending", "delivered", "dead", "disabled"]))  # fmt: skip
@click.option("--limit", type=int, default=50, show_default=True, help="Most deliveries shown.")
@click.pass_obj
def deliveries(state: State, status: str, limit: int) -> None:
    """Deliveries by status (default: dead)."""
    data = state.client.request("GET", "/webhooks/deliveries", query={"status": status, "limit": limit})
    rows = []
    for delivery in data["deliveries"]:
        last = (delivery.get("attempts") or [{}])[-1]
        rows.append({**delivery, "last": last.get("status") or last.get("error")})
    columns = ["delivery_id", "event_type", "status", "attempt_count", "last", "updated_at"]
    state.show(data, table(rows, columns))


@command(webhook, "redeliver", "contenthub webhook redeliver msg_1a2b3c4d5e6f_1_succeeded")
@click.argument("delivery_id")
@click.pass_obj
def redeliver(state: State, delivery_id: str) -> None:
    """Send a finished delivery again."""
    data = state.client.request("POST", f"/webhooks/deliveries/{delivery_id}/redeliver")
    state.show(data, f"redelivery of {data['delivery_id']} queued (status {data['status']})")


endpoint = group(
    "endpoint", "Webhook endpoints disabled by a 410 Gone: list them, enable one again.",
    "contenthub webhook endpoint list",
)  # fmt: skip
webhook.add_command(endpoint)


@command(endpoint, "list", "contenthub webhook endpoint list")
@click.pass_obj
def endpoint_list(state: State) -> None:
    """Endpoints disabled by a 410 Gone (deliveries to them stop until enabled)."""
    data = state.client.request("GET", "/webhooks/endpoints")
    state.show(data, table(data["endpoints"], ["key", "url", "disabled_at", "reason"]))


@command(endpoint, "enable", "contenthub webhook endpoint enable 3f2a9c1d0b8e7a6f5e4d3c2b")
@click.argument("key")
@click.pass_obj
def endpoint_enable(state: State, key: str) -> None:
    """Enable a disabled endpoint again; then redeliver what it missed (listed)."""
    data = state.client.request("POST", f"/webhooks/endpoints/{key}/enable")
    missed = data["disabled_deliveries"]
    hint = f"redeliver what it missed: contenthub webhook redeliver {missed[0]}" if missed else "nothing to redeliver"
    state.show(data, lines(f"endpoint {data['url']} enabled", *(["missed: " + ", ".join(missed)] if missed else []),
                           hint))  # fmt: skip
