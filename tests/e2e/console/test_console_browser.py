"""The console in headless Chromium against the local stack: what an operator does, seen as they
see it. Screenshots for the README are saved to docs/screenshots/ (see conftest.Page.shot)."""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.conftest import Receiver, RunningStack
from tests.e2e.console.conftest import Page

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
TASK_URL = re.compile(r"/tasks/task-[0-9a-f]{12}$")


def api(stack: RunningStack, method: str, path: str, **kwargs: Any) -> Any:
    response = requests.request(method, f"{stack.api_url}{path}", timeout=10, **kwargs)
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


def wait_for(what: str, check: Any, timeout: float = 40, every: float = 0.3) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def wait_running(stack: RunningStack, task_id: str) -> None:
    wait_for(f"{task_id} running", lambda: api(stack, "GET", f"/tasks/{task_id}")["status"] == "running")


def test_submit_watch_progress_live_open_the_article_and_approve_it(console_stack, page: Page):
    tab = page.open("/tasks")
    tab.fill("#submit-form input[name=topic]", "Console: live progress")
    tab.fill("#submit-form input[name=keywords]", "AI, operations")
    tab.select_option("#submit-form select[name=auto_approve]", "false")
    tab.click("#submit-form button[type=submit]")
    tab.wait_for_url(TASK_URL)
    task_id = tab.url.rsplit("/", 1)[-1]
    loaded = page.navigations
    seen: list[tuple[str, int]] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status = tab.text_content("[data-field=status]", timeout=2000) or ""
            progress = int(tab.get_attribute("[data-field=progress]", "value", timeout=2000) or 0)
        except Exception:  # the page reloads once when the task ends
            continue
        if not seen or seen[-1] != (status, progress):
            seen.append((status, progress))
        if status == "running" and 0 < progress < 100 and page.navigations == loaded:
            page.shot("task-running")
        if status == "succeeded":
            break
        time.sleep(0.15)
    assert seen[-1][0] == "succeeded", seen
    live = [(s, p) for s, p in seen if s == "running" and 0 < p < 100]
    assert len({p for _, p in live}) >= 2, f"progress did not move live: {seen}"
    assert page.navigations <= loaded + 1  # only the one reload when it ended
    tab.wait_for_selector("#content-link")
    page.shot("task-detail")

    tab.click("#content-link")
    tab.wait_for_selector("#article h1")
    assert "Console: live progress" in (tab.text_content("#article h1") or "")
    assert tab.text_content("#content-status") == "draft"
    page.shot("article")
    tab.fill("form[action$='/approve'] input[name=note]", "reads well")
    tab.click("form[action$='/approve'] button")
    tab.wait_for_selector(".flash.ok")
    assert tab.text_content("#content-status") == "approved"
    content = api(console_stack, "GET", f"/contents/{api(console_stack, 'GET', f'/tasks/{task_id}')['content_id']}")
    assert content["status"] == "approved" and content["review_note"] == "reads well"


def test_cancel_a_running_task_then_retry_it_from_the_list(console_stack, page: Page):
    task = api(console_stack, "POST", "/tasks", json={"account_id": 49, "topic": "Console: cancel me"})
    task_id = task["task_id"]
    wait_running(console_stack, task_id)
    tab = page.open("/tasks")
    row = f"tr[data-task-id='{task_id}']"
    tab.check(f"{row} input[type=checkbox]")
    tab.click("button[value=cancel]")
    tab.wait_for_selector(".flash.ok")
    assert page.dialogs[-1] == "Cancel 1 selected tasks?"
    assert tab.text_content(f"{row} [data-field=status]") == "cancelled"
    tab.check(f"{row} input[type=checkbox]")
    tab.click("button[value=retry]")
    tab.wait_for_selector(".flash.ok")
    assert tab.text_content(f"{row} [data-field=attempt]") == "2"
    tab.wait_for_selector(f"{row} [data-field=status].succeeded", timeout=60_000)  # live, no reload
    done = api(console_stack, "GET", f"/tasks/{task_id}")
    assert done["attempt"] == 2 and done["history"][0]["status"] == "cancelled"
    page.shot("tasks")


