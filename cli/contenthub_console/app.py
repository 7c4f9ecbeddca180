"""The console's pages. Each page renders HTML, or the same data as JSON for `?format=json` or an
`Accept: application/json` request (what console.js polls for live progress). State changes are
POSTed forms (CSRF-checked by security.Guard) that redirect back with a message."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

import requests
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from contenthub_cli.client import Client
from contenthub_cli.errors import CliError
from contenthub_console.render import article_html
from contenthub_console.security import CSRF_FIELD, Guard, Session, Sessions

HERE = Path(__file__).resolve().parent
TASK_STATUSES = ["pending", "running", "succeeded", "failed", "timed_out", "cancelled"]
ACTIVE = ("pending", "running")
DELIVERY_STATES = ["dead", "pending", "delivered", "disabled"]
DLQ_NAMES = ["intake", "runner-jobs", "webhooks"]


class Api:
    """The CLI's client, one copy per thread (requests sessions are not shared), with a short retry
    budget: a page should say the API is down within seconds, not after the CLI's 30 s."""

    def __init__(self, client: Client) -> None:
        self.base = dataclasses.replace(
            client, retries=min(client.retries, 1), budget=2.0, timeout=min(client.timeout, 20)
        )
        self.local = threading.local()

    def client(self) -> Client:
        if not hasattr(self.local, "client"):
            self.local.client = dataclasses.replace(self.base, session=requests.Session())
        return self.local.client  # type: ignore[no-any-return]

    async def __call__(self, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None) -> Any:
        return await run_in_threadpool(self.client().request, method, path, body, query)


def _aws_links(client: Client, history: dict[str, Any]) -> dict[str, Any]:
    """On AWS: the Step Functions console for each execution, and a Logs Insights query for the task."""
    if not client.sign:
        return {}
    region = client.region or "us-east-1"
    base = f"https://{region}.console.aws.amazon.com"
    executions = {
        a["attempt"]: f"{base}/states/home?region={region}#/v2/executions/details/{quote(a['execution_arn'], safe='')}"
        for a in history.get("attempts", [])
    }
    query = (f'fields @timestamp, @log, level, message | filter task_id = "{history["task_id"]}" '
             f'or correlation_id = "{history["task_id"]}" | sort @timestamp asc')  # fmt: skip
    return {"executions": executions, "logs_insights": f"{base}/cloudwatch/home?region={region}#logsV2:logs-insights",
            "logs_query": query}  # fmt: skip


