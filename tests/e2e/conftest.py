"""The local stack, started exactly as a user starts it (`python -m contenthub_local`), in a
subprocess, once per test session. Tests talk to it over HTTP and to moto with boto3."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from contenthub.resources import Principal, environment_from_outputs
from tests.conftest import FAKE_CREATOR, SHARED_CONTEXT
from tests.e2e import invariants

ROOT = Path(__file__).resolve().parents[2]
FAIL_PREFIX = "FAIL:"


@dataclass
class RunningStack:
    api_url: str
    endpoint: str
    outputs: dict[str, str]
    log_dir: Path
    mode: str = "poll"
    runner_pids: list[int] = field(default_factory=list)
    runner_credentials: dict[str, str] = field(default_factory=dict)  # the runner's role (IAM-evaluated)

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.endpoint, region_name="us-east-1")

    def submit(self, **body: Any) -> dict[str, Any]:
        payload = {"account_id": 49, "topic": "AI trends", "keywords": ["AI", "machine learning"], **body}
        response = requests.post(f"{self.api_url}/tasks", json=payload, timeout=10)
        assert response.status_code == 202, response.text
        return response.json()

    def task(self, task_id: str) -> dict[str, Any]:
        response = requests.get(f"{self.api_url}/tasks/{task_id}", timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def wait_until_done(self, task_id: str, timeout: float = 60) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Poll until the task is terminal; return it and every distinct state seen on the way."""
        seen: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            task = self.task(task_id)
            state = (task["status"], task["progress"], task["stage"])
            if not seen or state != (seen[-1]["status"], seen[-1]["progress"], seen[-1]["stage"]):
                seen.append(task)
            if task["status"] not in ("pending", "running"):
                return task, seen
            time.sleep(0.1)
        raise AssertionError(f"task {task_id} did not finish in {timeout}s; last seen {seen[-1] if seen else None}")

    def content(self, content_id: str) -> dict[str, Any]:
        table = boto3.resource("dynamodb", endpoint_url=self.endpoint, region_name="us-east-1").Table(
            self.outputs["ContentsTable"]
        )
        return table.get_item(Key={"content_id": content_id}).get("Item")  # type: ignore[return-value]


class Receiver:
    """A real webhook receiver on localhost. It answers 200 unless told otherwise for a task:
    `respond[task_id] = [500, 500, 200]` answers those statuses in turn (the last one repeats);
    SLOW answers 200 only after the sender's timeout (SHARED_CONTEXT's WEBHOOK_TIMEOUT) has passed;
    DRIP sends a 200 one byte a second (38 s for the whole answer)."""

    SLOW = -1
    DRIP = -2

    def __init__(self, port: int = 0) -> None:
        self.received: list[dict[str, Any]] = []
        self.respond: dict[str, list[int]] = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                task_id = json.loads(body)["data"]["task_id"]
                with receiver.lock:
                    receiver.received.append(
                        {
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                            "body": body,
                            "task_id": task_id,
                            "at": time.time(),
                        }
                    )
                    plan = receiver.respond.get(task_id, [200])
                    status = plan.pop(0) if len(plan) > 1 else plan[0]
                if status == Receiver.SLOW:
                    time.sleep(float(SHARED_CONTEXT["WEBHOOK_TIMEOUT"]) + 1)
                    status = 200
                if status == Receiver.DRIP:
                    self.close_connection = True
                    try:
                        for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n":
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(1)
                    except OSError:
                        pass  # the sender hung up
                    return
                self.send_response(status)
                if status in (429, 503):
                    self.send_header("Retry-After", "1")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def for_task(self, task_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [r for r in self.received if r["task_id"] == task_id]

    def wait_for(self, task_id: str, count: int, timeout: float = 30) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.for_task(task_id)
            if len(got) >= count:
                return got
            time.sleep(0.1)
        raise AssertionError(f"receiver got {len(self.for_task(task_id))} of {count} deliveries for {task_id}")


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def start_stack(
    workdir: Path,
    context: list[str],
    runners: int = 1,
    runner_env: list[str] = (),  # type: ignore[assignment]
    check_invariants: bool = True,
) -> Iterator[RunningStack]:
    """Start `python -m contenthub_local` with the given `-c KEY=VALUE` context; stop it after,
    once tests/e2e/invariants.py holds for everything the session's tests did on it."""
    outputs_file = workdir / "outputs.json"
    log_path = workdir / "local-stack.log"
    env = {
        **os.environ,
        "OFFLINE_CREATOR_FAIL_PATTERN": f"^{FAIL_PREFIX}",
        "OFFLINE_CREATOR_DURATION": "0.4",
        "PYTHONUNBUFFERED": "1",
        "FAKE_CREATOR_STATE": str(workdir / "fake-creator"),
    }
    args = [sys.executable, "-m", "contenthub_local", "--port", "0", "--outputs-file", str(outputs_file),
            "--runners", str(runners)]  # fmt: skip
    for item in context:
        args += ["-c", item]
    for item in runner_env:
        args += ["--runner-env", item]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 300
        while not outputs_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"the local stack did not start:\n{log_path.read_text()[-5000:]}")
            time.sleep(0.5)
        info = json.loads(outputs_file.read_text())
        stack = RunningStack(info.pop("api_url"), info.pop("endpoint"), info, Path(info.pop("log_dir")))
        stack.runner_pids = info.pop("runner_pids")
        stack.runner_credentials = info.pop("runner_credentials", {})
        from contenthub_local.__main__ import ensure_demo_account

        ensure_demo_account(stack.api_url)  # the account the tests submit for
        try:
            yield stack
            if check_invariants:
                invariants.check(stack)
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


