"""Console pages and forms against the fake API: what each form sends, and what a page shows."""

from __future__ import annotations

import re

import requests

from contenthub_cli.client import Client
from contenthub_console.server import ConsoleServer
from tests.unit.cli.conftest import task
from tests.unit.console.conftest import FakeApi

ACCOUNT = {"account_id": 49, "name": "科技博客", "platform": None, "language": "zh-CN", "tone": None, "length": None,
           "topics": ["AI"], "webhook_url": None, "webhook_enabled": None, "daily_quota": 20, "tasks_today": 7,
           "created_at": "x", "updated_at": "x"}  # fmt: skip


def browser_for(console: ConsoleServer, path: str = "/accounts/49") -> tuple[requests.Session, str]:
    session = requests.Session()
    page = session.get(console.url + path, timeout=10)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert token, page.text[:500]
    return session, token.group(1)


def test_account_page_shows_todays_usage_against_the_quota_and_edits_send_nulls(api: FakeApi, console):
    api.on("GET", "/accounts/49", (200, ACCOUNT))
    api.on("PATCH", "/accounts/49", (200, ACCOUNT))
    session, token = browser_for(console)
    page = session.get(f"{console.url}/accounts/49", timeout=10).text
    assert re.search(r'id="usage">7</b> of 20 tasks', page)
    form = {"csrf_token": token, "name": "科技博客", "language": "", "tone": "formal", "topics": "AI, 云计算",
            "daily_quota": "", "webhook_enabled": "false", "length": "1200"}  # fmt: skip
    answer = session.post(f"{console.url}/accounts/49", data=form, allow_redirects=False, timeout=10)
    assert answer.status_code == 303
    [sent] = api.requests("PATCH", "/accounts/49")
    assert sent.body == {
        "name": "科技博客", "platform": None, "language": None, "tone": "formal", "webhook_url": None, "length": 1200,
        "daily_quota": None, "topics": ["AI", "云计算"], "webhook_enabled": False,
    }  # fmt: skip


def test_create_account_and_a_refusal_comes_back_as_a_message(api: FakeApi, console):
    api.on("GET", "/accounts", (200, {"accounts": [ACCOUNT], "next_cursor": None}))
    api.on("POST", "/accounts", (409, {"error": {"code": "account_exists", "message": "account 49 exists"}}))
    session, token = browser_for(console, "/accounts")
    form = {"csrf_token": token, "account_id": "49", "name": "x", "topics": "a,b", "daily_quota": "5"}
    answer = session.post(f"{console.url}/accounts", data=form, timeout=10)
    assert answer.status_code == 200 and "account 49 exists (HTTP 409, account_exists)" in answer.text
    assert api.requests("POST", "/accounts")[0].body == {"name": "x", "daily_quota": 5, "topics": ["a", "b"],
                                                         "account_id": 49}  # fmt: skip


def test_controls_form_and_dead_letter_fail_send_what_the_operator_chose(api: FakeApi, console):
    api.on("GET", "/dlq/intake/messages", (200, {"queue": "intake", "count": 0, "messages": []}))
    api.on("PUT", "/controls", (200, {}))
    api.on("POST", "/dlq/intake/fail", (200, {"queue": "intake", "tasks": [], "not_found": []}))
    session, token = browser_for(console, "/dlq/intake")
    session.post(f"{console.url}/controls", data={"csrf_token": token, "max_concurrent_tasks": "2",
                                                  "runner_slots": "3", "reason": "quota"}, timeout=10)  # fmt: skip
    assert api.requests("PUT", "/controls")[0].body == {"max_concurrent_tasks": 2, "runner_slots": 3, "reason": "quota"}
    session.post(f"{console.url}/dlq/intake/fail", data={"csrf_token": token, "message_ids": ["m-1", "m-2"],
                                                         "reason": "bad brief"}, timeout=10)  # fmt: skip
    assert api.requests("POST", "/dlq/intake/fail")[0].body == {"message_ids": ["m-1", "m-2"], "reason": "bad brief"}


def test_on_aws_a_task_links_to_its_execution_and_a_logs_insights_query(api: FakeApi):
    arn = "arn:aws:states:eu-west-1:123456789012:execution:Machine:task-abc123def456"
    attempt = {"attempt": 1, "status": "succeeded", "error": None, "started_at": "a", "finished_at": "b",
               "execution_name": "task-abc123def456", "execution_arn": arn, "execution_status": "SUCCEEDED",
               "states": [{"name": "MarkRunning", "type": "Task", "entered_at": "t", "exited_at": "t"}],
               "states_truncated": False, "runner_id": None,
               "timings": {"queued_seconds": 1.0, "generating_seconds": 2.0, "storing_seconds": 0.1}}  # fmt: skip
    api.on("GET", "/tasks/task-abc123def456", (200, task()))
    api.on("GET", "/tasks/task-abc123def456/history", (200, {"task_id": "task-abc123def456", "status": "succeeded",
                                                             "created_at": "x", "attempts": [attempt]}))  # fmt: skip
    server = ConsoleServer(Client(api.url, region="eu-west-1", sign=True, retries=0), port=0).start()
    try:
        page = requests.get(f"{server.url}/tasks/task-abc123def456", timeout=10).text
    finally:
        server.stop()
    assert "https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/" in page
    assert "arn%3Aaws%3Astates%3Aeu-west-1" in page and "logsV2:logs-insights" in page
    assert "filter task_id = &#34;task-abc123def456&#34;" in page
    assert "Authorization" in api.requests("GET", "/tasks/task-abc123def456")[0].headers  # signed on the server
