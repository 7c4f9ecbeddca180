"""contenthub — operator CLI for ContentHub Serverless.

Endpoint: --endpoint, else $CONTENTHUB_ENDPOINT, else `endpoint` in ~/.config/contenthub/config.toml
([default] table), else the local stack (http://127.0.0.1:8787). A deployed API (*.amazonaws.com)
is called with SigV4 using your AWS credentials.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from contenthub_cli.client import ApiError, Client


def table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    if not rows:
        return "(none)"
    cells = [[("" if r.get(c) is None else str(r.get(c))) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def pairs(data: dict[str, Any], keys: list[str]) -> str:
    width = max(len(k) for k in keys)
    return "\n".join(f"{k.ljust(width)}  {'' if data.get(k) is None else data.get(k)}" for k in keys)


# -- commands ------------------------------------------------------------------------------------
def task_status(client: Client, args: argparse.Namespace) -> tuple[Any, str]:
    task = client.request("GET", f"/tasks/{args.task_id}")
    bar = "#" * (task["progress"] // 5) + "." * (20 - task["progress"] // 5)
    keys = ["task_id", "status", "account_id", "topic", "keywords", "stage", "attempt", "error", "content_id",
            "created_at", "started_at", "finished_at"]  # fmt: skip
    return task, f"{pairs(task, keys)}\nprogress    [{bar}] {task['progress']}%"


def monitor_metrics(client: Client, args: argparse.Namespace) -> tuple[Any, str]:
    m = client.request("GET", "/metrics")
    rate = "n/a" if m["success_rate"] is None else f"{m['success_rate'] * 100:.1f}%"
    text = (f"total tasks    {m['total_tasks']}\ntasks today    {m['tasks_today']}\nin flight      {m['in_flight']}\n"
            f"success rate   {rate}\nsystem status  {m['system_status']}")  # fmt: skip
    return m, text


def monitor_health(client: Client, args: argparse.Namespace) -> tuple[Any, str]:
    try:
        report = client.request("GET", "/health")
    except ApiError as error:  # 503 carries the report too, but the line is what matters
        raise ApiError(f"system unhealthy: {error}") from error
    rows = [{"check": name, **check} for name, check in report["checks"].items()]
    return report, f"{report['message']}\n\n{table(rows, ['check', 'status', 'detail', 'reason'])}"


def webhook_deliveries(client: Client, args: argparse.Namespace) -> tuple[Any, str]:
    data = client.request("GET", "/webhooks/deliveries", query={"status": args.status, "limit": args.limit})
    rows = [
        {**d, "last": (d.get("attempts") or [{}])[-1].get("status") or (d.get("attempts") or [{}])[-1].get("error")}
        for d in data["deliveries"]
    ]
    columns = ["delivery_id", "event_type", "status", "attempt_count", "last", "updated_at"]
    return data, table(rows, columns)


def webhook_redeliver(client: Client, args: argparse.Namespace) -> tuple[Any, str]:
    data = client.request("POST", f"/webhooks/deliveries/{args.delivery_id}/redeliver")
    return data, f"redelivery of {data['delivery_id']} queued (status {data['status']})"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="contenthub", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--endpoint", help="API base URL (default: the local stack)")
    parser.add_argument("--region", help="AWS region for SigV4 (default: from the endpoint or AWS_REGION)")
    parser.add_argument("--json", action="store_true", help="print the API's JSON instead of a table")
    groups = parser.add_subparsers(dest="group", required=True, metavar="{task,monitor,webhook}")

    task = groups.add_parser("task", help="tasks").add_subparsers(dest="command", required=True)
    status = task.add_parser("status", help="a task's status and progress")
    status.add_argument("task_id")
    status.set_defaults(run=task_status)

    monitor = groups.add_parser("monitor", help="metrics and health").add_subparsers(dest="command", required=True)
    monitor.add_parser("metrics", help="total, today, success rate, system status").set_defaults(run=monitor_metrics)
    monitor.add_parser("health", help="dependency checks").set_defaults(run=monitor_health)

    webhook = groups.add_parser("webhook", help="webhook deliveries").add_subparsers(dest="command", required=True)
    deliveries = webhook.add_parser("deliveries", help="deliveries by status (default: dead)")
    deliveries.add_argument("--status", default="dead", choices=["pending", "delivered", "dead", "disabled"])
    deliveries.add_argument("--limit", type=int, default=50)
    deliveries.set_defaults(run=webhook_deliveries)
    redeliver = webhook.add_parser("redeliver", help="send a finished delivery again")
    redeliver.add_argument("delivery_id")
    redeliver.set_defaults(run=webhook_redeliver)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run: Callable[[Client, argparse.Namespace], tuple[Any, str]] = args.run
    try:
        data, text = run(Client.from_options(args.endpoint, args.region), args)
    except ApiError as error:
        print(f"contenthub: {error}", file=sys.stderr)
        return 1
    print(json.dumps(data, ensure_ascii=False, indent=2) if args.json else text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
