"""One function per CLI command: call the API, return (data for --json, text for people)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from contenthub_cli.client import ApiError, Client
from contenthub_cli.output import bar, pairs, percent, table

TERMINAL = ("succeeded", "failed", "timed_out", "cancelled")
TASK_KEYS = [
    "task_id",
    "status",
    "account_id",
    "topic",
    "keywords",
    "stage",
    "attempt",
    "error",
    "content_id",
    "source",
    "created_at",
    "started_at",
    "finished_at",
]
TASK_COLUMNS = ["task_id", "status", "progress", "account_id", "topic", "attempt", "created_at"]
Result = tuple[Any, str]


def csv(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _page_query(args: argparse.Namespace, **filters: Any) -> dict[str, Any]:
    return {**filters, "limit": args.limit, "cursor": args.cursor}


def _pages(client: Client, path: str, key: str, query: dict[str, Any], every: bool) -> dict[str, Any]:
    """One page, or with --all every page (following next_cursor)."""
    data = client.request("GET", path, query=query)
    items = list(data[key])
    while every and data.get("next_cursor"):
        data = client.request("GET", path, query={**query, "cursor": data["next_cursor"]})
        items += data[key]
    return {key: items, "next_cursor": None if every else data.get("next_cursor")}


def _more(data: dict[str, Any]) -> str:
    return f"\nmore: --cursor {data['next_cursor']}" if data.get("next_cursor") else ""


# -- tasks -----------------------------------------------------------------------------------------
def task_text(task: dict[str, Any]) -> str:
    text = f"{pairs(task, TASK_KEYS)}\nprogress     {bar(int(task.get('progress') or 0))}"
    if task.get("history"):
        text += "\nhistory\n" + table(task["history"], ["attempt", "status", "error", "finished_at"])
    return text


def task_status(client: Client, args: argparse.Namespace) -> Result:
    task = client.request("GET", f"/tasks/{args.task_id}")
    return task, task_text(task)


def task_list(client: Client, args: argparse.Namespace) -> Result:
    query = _page_query(args, status=args.status, account_id=args.account, since=args.since, until=args.until)
    data = _pages(client, "/tasks", "tasks", query, args.all)
    return data, table(data["tasks"], TASK_COLUMNS) + _more(data)


def task_cancel(client: Client, args: argparse.Namespace) -> Result:
    task = client.request("POST", f"/tasks/{args.task_id}/cancel")
    return task, f"task {task['task_id']} cancelled"


def task_retry(client: Client, args: argparse.Namespace) -> Result:
    task = client.request("POST", f"/tasks/{args.task_id}/retry")
    return task, f"task {task['task_id']} queued again (attempt {task['attempt']})"


def task_cleanup(client: Client, args: argparse.Namespace) -> Result:
    data = client.request("POST", "/tasks/cleanup", {"older_than_days": args.days, "dry_run": not args.yes})
    by_status = ", ".join(f"{k} {v}" for k, v in data["by_status"].items())
    if data["dry_run"]:
        text = (
            f"dry run: {data['matched']} finished task(s) created before {data['cutoff']} would be deleted "
            f"({by_status}); run again with --yes to delete them"
        )
    else:
        text = f"deleted {data['deleted']} finished task(s) created before {data['cutoff']} ({by_status})"
        text += "; more remain, run again" if data["more"] else ""
    return data, text


def task_stats(client: Client, args: argparse.Namespace) -> Result:
    data = client.request("GET", "/tasks/stats")
    rows = [{"status": k, "total": v, "today": data["today"].get(k, "")} for k, v in data["by_status"].items()]
    text = (
        f"total tasks   {data['total_tasks']}\nsubmitted today {data['today']['submitted']}\n"
        f"retries       {data['retried']}\nsuccess rate  {percent(data['success_rate'])}\n\n"
        + table(rows, ["status", "total", "today"])
    )
    return data, text


def watch(client: Client, task_id: str, interval: float, timeout: float | None, quiet: bool = False) -> dict[str, Any]:
    """Follow a task with a live progress bar (on stderr) until it ends."""
    from tqdm import tqdm

    deadline = None if timeout is None else time.monotonic() + timeout
    task = client.request("GET", f"/tasks/{task_id}")
    with tqdm(
        total=100,
        desc=task["status"],
        unit="%",
        file=sys.stderr,
        disable=bool(quiet),
        dynamic_ncols=True,
        bar_format="{desc} |{bar}| {n:.0f}% {postfix}",
    ) as progress:
        while True:
            progress.n = int(task.get("progress") or 0)
            progress.set_description_str(task["status"])
            progress.set_postfix_str(task.get("stage") or "")
            progress.refresh()
            if task["status"] in TERMINAL:
                return task
            if deadline is not None and time.monotonic() > deadline:
                raise ApiError(f"task {task_id} is still {task['status']} after {timeout:.0f} s (it keeps running)")
            time.sleep(interval)
            task = client.request("GET", f"/tasks/{task_id}")


def _ended(task: dict[str, Any]) -> None:
    if task["status"] != "succeeded":
        raise ApiError(f"task {task['task_id']} ended {task['status']}: {task.get('error') or 'no reason given'}")


def task_watch(client: Client, args: argparse.Namespace) -> Result:
    task = watch(client, args.task_id, args.interval, args.timeout, quiet=args.json)
    _ended(task)
    return task, task_text(task)


# -- content ---------------------------------------------------------------------------------------
def content_text(content: dict[str, Any]) -> str:
    head = pairs(
        content, ["content_id", "status", "account_id", "generation_task_id", "tags", "review_note", "created_at"]
    )
    return f"{head}\n\n# {content['title']}\n\n{content.get('body') or content.get('summary') or ''}".rstrip()


def content_generate(client: Client, args: argparse.Namespace) -> Result:
    body: dict[str, Any] = {"account_id": args.account, "topic": args.topic, "keywords": csv(args.keywords)}
    if args.auto_approve is not None:
        body["auto_approve"] = args.auto_approve
    if args.auto_publish:
        body["auto_publish"] = True
    task = client.request("POST", "/tasks", body, headers={"Idempotency-Key": args.idempotency_key})
    if args.async_:
        hint = f"follow it with: contenthub task watch {task['task_id']}"
        return task, f"{task['task_id']}\ntask submitted ({task['status']}); {hint}"
    print(
        f"task {task['task_id']} submitted; waiting for the article (Ctrl-C stops waiting, not the task)",
        file=sys.stderr,
    )
    task = watch(client, task["task_id"], args.interval, args.timeout, quiet=args.json)
    _ended(task)
    content = client.request("GET", f"/contents/{task['content_id']}")
    return content, content_text(content)


def content_list(client: Client, args: argparse.Namespace) -> Result:
    data = _pages(
        client, "/contents", "contents", _page_query(args, account_id=args.account, status=args.status), args.all
    )
    columns = ["content_id", "status", "account_id", "title", "generation_task_id", "created_at"]
    return data, table(data["contents"], columns) + _more(data)


def content_show(client: Client, args: argparse.Namespace) -> Result:
    content = client.request("GET", f"/contents/{args.content_id}")
    return content, content_text(content)


def content_review(decision: str) -> Any:
    def run(client: Client, args: argparse.Namespace) -> Result:
        content = client.request("POST", f"/contents/{args.content_id}/{decision}", {"note": args.note})
        return content, f"content {content['content_id']} is {content['status']}"

    return run


# -- monitor ---------------------------------------------------------------------------------------
def monitor_metrics(client: Client, args: argparse.Namespace) -> Result:
    m = client.request("GET", "/metrics")
    text = (
        f"total tasks    {m['total_tasks']}\ntasks today    {m['tasks_today']}\nin flight      {m['in_flight']}\n"
        f"success rate   {percent(m['success_rate'])}\nsystem status  {m['system_status']}"
    )
    return m, text


def monitor_recent(client: Client, args: argparse.Namespace) -> Result:
    data = client.request("GET", "/tasks", query={"limit": args.limit})
    return data, table(data["tasks"], TASK_COLUMNS)


def monitor_failed(client: Client, args: argparse.Namespace) -> Result:
    """Failed and timed-out tasks, newest first (two index queries, merged)."""
    tasks = [
        t
        for status in ("failed", "timed_out")
        for t in client.request("GET", "/tasks", query={"status": status, "limit": args.limit})["tasks"]
    ]
    tasks = sorted(tasks, key=lambda t: t["created_at"], reverse=True)[: args.limit]
    return {"tasks": tasks}, table(tasks, ["task_id", "status", "account_id", "topic", "error", "created_at"])


def monitor_pending(client: Client, args: argparse.Namespace) -> Result:
    data = client.request("GET", "/tasks", query={"status": "pending", "limit": args.limit})
    return data, table(data["tasks"], ["task_id", "account_id", "topic", "stage", "created_at"])


def monitor_stats(client: Client, args: argparse.Namespace) -> Result:
    data = client.request("GET", "/stats", query={"days": args.days})
    rows = [{**d, "success_rate": percent(d["success_rate"])} for d in data["days"]]
    columns = ["date", "submitted", "succeeded", "failed", "timed_out", "cancelled", "success_rate"]
    return data, table(rows, columns)


def monitor_health(client: Client, args: argparse.Namespace) -> Result:
    try:
        report = client.request("GET", "/health")
    except ApiError as error:  # 503 carries the report too, but the line is what matters
        raise ApiError(f"system unhealthy: {error}") from error
    rows = [{"check": name, **check} for name, check in report["checks"].items()]
    return report, f"{report['message']}\n\n{table(rows, ['check', 'status', 'detail', 'reason'])}"


# -- scheduler -------------------------------------------------------------------------------------
SCHEDULE_KEYS = [
    "schedule_id",
    "name",
    "type",
    "state",
    "cron",
    "timezone",
    "expression",
    "params",
    "next_fire_times",
    "last_fired_at",
    "created_at",
]


def schedule_text(schedule: dict[str, Any]) -> str:
    shown = {
        **schedule,
        "params": json.dumps(schedule["params"], ensure_ascii=False),
        "next_fire_times": ", ".join(schedule.get("next_fire_times") or []),
    }
    return pairs(shown, SCHEDULE_KEYS)


def scheduler_create(client: Client, args: argparse.Namespace) -> Result:
    try:
        params = json.loads(args.params)
    except json.JSONDecodeError as error:
        raise ApiError(f"--params is not valid JSON: {error.msg} at position {error.pos}") from error
    body = {
        "name": args.name,
        "type": args.type,
        "cron": args.cron,
        "timezone": args.timezone,
        "params": params,
        "enabled": not args.paused,
    }
    schedule = client.request("POST", "/schedules", body)
    return schedule, f"schedule {schedule['schedule_id']} created\n{schedule_text(schedule)}"


def scheduler_list(client: Client, args: argparse.Namespace) -> Result:
    data = client.request("GET", "/schedules")
    rows = [{**s, "next": (s.get("next_fire_times") or [""])[0]} for s in data["schedules"]]
    return data, table(rows, ["schedule_id", "name", "state", "cron", "timezone", "next", "last_fired_at"])


def scheduler_show(client: Client, args: argparse.Namespace) -> Result:
    schedule = client.request("GET", f"/schedules/{args.schedule_id}")
    return schedule, schedule_text(schedule)


def scheduler_state(action: str) -> Any:
    def run(client: Client, args: argparse.Namespace) -> Result:
        schedule = client.request("POST", f"/schedules/{args.schedule_id}/{action}")
        return schedule, f"schedule {schedule['schedule_id']} is {schedule['state']}"

    return run


def scheduler_delete(client: Client, args: argparse.Namespace) -> Result:
    client.request("DELETE", f"/schedules/{args.schedule_id}")
    return {"schedule_id": args.schedule_id, "deleted": True}, f"schedule {args.schedule_id} deleted"


def scheduler_run_now(client: Client, args: argparse.Namespace) -> Result:
    data = client.request("POST", f"/schedules/{args.schedule_id}/run")
    return data, f"{data['created']} task(s) created\n" + table(
        data["tasks"], ["task_id", "account_id", "topic", "status"]
    )


def scheduler_preview(client: Client, args: argparse.Namespace) -> Result:
    if args.schedule_id:
        schedule = client.request("GET", f"/schedules/{args.schedule_id}")
        cron, timezone = schedule["cron"], schedule["timezone"]
    elif args.cron:
        cron, timezone = args.cron, args.timezone
    else:
        raise ApiError("preview needs a schedule id or --cron")
    data = client.request("GET", "/schedules/preview", query={"cron": cron, "timezone": timezone, "count": args.count})
    return data, f"next fire times of '{cron}' ({timezone}):\n" + "\n".join(f"  {t}" for t in data["fire_times"])


# -- accounts --------------------------------------------------------------------------------------
ACCOUNT_FIELDS = ["name", "platform", "language", "tone", "length", "topics", "webhook_url", "webhook_enabled",
                  "daily_quota"]  # fmt: skip
ACCOUNT_KEYS = ["account_id", *ACCOUNT_FIELDS, "tasks_today", "created_at", "updated_at"]


def _account_body(args: argparse.Namespace) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for field in ACCOUNT_FIELDS:
        value = getattr(args, field, None)
        if value is not None:
            body[field] = csv(value) if field == "topics" else value
    for field in getattr(args, "clear", None) or []:
        body[field] = None
    return body


def account_create(client: Client, args: argparse.Namespace) -> Result:
    account = client.request("POST", "/accounts", {"account_id": args.id, **_account_body(args)})
    return account, f"account {account['account_id']} created\n{pairs(account, ACCOUNT_KEYS)}"


def account_list(client: Client, args: argparse.Namespace) -> Result:
    data = _pages(client, "/accounts", "accounts", {"limit": args.limit, "cursor": args.cursor}, args.all)
    columns = ["account_id", "name", "platform", "language", "daily_quota", "tasks_today", "topics"]
    return data, table(data["accounts"], columns) + _more(data)


def account_show(client: Client, args: argparse.Namespace) -> Result:
    account = client.request("GET", f"/accounts/{args.account_id}")
    return account, pairs(account, ACCOUNT_KEYS)


def account_update(client: Client, args: argparse.Namespace) -> Result:
    body = _account_body(args)
    if not body:
        raise ApiError("nothing to update: give at least one field option or --clear FIELD")
    account = client.request("PATCH", f"/accounts/{args.account_id}", body)
    return account, f"account {account['account_id']} updated\n{pairs(account, ACCOUNT_KEYS)}"


# -- webhooks --------------------------------------------------------------------------------------
def webhook_deliveries(client: Client, args: argparse.Namespace) -> Result:
    data = client.request("GET", "/webhooks/deliveries", query={"status": args.status, "limit": args.limit})
    rows = [
        {**d, "last": (d.get("attempts") or [{}])[-1].get("status") or (d.get("attempts") or [{}])[-1].get("error")}
        for d in data["deliveries"]
    ]
    columns = ["delivery_id", "event_type", "status", "attempt_count", "last", "updated_at"]
    return data, table(rows, columns)


def webhook_redeliver(client: Client, args: argparse.Namespace) -> Result:
    data = client.request("POST", f"/webhooks/deliveries/{args.delivery_id}/redeliver")
    return data, f"redelivery of {data['delivery_id']} queued (status {data['status']})"