def test_create_a_schedule_with_a_live_preview_and_run_it(console_stack, page: Page):
    tab = page.open("/schedules")
    tab.fill("#schedule-form input[name=name]", "Console weekday digest")
    tab.fill("#schedule-form input[name=cron]", "61 9 * * *")
    tab.wait_for_selector("#preview-error")
    tab.fill("#schedule-form input[name=cron]", "30 9 * * 1-5")
    # (Playwright's wait_for_function evaluates a string: the console's CSP refuses that, so poll from here.)
    times = tab.locator("#fire-times li")
    expect(times).to_have_count(5)
    tab.fill("#schedule-form input[name=timezone]", "Asia/Shanghai")
    expect(times.first).to_contain_text("T09:30:00+08:00")
    assert all("T09:30:00+08:00" in t for t in times.all_text_contents())
    tab.fill("#schedule-form input[name=topics]", "scheduled from the console")
    page.shot("schedules")
    tab.click("#schedule-form button[type=submit]")
    tab.wait_for_selector(".flash.ok")
    row = tab.locator("tr[data-schedule-id]", has_text="Console weekday digest")
    schedule_id = row.get_attribute("data-schedule-id")
    assert "paused" not in (row.text_content() or "")
    row.locator("form[action$='/run'] button").click()
    tab.wait_for_selector(".flash.ok >> text=fired now")
    created = wait_for("the firing's task", lambda: [
        t for t in api(console_stack, "GET", "/tasks", params={"account_id": 49, "limit": 50})["tasks"]
        if t["source"] == f"schedule:{schedule_id}"
    ])  # fmt: skip
    assert created[0]["topic"] == "scheduled from the console"
    tab.locator(f"tr[data-schedule-id='{schedule_id}'] form[action$='/delete'] button").click()
    tab.wait_for_selector(".flash.ok >> text=deleted")
    assert tab.locator(f"tr[data-schedule-id='{schedule_id}']").count() == 0


def test_see_a_dead_webhook_delivery_with_its_attempts_and_redeliver_it(console_stack, receiver: Receiver,
                                                                        page: Page):  # fmt: skip
    task = api(console_stack, "POST", "/tasks", json={"account_id": 49, "topic": "Console: dead webhook"})
    task_id = task["task_id"]
    receiver.respond[task_id] = [500]  # every attempt fails: 1 + 2 retries (SHARED_CONTEXT), then dead
    dead = wait_for("a dead delivery", lambda: [
        d for d in api(console_stack, "GET", "/webhooks/deliveries", params={"status": "dead"})["deliveries"]
        if d["task_id"] == task_id
    ], timeout=60)  # fmt: skip
    delivery_id = dead[0]["delivery_id"]
    tab = page.open("/webhooks?status=dead")
    row = f"tr[data-delivery-id='{delivery_id}']"
    attempts = tab.locator(f"{row} ol.attempts li").all_text_contents()
    assert len(attempts) == 3 and all(re.search(r" · 500 · \d+ ms", a) for a in attempts), attempts
    page.shot("webhooks")
    receiver.respond[task_id] = [200]
    tab.click(f"{row} button")
    tab.wait_for_selector(".flash.ok")
    receiver.wait_for(task_id, 4)
    wait_for("delivered", lambda: any(
        d["delivery_id"] == delivery_id
        for d in api(console_stack, "GET", "/webhooks/deliveries", params={"status": "delivered"})["deliveries"]
    ))  # fmt: skip


def _submit_until(page: Page, refused: bool, timeout: float = 20) -> str:
    """Submit from the console until it is refused (or accepted); the flash or the task URL."""
    deadline = time.monotonic() + timeout
    tab = page.tab
    while time.monotonic() < deadline:
        page.open("/tasks")
        tab.fill("#submit-form input[name=topic]", "Console: kill switch")
        tab.click("#submit-form button[type=submit]")
        tab.wait_for_load_state()
        if refused and tab.locator(".flash.error").count():
            return tab.text_content(".flash.error") or ""
        if not refused and TASK_URL.search(tab.url):
            return tab.url
        time.sleep(0.5)
    raise AssertionError(f"submits were not {'refused' if refused else 'accepted'} within {timeout} s")


def test_the_kill_switch_refuses_submits_with_503_then_resume(console_stack, page: Page):
    tab = page.open("/health")
    tab.click("#pause")
    tab.wait_for_selector(".flash.ok")
    assert page.dialogs[-1] == "Change the live controls?"
    assert tab.text_content("#generation-state") == "paused (503)"
    page.shot("health")
    try:
        started = time.monotonic()
        message = _submit_until(page, refused=True)
        assert "HTTP 503" in message and "disabled" in message and time.monotonic() - started < 20
    finally:
        tab = page.open("/health")
        tab.click("#resume")
        tab.wait_for_selector(".flash.ok")
    assert tab.text_content("#generation-state") == "accepted"
    _submit_until(page, refused=False)
    history = page.open("/health").text_content("#control-history") or ""
    assert "generation_enabled true → false" in history and "generation_enabled false → true" in history


