"""contenthub — operator CLI for ContentHub Serverless.

Endpoint: --endpoint, else $CONTENTHUB_ENDPOINT, else `endpoint` in ~/.config/contenthub/config.toml
([default] table), else the local stack (http://127.0.0.1:8787). A deployed API (*.amazonaws.com)
is called with SigV4 using your AWS credentials (region from --region, the endpoint, or AWS_REGION).
Human tables by default; --json prints the API's JSON for scripts. Errors: one line, exit 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from contenthub_cli import commands as c
from contenthub_cli.client import ApiError, Client

STATUSES = ["pending", "running", "succeeded", "failed", "timed_out", "cancelled"]


def _global_options(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument("--endpoint", default=default, help="API base URL (default: the local stack)")
    parser.add_argument(
        "--region", default=default, help="AWS region for SigV4 (default: from the endpoint or AWS_REGION)"
    )
    parser.add_argument("--json", action="store_true", default=default, help="print the API's JSON instead of a table")


# The global options work after the command too (`contenthub task list --json`).
COMMON = argparse.ArgumentParser(add_help=False)
_global_options(COMMON, argparse.SUPPRESS)


def _command(
    group: Any,
    name: str,
    run: Callable[..., Any],
    help: str,
    *arguments: tuple[list[str], dict[str, Any]],  # noqa: A002
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = group.add_parser(name, help=help, description=help, parents=[COMMON])
    for flags, options in arguments:
        parser.add_argument(*flags, **options)
    parser.set_defaults(run=run)
    return parser


def arg(*flags: str, **options: Any) -> tuple[list[str], dict[str, Any]]:
    return list(flags), options


PAGES = (arg("--limit", type=int, default=20, help="items per page (1-100)"),
         arg("--cursor", help="next_cursor of the previous page"),
         arg("--all", action="store_true", help="follow every page"))  # fmt: skip
WAIT = (arg("--interval", type=float, default=1.0, help="seconds between status checks"),
        arg("--timeout", type=float, default=None, help="stop waiting after this many seconds"))  # fmt: skip


def _account_fields(required_name: bool) -> list[tuple[list[str], dict[str, Any]]]:
    return [
        arg("--name", required=required_name, help="display name"),
        arg("--platform", help="e.g. wechat, blog"),
        arg("--language", help="article language, e.g. zh-CN"),
        arg("--tone", help="e.g. informative, 轻松"),
        arg("--length", type=int, help="target words"),
        arg("--topics", help="topic pool, comma separated"),
        arg("--webhook-url", dest="webhook_url", help="this account's webhook (https)"),
        arg("--webhook-enabled", dest="webhook_enabled", action=argparse.BooleanOptionalAction, default=None),
        arg("--daily-quota", dest="daily_quota", type=int, help="tasks per UTC day"),
    ]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="contenthub", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    _global_options(parser, None)
    groups = parser.add_subparsers(
        dest="group", required=True, metavar="{content,task,monitor,scheduler,account,webhook}"
    )

    content = groups.add_parser("content", help="generate and review content").add_subparsers(
        dest="command", required=True
    )
    _command(content, "generate", c.content_generate,
             "submit a content-generation task (waits with a progress bar unless --async)",
             arg("-a", "--account", type=int, required=True, help="account id, e.g. 49"),
             arg("-t", "--topic", required=True), arg("--keywords", help="comma separated, e.g. 'AI,机器学习'"),
             arg("--async", dest="async_", action="store_true", help="print the task id and return at once"),
             arg("--auto-approve", dest="auto_approve", action=argparse.BooleanOptionalAction, default=None,
                 help="approve without review (default: ASYNC_AUTO_APPROVE)"),
             arg("--auto-publish", dest="auto_publish", action="store_true"),
             arg("--idempotency-key", dest="idempotency_key", help="a repeat with the same key returns the same task"),
             *WAIT)  # fmt: skip
    _command(
        content,
        "list",
        c.content_list,
        "contents, newest first",
        arg("--account", type=int),
        arg("--status", choices=["draft", "approved", "rejected"]),
        *PAGES,
    )
    _command(content, "show", c.content_show, "a content with its article", arg("content_id"))
    _command(content, "approve", c.content_review("approve"), "approve a content", arg("content_id"), arg("--note"))
    _command(content, "reject", c.content_review("reject"), "reject a content", arg("content_id"), arg("--note"))

    task = groups.add_parser("task", help="tasks").add_subparsers(dest="command", required=True)
    _command(task, "status", c.task_status, "a task's details, status and progress", arg("task_id"))
    _command(
        task,
        "list",
        c.task_list,
        "tasks, newest first",
        arg("--status", choices=STATUSES),
        arg("--account", type=int),
        arg("--since", help="created at or after (ISO 8601)"),
        arg("--until", help="created at or before"),
        *PAGES,
    )
    _command(task, "cancel", c.task_cancel, "cancel a pending or running task", arg("task_id"))
    _command(task, "retry", c.task_retry, "new attempt of a failed, timed-out or cancelled task", arg("task_id"))
    _command(
        task,
        "cleanup",
        c.task_cleanup,
        "delete finished tasks older than N days (dry run unless --yes)",
        arg("--days", type=int, default=30),
        arg("--yes", action="store_true", help="really delete"),
    )
    _command(task, "stats", c.task_stats, "tasks by status")
    _command(task, "watch", c.task_watch, "follow a task with a progress bar until it ends", arg("task_id"), *WAIT)

    monitor = groups.add_parser("monitor", help="metrics and health").add_subparsers(dest="command", required=True)
    _command(monitor, "metrics", c.monitor_metrics, "total, today, success rate, system status")
    _command(monitor, "recent", c.monitor_recent, "latest tasks", arg("--limit", type=int, default=20))
    _command(
        monitor, "failed", c.monitor_failed, "latest failed and timed-out tasks", arg("--limit", type=int, default=20)
    )
    _command(monitor, "pending", c.monitor_pending, "tasks waiting to run", arg("--limit", type=int, default=20))
    _command(monitor, "stats", c.monitor_stats, "daily statistics", arg("--days", type=int, default=7))
    _command(monitor, "health", c.monitor_health, "dependency checks")

    scheduler = groups.add_parser("scheduler", help="cron schedules").add_subparsers(dest="command", required=True)
    _command(scheduler, "create", c.scheduler_create, "create a cron schedule (EventBridge Scheduler)",
             arg("--name", required=True), arg("--type", default="async_content_generation"),
             arg("--cron", required=True, help="5-field Unix cron, e.g. '0 8 * * *'"),
             arg("--timezone", default="UTC", help="IANA name, e.g. Asia/Shanghai"),
             arg("--params", required=True, help='JSON, e.g. \'{"account_ids": [49], "count_per_account": 3}\''),
             arg("--paused", action="store_true", help="create it paused"))  # fmt: skip
    _command(scheduler, "list", c.scheduler_list, "all schedules")
    _command(scheduler, "show", c.scheduler_show, "a schedule and its next fire times", arg("schedule_id"))
    _command(scheduler, "pause", c.scheduler_state("pause"), "pause a schedule", arg("schedule_id"))
    _command(scheduler, "resume", c.scheduler_state("resume"), "resume a schedule", arg("schedule_id"))
    _command(scheduler, "delete", c.scheduler_delete, "delete a schedule", arg("schedule_id"))
    _command(scheduler, "run-now", c.scheduler_run_now, "fire a schedule now", arg("schedule_id"))
    _command(scheduler, "preview", c.scheduler_preview, "next fire times of a schedule or of --cron",
             arg("schedule_id", nargs="?"), arg("--cron"), arg("--timezone", default="UTC"),
             arg("--count", type=int, default=5))  # fmt: skip

    account = groups.add_parser("account", help="accounts").add_subparsers(dest="command", required=True)
    _command(
        account,
        "create",
        c.account_create,
        "create an account",
        arg("--id", type=int, required=True, help="account id, e.g. 49"),
        *_account_fields(True),
    )
    _command(account, "list", c.account_list, "accounts", *PAGES)
    _command(account, "show", c.account_show, "an account", arg("account_id", type=int))
    _command(account, "update", c.account_update, "change an account's fields", arg("account_id", type=int),
             *_account_fields(False),
             arg("--clear", action="append", choices=[f for f in c.ACCOUNT_FIELDS if f != "name"],
                 help="reset a field to its default (repeatable)"))  # fmt: skip

    webhook = groups.add_parser("webhook", help="webhook deliveries").add_subparsers(dest="command", required=True)
    _command(webhook, "deliveries", c.webhook_deliveries, "deliveries by status (default: dead)",
             arg("--status", default="dead", choices=["pending", "delivered", "dead", "disabled"]),
             arg("--limit", type=int, default=50))  # fmt: skip
    _command(webhook, "redeliver", c.webhook_redeliver, "send a finished delivery again", arg("delivery_id"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run: Callable[[Client, argparse.Namespace], tuple[Any, str]] = args.run
    try:
        data, text = run(Client.from_options(args.endpoint, args.region), args)
    except ApiError as error:
        print(f"contenthub: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("contenthub: interrupted", file=sys.stderr)
        return 130
    print(json.dumps(data, ensure_ascii=False, indent=2) if args.json else text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
