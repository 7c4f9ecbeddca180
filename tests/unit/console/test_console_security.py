"""The console's defences, over real HTTP: loopback Host only, a CSRF token and a same-origin
request for every change, a strict CSP on every answer, and model output rendered inert."""

from __future__ import annotations

import re

import requests

from contenthub_console.render import article_html
from tests.unit.cli.conftest import task
from tests.unit.console.conftest import FakeApi

HOSTILE = """# Title

<script>alert(1)</script>
<img src="x" onerror="alert(2)">
[click me](javascript:alert(3))
<a href="javascript:alert(4)">raw link</a>
![pixel](https://tracker.example.com/p.gif)
[fine](https://example.com/ok)
"""


def session_and_token(console) -> tuple[requests.Session, str]:
    browser = requests.Session()
    page = browser.get(f"{console.url}/tasks", timeout=10)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert page.status_code == 200 and token
    return browser, token.group(1)


def test_another_host_header_is_refused(api: FakeApi, console):
    api.on("GET", "/tasks", (200, {"tasks": [], "next_cursor": None}))
    rebound = requests.get(f"{console.url}/tasks", headers={"Host": f"attacker.example:{console.port}"}, timeout=10)
    assert rebound.status_code == 421 and not api.requests("GET", "/tasks")
    assert requests.get(f"http://localhost:{console.port}/tasks", timeout=10).status_code == 200


def test_every_answer_has_a_strict_csp_and_pages_have_no_inline_script(api: FakeApi, console):
    api.on("GET", "/tasks", (200, {"tasks": [task(status="running")], "next_cursor": None}))
    page = requests.get(f"{console.url}/tasks", timeout=10)
    csp = page.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'",
                      "frame-ancestors 'none'"):  # fmt: skip
        assert directive in csp
    assert "unsafe-inline" not in csp and page.headers["X-Frame-Options"] == "DENY"
    assert "HttpOnly" in page.headers["Set-Cookie"] and "SameSite=Strict" in page.headers["Set-Cookie"]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, flags=re.S)
    assert scripts and all('src="/static/' in attrs and not body.strip() for attrs, body in scripts)
    assert not re.search(r"\son[a-z]+=", page.text)  # no inline event handlers either
    refused = requests.get(f"{console.url}/tasks", headers={"Host": "evil.example"}, timeout=10)
    assert "Content-Security-Policy" in refused.headers


def test_a_change_needs_the_sessions_csrf_token_and_the_same_origin(api: FakeApi, console):
    api.on("GET", "/tasks", (200, {"tasks": [], "next_cursor": None}))
    api.on("POST", "/tasks/task-abc123def456/cancel", (200, task(status="cancelled")))
    browser, token = session_and_token(console)
    url = f"{console.url}/tasks/task-abc123def456/cancel"
    assert browser.post(url, data={}, allow_redirects=False, timeout=10).status_code == 403
    assert browser.post(url, data={"csrf_token": "forged"}, allow_redirects=False, timeout=10).status_code == 403
    other = requests.post(url, data={"csrf_token": token}, allow_redirects=False, timeout=10)  # no session cookie
    assert other.status_code == 403
    foreign = browser.post(url, data={"csrf_token": token}, headers={"Origin": "https://evil.example"},
                           allow_redirects=False, timeout=10)  # fmt: skip
    assert foreign.status_code == 403
    cross = browser.post(url, data={"csrf_token": token}, headers={"Sec-Fetch-Site": "cross-site"},
                         allow_redirects=False, timeout=10)  # fmt: skip
    assert cross.status_code == 403
    assert not api.requests("POST")  # none of those reached the API
    done = browser.post(url, data={"csrf_token": token}, headers={"Origin": console.url}, allow_redirects=False,
                        timeout=10)  # fmt: skip
    assert done.status_code == 303 and done.headers["Location"] == "/tasks/task-abc123def456"
    assert len(api.requests("POST", "/tasks/task-abc123def456/cancel")) == 1
    by_header = browser.post(url, headers={"X-CSRF-Token": token}, allow_redirects=False, timeout=10)
    assert by_header.status_code == 303


def test_redirects_never_leave_the_console(api: FakeApi, console):
    api.on("GET", "/tasks", (200, {"tasks": [], "next_cursor": None}))
    api.on("POST", "/tasks/task-abc123def456/retry", (202, task(status="pending")))
    browser, token = session_and_token(console)
    for target in ("https://evil.example/", "//evil.example/x"):
        answer = browser.post(f"{console.url}/tasks/task-abc123def456/retry", data={"csrf_token": token,
                              "next": target}, allow_redirects=False, timeout=10)  # fmt: skip
        assert answer.headers["Location"] == "/tasks/task-abc123def456"


def test_model_output_renders_inert():
    html = article_html(HOSTILE)
    assert "<h1>Title</h1>" in html
    assert "<script" not in html  # raw HTML in the Markdown is shown as text
    assert not re.search(r"<[a-z]+[^>]*\son\w+=", html)  # no element carries an event handler
    assert not re.search(r"<a[^>]*href=\"javascript:", html)  # no javascript: link
    assert '<a href="https://example.com/ok" rel="noopener noreferrer nofollow">fine</a>' in html
    assert "&lt;script&gt;" in html  # shown as text, not run


def test_a_content_page_shows_the_hostile_article_as_text(api: FakeApi, console):
    content = {"content_id": "content-abc123def456-1", "account_id": 49, "generation_task_id": "task-abc123def456",
               "title": "<b>title</b>", "status": "draft", "body": HOSTILE,
               "created_at": "x", "updated_at": "x"}  # fmt: skip
    api.on("GET", "/contents/content-abc123def456-1", (200, content))
    page = requests.get(f"{console.url}/contents/content-abc123def456-1", timeout=10)
    assert page.status_code == 200
    assert "&lt;b&gt;title&lt;/b&gt;" in page.text and "<script>alert(1)</script>" not in page.text
    assert not re.search(r"<img[^>]*onerror", page.text)


def test_pages_answer_json_for_the_consoles_own_use(api: FakeApi, console):
    api.on("GET", "/tasks", (200, {"tasks": [task(status="running")], "next_cursor": None}))
    data = requests.get(f"{console.url}/tasks", params={"status": "running", "format": "json"}, timeout=10).json()
    assert data["tasks"][0]["task_id"] == "task-abc123def456"
    assert api.requests("GET", "/tasks")[-1].query["status"] == "running"
    api.on("GET", "/tasks/task-000000000000", (404, {"error": {"code": "task_not_found", "message": "no task"}}))
    missing = requests.get(f"{console.url}/tasks/task-000000000000", headers={"Accept": "application/json"},
                           timeout=10)  # fmt: skip
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "task_not_found"
    page = requests.get(f"{console.url}/tasks/task-000000000000", timeout=10)
    assert page.status_code == 404 and "no task" in page.text