def test_redrive_a_dead_lettered_intake_message(console_stack, page: Page):
    task = api(console_stack, "POST", "/tasks", json={"account_id": 49, "topic": "Console: dead letter"})
    task_id = task["task_id"]
    wait_for("done", lambda: api(console_stack, "GET", f"/tasks/{task_id}")["status"] == "succeeded", timeout=60)
    sqs = console_stack.client("sqs")
    # Its intake message, dead-lettered (as after three failed deliveries of a duplicate copy).
    sqs.send_message(QueueUrl=console_stack.outputs["IntakeDlqUrl"], MessageBody=json.dumps(
        {"task_id": task_id, "attempt": 1}))  # fmt: skip
    tab = page.open("/dlq")
    assert tab.text_content("tr[data-queue=intake] [data-field=count]") == "1"
    tab.click("tr[data-queue=intake] a")
    row = tab.locator("tr[data-message-id]", has_text=task_id)
    assert "succeeded" in (row.text_content() or "")
    page.shot("dead-letters")
    row.locator("input[type=checkbox]").check()
    tab.click("#redrive-selected")
    tab.wait_for_selector(".flash.ok >> text=sent back")
    assert page.dialogs[-1] == "Redrive 1 selected messages?"
    wait_for("the DLQ empty", lambda: api(console_stack, "GET", "/dlq")["queues"][0]["count"] == 0)
    time.sleep(2)  # the dispatcher takes the redriven message
    sfn = console_stack.client("stepfunctions")
    machine = console_stack.outputs["StateMachineArn"]
    names = [e["name"] for e in sfn.list_executions(stateMachineArn=machine)["executions"]]
    assert names.count(task_id) == 1  # the task ran once, and stays succeeded
    assert api(console_stack, "GET", f"/tasks/{task_id}")["status"] == "succeeded"


def test_a_script_injection_article_renders_inert(console_stack, page: Page):
    topic = ('<script>window.pwned=1</script><img src=x onerror="window.pwned=2"> '
             "[click](javascript:window.pwned=3)")  # fmt: skip
    task = api(console_stack, "POST", "/tasks", json={"account_id": 49, "topic": topic,
                                                      "keywords": ["<svg/onload=window.pwned=4>"]})  # fmt: skip
    done = wait_for("done", lambda: (t := api(console_stack, "GET", f"/tasks/{task['task_id']}"))["status"]
                    == "succeeded" and t, timeout=60)  # fmt: skip
    tab = page.open(f"/contents/{done['content_id']}")
    tab.wait_for_selector("#article")
    tab.hover("#article")
    tab.wait_for_timeout(500)
    assert tab.evaluate("window.pwned") is None and not page.dialogs
    found = tab.evaluate("""() => ({
        scripts: document.querySelectorAll('#article script, #content-title script').length,
        handlers: [...document.querySelectorAll('*')]
            .filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
        jsLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
        svgs: document.querySelectorAll('#article svg').length,
    })""")  # fmt: skip
    assert found == {"scripts": 0, "handlers": 0, "jsLinks": 0, "svgs": 0}
    assert "<script>window.pwned=1</script>" in (tab.text_content("#article") or "")  # shown as text
    page.shot("article-injection")


class _Attacker:
    """Another origin (another port): a page that auto-submits a form to the console."""

    def __init__(self, target: str) -> None:
        html = f"""<html><body><form id="f" method="post" action="{target}/controls">
<input name="generation_enabled" value="false"><input name="csrf_token" value="guessed"></form>
<script>document.getElementById('f').submit()</script></body></html>""".encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(html)))
                self.end_headers()
                self.wfile.write(html)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"


def test_a_cross_site_post_is_refused(console_stack, console, page: Page):
    page.open("/health")  # the operator has a session
    attacker = _Attacker(console.url)
    try:
        with page.tab.expect_response(f"{console.url}/controls") as answer:
            page.tab.goto(attacker.url)
        assert answer.value.status == 403
        assert "cross-site request refused" in (page.tab.text_content("body") or "")
    finally:
        attacker.server.shutdown()
    assert api(console_stack, "GET", "/controls")["generation_enabled"] is True
    tab = page.open("/health")
    statuses = tab.evaluate("""async () => {
        const post = (headers, body) => fetch('/controls', {method: 'POST', headers, body}).then(r => r.status);
        const form = {'Content-Type': 'application/x-www-form-urlencoded'};
        return [await post(form, 'generation_enabled=false'),
                await post(form, 'generation_enabled=false&csrf_token=wrong'),
                await post({...form, 'X-CSRF-Token': 'wrong'}, 'generation_enabled=false')];
    }""")  # fmt: skip
    assert statuses == [403, 403, 403]
    assert api(console_stack, "GET", "/controls")["generation_enabled"] is True