class Console:
    def __init__(self, client: Client, hosts: set[str]) -> None:
        self.api = Api(client)
        self.client = client
        env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True))
        self.templates = Jinja2Templates(env=env)
        self.sessions = Sessions()
        self.hosts = hosts
        routes = [
            Route("/", lambda request: RedirectResponse("/tasks", 303)),
            Route("/tasks", self.tasks, methods=["GET"]),
            Route("/tasks", self.submit, methods=["POST"]),
            Route("/tasks/bulk", self.bulk, methods=["POST"]),
            Route("/tasks/{task_id}", self.task, methods=["GET"]),
            Route("/tasks/{task_id}/{action:str}", self.task_action, methods=["POST"]),
            Route("/contents", self.contents, methods=["GET"]),
            Route("/contents/{content_id}", self.content, methods=["GET"]),
            Route("/contents/{content_id}/{action:str}", self.review, methods=["POST"]),
            Route("/accounts", self.accounts, methods=["GET"]),
            Route("/accounts", self.create_account, methods=["POST"]),
            Route("/accounts/{account_id:int}", self.account, methods=["GET"]),
            Route("/accounts/{account_id:int}", self.update_account, methods=["POST"]),
            Route("/schedules", self.schedules, methods=["GET"]),
            Route("/schedules", self.create_schedule, methods=["POST"]),
            Route("/schedules/preview", self.preview, methods=["GET"]),
            Route("/schedules/{schedule_id}/{action:str}", self.schedule_action, methods=["POST"]),
            Route("/webhooks", self.webhooks, methods=["GET"]),
            Route("/webhooks/deliveries/{delivery_id}/redeliver", self.redeliver, methods=["POST"]),
            Route("/webhooks/endpoints/{key}/enable", self.enable_endpoint, methods=["POST"]),
            Route("/health", self.health, methods=["GET"]),
            Route("/controls", self.controls, methods=["POST"]),
            Route("/dlq", self.dead_letters, methods=["GET"]),
            Route("/dlq/{name}", self.dead_letter_queue, methods=["GET"]),
            Route("/dlq/{name}/{action:str}", self.dead_letter_action, methods=["POST"]),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ]
        self.app = Starlette(routes=routes, exception_handlers={CliError: self.api_error})  # type: ignore[dict-item]
        self.asgi = Guard(self.app, hosts=hosts, sessions=self.sessions)

    # -- helpers --------------------------------------------------------------------------------
    @staticmethod
    def session(request: Request) -> Session:
        return request.state.session  # type: ignore[no-any-return]

    @staticmethod
    def wants_json(request: Request) -> bool:
        accept = request.headers.get("accept", "")
        return request.query_params.get("format") == "json" or accept.startswith("application/json")

    def page(self, request: Request, template: str, data: dict[str, Any], status: int = 200, **extra: Any) -> Response:
        if self.wants_json(request):
            return JSONResponse(data, status_code=status)
        session = self.session(request)
        flashes, session.flashes = session.flashes, []
        context = {**data, **extra, "csrf": session.csrf, "csrf_field": CSRF_FIELD, "flashes": flashes,
                   "path": request.url.path, "query": dict(request.query_params), "on_aws": self.client.sign,
                   "endpoint": self.client.endpoint}  # fmt: skip
        return self.templates.TemplateResponse(request, template, context, status_code=status)

    def flash(self, request: Request, kind: str, text: str) -> None:
        self.session(request).flashes.append((kind, text))

    @staticmethod
    async def form(request: Request) -> dict[str, list[str]]:
        return parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)

    @staticmethod
    def back(form: dict[str, list[str]], default: str) -> RedirectResponse:
        target = (form.get("next") or [default])[0]
        if not target.startswith("/") or target.startswith("//"):  # never off this origin
            target = default
        return RedirectResponse(target, status_code=303)

    async def act(self, request: Request, form: dict[str, list[str]], default: str, method: str, path: str,
                  body: Any, done: str) -> Response:  # fmt: skip
        """One API call for a form; its outcome as a message on the page it redirects back to."""
        try:
            result = await self.api(method, path, body)
        except CliError as error:
            if self.wants_json(request):
                return JSONResponse(error.as_json(), status_code=error.http_status or 502)
            self.flash(request, "error", str(error))
            return self.back(form, default)
        if self.wants_json(request):
            return JSONResponse(result)
        self.flash(request, "ok", done)
        return self.back(form, default)

    async def api_error(self, request: Request, error: Exception) -> Response:
        assert isinstance(error, CliError)
        status = error.http_status if error.http_status and error.http_status < 500 else 502
        return self.page(request, "error.html", error.as_json(), status=status, message=str(error))

    # -- tasks ----------------------------------------------------------------------------------
    async def tasks(self, request: Request) -> Response:
        q = request.query_params
        query = {k: q.get(k) or None for k in ("status", "account_id", "since", "until", "cursor")}
        query["limit"] = q.get("limit") or "25"
        data = await self.api("GET", "/tasks", query=query)
        filters = {k: v for k, v in query.items() if v and k != "cursor"}
        return self.page(request, "tasks.html", data, statuses=TASK_STATUSES, filters=filters,
                         next_page="/tasks?" + urlencode({**filters, "cursor": data["next_cursor"]})
                         if data.get("next_cursor") else None)  # fmt: skip

    async def submit(self, request: Request) -> Response:
        form = await self.form(request)
        field = lambda name: (form.get(name) or [""])[0].strip()  # noqa: E731
        body: dict[str, Any] = {"topic": field("topic"),
                                "keywords": [k.strip() for k in field("keywords").split(",") if k.strip()]}  # fmt: skip
        try:
            body["account_id"] = int(field("account_id"))
        except ValueError:
            self.flash(request, "error", "account id must be a number")
            return self.back(form, "/tasks")
        if field("auto_approve") in ("true", "false"):
            body["auto_approve"] = field("auto_approve") == "true"
        try:
            task = await self.api("POST", "/tasks", body)
        except CliError as error:
            self.flash(request, "error", str(error))
            return self.back(form, "/tasks")
        self.flash(request, "ok", f"task {task['task_id']} submitted")
        return RedirectResponse(f"/tasks/{task['task_id']}", status_code=303)

    async def bulk(self, request: Request) -> Response:
        form = await self.form(request)
        action = (form.get("action") or [""])[0]
        ids = form.get("task_ids") or []
        if action not in ("cancel", "retry") or not ids:
            self.flash(request, "error", "choose tasks and cancel or retry")
            return self.back(form, "/tasks")
        done, refused = [], []
        for task_id in ids:
            try:
                await self.api("POST", f"/tasks/{quote(task_id, safe='')}/{action}")
                done.append(task_id)
            except CliError as error:
                refused.append(f"{task_id}: {error}")
        if done:
            self.flash(request, "ok", f"{action}: {len(done)} task(s) — {', '.join(done)}")
        for line in refused:
            self.flash(request, "error", line)
        return self.back(form, "/tasks")

    async def task(self, request: Request) -> Response:
        task_id = quote(request.path_params["task_id"], safe="")
        task = await self.api("GET", f"/tasks/{task_id}")
        if self.wants_json(request) and request.query_params.get("live"):
            return JSONResponse({"task": task})
        history = await self.api("GET", f"/tasks/{task_id}/history")
        data = {"task": task, "history": history, "aws": _aws_links(self.client, history)}
        return self.page(request, "task.html", data, active=ACTIVE)

    async def task_action(self, request: Request) -> Response:
        form = await self.form(request)
        task_id, action = request.path_params["task_id"], request.path_params["action"]
        if action not in ("cancel", "retry"):
            return Response("no such action", status_code=404)
        done = "cancelled" if action == "cancel" else "queued again (a new attempt)"
        return await self.act(request, form, f"/tasks/{task_id}", "POST", f"/tasks/{quote(task_id, safe='')}/{action}",
                              None, f"task {task_id} {done}")  # fmt: skip

    # -- contents -------------------------------------------------------------------------------
    async def contents(self, request: Request) -> Response:
        q = request.query_params
        query = {"account_id": q.get("account_id") or None, "status": q.get("status") or None,
                 "cursor": q.get("cursor") or None, "limit": q.get("limit") or "25"}  # fmt: skip
        data = await self.api("GET", "/contents", query=query)
        filters = {k: v for k, v in query.items() if v and k != "cursor"}
        return self.page(request, "contents.html", data, filters=filters,
                         next_page="/contents?" + urlencode({**filters, "cursor": data["next_cursor"]})
                         if data.get("next_cursor") else None)  # fmt: skip

    async def content(self, request: Request) -> Response:
        content = await self.api("GET", f"/contents/{quote(request.path_params['content_id'], safe='')}")
        return self.page(request, "content.html", {"content": content}, article=article_html(content.get("body") or ""))

    async def review(self, request: Request) -> Response:
        form = await self.form(request)
        content_id, action = request.path_params["content_id"], request.path_params["action"]
        if action not in ("approve", "reject"):
            return Response("no such action", status_code=404)
        note = (form.get("note") or [""])[0].strip()
        body = {"note": note} if note else {}
        past = "approved" if action == "approve" else "rejected"
        path = f"/contents/{quote(content_id, safe='')}/{action}"
        return await self.act(
            request, form, f"/contents/{content_id}", "POST", path, body, f"content {content_id} {past}"
        )

    # -- accounts -------------------------------------------------------------------------------
    async def accounts(self, request: Request) -> Response:
        data = await self.api("GET", "/accounts", query={"limit": 100, "cursor": request.query_params.get("cursor")})
        return self.page(request, "accounts.html", data)

    @staticmethod
    def account_body(form: dict[str, list[str]], creating: bool) -> dict[str, Any]:
        """The account fields from the form; on edit an emptied field goes back to its default (null)."""
        field = lambda name: (form.get(name) or [""])[0].strip()  # noqa: E731
        body: dict[str, Any] = {}
        for name in ("name", "platform", "language", "tone", "webhook_url"):
            if field(name) or not creating:
                body[name] = field(name) or None
        for name in ("length", "daily_quota"):
            if field(name):
                body[name] = int(field(name))
            elif not creating:
                body[name] = None
        topics = [t.strip() for t in field("topics").replace("\n", ",").split(",") if t.strip()]
        if topics or not creating:
            body["topics"] = topics
        if field("webhook_enabled") in ("true", "false"):
            body["webhook_enabled"] = field("webhook_enabled") == "true"
        elif not creating:
            body["webhook_enabled"] = None
        if creating:
            body["account_id"] = int(field("account_id"))
        elif body.get("name") is None:
            body.pop("name")  # the name cannot be reset
        return body

    async def create_account(self, request: Request) -> Response:
        form = await self.form(request)
        try:
            body = self.account_body(form, creating=True)
        except ValueError:
            self.flash(request, "error", "account id, length and quota are numbers")
            return self.back(form, "/accounts")
        return await self.act(request, form, "/accounts", "POST", "/accounts", body,
                              f"account {body['account_id']} created")  # fmt: skip

    async def account(self, request: Request) -> Response:
        account = await self.api("GET", f"/accounts/{request.path_params['account_id']}")
        return self.page(request, "account.html", {"account": account})

    async def update_account(self, request: Request) -> Response:
        form = await self.form(request)
        account_id = request.path_params["account_id"]
        try:
            body = self.account_body(form, creating=False)
        except ValueError:
            self.flash(request, "error", "length and quota are numbers")
            return self.back(form, f"/accounts/{account_id}")
        return await self.act(request, form, f"/accounts/{account_id}", "PATCH", f"/accounts/{account_id}", body,
                              f"account {account_id} saved")  # fmt: skip

    # -- schedules ------------------------------------------------------------------------------
    async def schedules(self, request: Request) -> Response:
        data = await self.api("GET", "/schedules")
        return self.page(request, "schedules.html", data)

    async def create_schedule(self, request: Request) -> Response:
        form = await self.form(request)
        field = lambda name: (form.get(name) or [""])[0].strip()  # noqa: E731
        try:
            params: dict[str, Any] = {
                "account_ids": [int(a) for a in field("account_ids").split(",") if a.strip()],
                "count_per_account": int(field("count_per_account") or 1),
            }
        except ValueError:
            self.flash(request, "error", "account ids and the count are numbers")
            return self.back(form, "/schedules")
        topics = [t.strip() for t in field("topics").split(",") if t.strip()]
        if topics:
            params["topics"] = topics
        body = {"name": field("name"), "type": "async_content_generation", "cron": field("cron"),
                "timezone": field("timezone") or "UTC", "params": params,
                "enabled": field("paused") != "true"}  # fmt: skip
        return await self.act(
            request, form, "/schedules", "POST", "/schedules", body, f"schedule {body['name']} created"
        )

    async def preview(self, request: Request) -> Response:
        q = request.query_params
        query = {"cron": q.get("cron", ""), "timezone": q.get("timezone") or "UTC", "count": q.get("count") or 5}
        try:
            data = await self.api("GET", "/schedules/preview", query=query)
        except CliError as error:
            data = {"error": str(error)}
        if self.wants_json(request):
            return JSONResponse(data, status_code=422 if "error" in data else 200)
        return self.templates.TemplateResponse(request, "_preview.html", {"preview": data})

    async def schedule_action(self, request: Request) -> Response:
        form = await self.form(request)
        schedule_id, action = request.path_params["schedule_id"], request.path_params["action"]
        path = f"/schedules/{quote(schedule_id, safe='')}"
        if action == "delete":
            return await self.act(request, form, "/schedules", "DELETE", path, None, f"schedule {schedule_id} deleted")
        if action not in ("pause", "resume", "run"):
            return Response("no such action", status_code=404)
        done = {"pause": "paused", "resume": "resumed", "run": "fired now"}[action]
        return await self.act(request, form, "/schedules", "POST", f"{path}/{action}", None,
                              f"schedule {schedule_id} {done}")  # fmt: skip

    # -- webhooks -------------------------------------------------------------------------------
    async def webhooks(self, request: Request) -> Response:
        status = request.query_params.get("status") or "dead"
        data = await self.api("GET", "/webhooks/deliveries", query={"status": status, "limit": 50})
        endpoints = await self.api("GET", "/webhooks/endpoints")
        return self.page(request, "webhooks.html", {**data, **endpoints, "status": status}, states=DELIVERY_STATES)

    async def redeliver(self, request: Request) -> Response:
        form = await self.form(request)
        delivery_id = request.path_params["delivery_id"]
        return await self.act(request, form, "/webhooks", "POST",
                              f"/webhooks/deliveries/{quote(delivery_id, safe='')}/redeliver", None,
                              f"delivery {delivery_id} queued again")  # fmt: skip

    async def enable_endpoint(self, request: Request) -> Response:
        form = await self.form(request)
        key = request.path_params["key"]
        return await self.act(request, form, "/webhooks", "POST", f"/webhooks/endpoints/{quote(key, safe='')}/enable",
                              None, "endpoint enabled again; redeliver what it missed")  # fmt: skip

    # -- health, metrics, controls --------------------------------------------------------------
    async def health(self, request: Request) -> Response:
        try:
            health = await self.api("GET", "/health")
        except CliError as error:  # 503 carries the report
            if not isinstance(error.body, dict) or "checks" not in error.body:
                raise
            health = error.body
        stats = await self.api("GET", "/stats", query={"days": request.query_params.get("days") or 14})
        metrics = await self.api("GET", "/metrics")
        controls = await self.api("GET", "/controls")
        history = await self.api("GET", "/controls/history", query={"limit": 10})
        dlqs = await self.api("GET", "/dlq")
        data = {"health": health, "stats": stats, "metrics": metrics, "controls": controls,
                "control_history": history["changes"], "dlq": dlqs["queues"]}  # fmt: skip
        return self.page(request, "health.html", data)

    async def controls(self, request: Request) -> Response:
        form = await self.form(request)
        field = lambda name: (form.get(name) or [""])[0].strip()  # noqa: E731
        body: dict[str, Any] = {}
        if field("generation_enabled") in ("true", "false"):
            body["generation_enabled"] = field("generation_enabled") == "true"
        try:
            for name in ("max_concurrent_tasks", "runner_slots"):
                if field(name):
                    body[name] = int(field(name))
        except ValueError:
            self.flash(request, "error", "the cap and the slots are numbers")
            return self.back(form, "/health")
        if field("reason"):
            body["reason"] = field("reason")
        return await self.act(request, form, "/health", "PUT", "/controls", body,
                              "controls saved; in force everywhere within 15 s")  # fmt: skip

    # -- dead letters ---------------------------------------------------------------------------
    async def dead_letters(self, request: Request) -> Response:
        data = await self.api("GET", "/dlq")
        return self.page(request, "dlq.html", data)

    async def dead_letter_queue(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in DLQ_NAMES:
            return Response("no such dead-letter queue", status_code=404)
        data = await self.api("GET", f"/dlq/{name}/messages", query={"limit": 50})
        return self.page(request, "dlq_messages.html", data)

    async def dead_letter_action(self, request: Request) -> Response:
        form = await self.form(request)
        name, action = request.path_params["name"], request.path_params["action"]
        if name not in DLQ_NAMES or action not in ("redrive", "fail"):
            return Response("no such action", status_code=404)
        ids = form.get("message_ids") or []
        everything = (form.get("all") or [""])[0] == "true"
        if not ids and not everything:
            self.flash(request, "error", "choose messages, or redrive all")
            return self.back(form, f"/dlq/{name}")
        body: dict[str, Any] = {"all": True} if everything else {"message_ids": ids}
        reason = (form.get("reason") or [""])[0].strip()
        if action == "fail" and reason:
            body["reason"] = reason
        done = "sent back to the source queue" if action == "redrive" else "removed; their tasks marked failed"
        return await self.act(request, form, f"/dlq/{name}", "POST", f"/dlq/{name}/{action}", body,
                              f"{'all messages' if everything else f'{len(ids)} message(s)'} {done}")  # fmt: skip


def create_app(client: Client, hosts: set[str]) -> Any:
    """The console as an ASGI app; `hosts` are the Host headers it answers ("127.0.0.1:PORT")."""
    return Console(client, hosts).asgi


__all__ = ["HTMLResponse", "create_app"]