SHARED = [f"{key}={value}" for key, value in SHARED_CONTEXT.items()]


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory, receiver: Receiver) -> Iterator[RunningStack]:
    """Poll mode (the default); account 49's webhook is the test receiver."""
    for stack in start_stack(tmp_path_factory.mktemp("local-stack"), SHARED):
        response = requests.patch(f"{stack.api_url}/accounts/49", json={"webhook_url": receiver.url}, timeout=10)
        assert response.status_code == 200, response.text
        yield stack


@pytest.fixture(scope="session")
def fuzz_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """Its own stack (same synth): the fuzzer's accounts, tasks and schedules stay out of the others' way."""
    yield from start_stack(tmp_path_factory.mktemp("fuzz-stack"), SHARED)


@pytest.fixture(scope="session")
def callback_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """Callback mode: DispatchJob waits for the runner's task token."""
    yield from start_stack(tmp_path_factory.mktemp("callback-stack"), ["COMPLETION_MODE=callback"])


@pytest.fixture(params=["poll", "callback"])
def any_stack(request: pytest.FixtureRequest) -> RunningStack:
    """Both completion modes pass the same tests."""
    stack: RunningStack = request.getfixturevalue("local_stack" if request.param == "poll" else "callback_stack")
    stack.mode = request.param
    return stack


@pytest.fixture(scope="session")
def cli_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The `cli` creator in async mode (the old system's default), with two runners. The creator
    settings are the runners' own, so the stack reuses local_stack's synth (the cap and runner
    slots are live controls, deployed values: a runner's environment does not change them)."""
    yield from start_stack(
        tmp_path_factory.mktemp("cli-stack"),
        SHARED,
        runners=2,
        runner_env=[
            "CREATOR_KIND=cli",
            f"CREATOR_CLI_PATH={FAKE_CREATOR}",
            "CREATOR_MODE=async",
        ],
    )


@pytest.fixture(scope="session")
def bare_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """A stack with no runner of its own: tests start runners with the creator they exercise.
    (Same context as local_stack, so its synth is reused from the cache.)"""
    # Tests start and stop its runners themselves; what they leave running is theirs to check.
    yield from start_stack(tmp_path_factory.mktemp("bare-stack"), SHARED, runners=0, check_invariants=False)


def runner_process(stack: RunningStack, log: Path, **env: str) -> subprocess.Popen[bytes]:
    """Start `python -m contenthub_runner` against the stack, as the local stack does."""
    full_env = {
        **os.environ,
        "AWS_ENDPOINT_URL": stack.endpoint, "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
        **stack.runner_credentials, **environment_from_outputs(stack.outputs, Principal.RUNNER),
        "RUNNER_HEARTBEAT_SECONDS": "2",
        "ASYNC_POLL_INTERVAL": "1", "PYTHONUNBUFFERED": "1", **env,
    }  # fmt: skip
    handle = open(log, "ab")  # noqa: SIM115 - closed with the process
    return subprocess.Popen([sys.executable, "-m", "contenthub_runner"], env=full_env, stdout=handle, stderr=handle)
