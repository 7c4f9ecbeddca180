"""A real HTTP server on 127.0.0.1 (a free port) that answers canned responses, and the CLI run
in-process against it (click's CliRunner)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner, Result

from contenthub_cli.app import cli

Reply = tuple[int, Any] | tuple[int, Any, dict[str, str]]


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class FakeApi:
    """Routes (method, path) to a queue of replies; the last reply repeats. Records every request."""

    url: str = ""
    routes: dict[tuple[str, str], list[Reply]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    def on(self, method: str, path: str, *replies: Reply) -> None:
        self.routes[(method, path)] = list(replies)

    def reply(self, method: str, path: str) -> Reply:
        queue = self.routes.get((method, path))
        if not queue:
            return 404, {"error": {"code": "not_found", "message": f"no route {method} {path}"}}
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def requests(self, method: str | None = None, path: str | None = None) -> list[Seen]:
        return [s for s in self.seen if (method in (None, s.method)) and (path in (None, s.path))]


def _handler(api: FakeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            api.seen.append(
                Seen(
                    self.command,
                    parts.path,
                    {k: v[0] for k, v in parse_qs(parts.query).items()},
                    dict(self.headers.items()),
                    json.loads(raw) if raw else None,
                )
            )
            status, body, *rest = api.reply(self.command, parts.path)
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            for name, value in (rest[0] if rest else {}).items():
                self.send_header(name, value)
            if data:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return Handler


@pytest.fixture
def api() -> Iterator[FakeApi]:
    fake = FakeApi()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No user config, no CONTENTHUB_* or NO_COLOR from the machine running the tests."""
    for name in (
        "CONTENTHUB_ENDPOINT",
        "CONTENTHUB_PROFILE",
        "CONTENTHUB_REGION",
        "CONTENTHUB_RETRIES",
        "CONTENTHUB_TIMEOUT",
        "CONTENTHUB_SIGN",
        "CONTENTHUB_AWS_PROFILE",
        "NO_COLOR",
        "FORCE_COLOR",
    ):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "config.toml"
    monkeypatch.setenv("CONTENTHUB_CONFIG", str(config))
    return config


@pytest.fixture
def run(api: FakeApi):
    """`run("task", "status", "x")`: the CLI against the fake API; returns click's Result."""

    def invoke(*args: str, env: dict[str, str] | None = None, endpoint: bool = True) -> Result:
        argv = (["--endpoint", api.url] if endpoint else []) + list(args)
        return CliRunner().invoke(cli, argv, env=env, catch_exceptions=False)

    return invoke


def task(task_id: str = "task-abc123def456", status: str = "succeeded", **fields: Any) -> dict[str, Any]:
    return {
        "task_id": task_id,
        "account_id": 49,
        "status": status,
        "topic": "人工智能发展趋势",
        "keywords": ["AI", "机器学习"],
        "auto_approve": True,
        "progress": 100 if status == "succeeded" else 40,
        "stage": None,
        "attempt": 1,
        "error": None,
        "content_id": "content-abc123def456-1" if status == "succeeded" else None,
        "source": "api",
        "created_at": "2026-11-30T08:00:00Z",
        "updated_at": "2026-11-30T08:01:00Z",
        "started_at": "2026-11-30T08:00:01Z",
        "finished_at": "2026-11-30T08:01:00Z" if status != "running" else None,
        "history": [],
        **fields,
    }
