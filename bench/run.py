"""`make bench`: measure on the local stack, print, and write docs/benchmarks.md.

Everything here is measured in one run, side by side:
- cold start: each function's import time ÷ a bare `import boto3`; package and layer sizes;
- submit latency over the local HTTP API (p50/p99), and the submit handler's time ÷ the bare
  DynamoDB put + SQS send it must do (the floor), in-process against the same moto server;
- orchestration per task for generation times of 1, 5 and 20 minutes, time-scaled (SCALE real
  seconds = 1 local second), for a fixed 30 s poll (the old system), our poll mode (learned first
  wait) and callback mode: state transitions and Lambda/DynamoDB/SQS work from the real execution
  histories, completion lag (runner done → task succeeded), and the modelled AWS cost per 1,000 tasks;
- a load run: N tasks from C concurrent clients through the HTTP API (offline creator): all
  succeed, one content each, throughput, peak memory of the local stack;
- a filtered list over 10,000 tasks (status + an account that has none of them): DynamoDB requests
  per page and time per page, and the walk to the last page.

    python -m bench [--load-tasks 1000] [--clients 50] [--skip-load] [--skip-orchestration]
    python -m bench --only filtered-list [--filtered-tasks 10000]   # one section; the rest of the
                                                                    # report is kept from the last run
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import math
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import requests

from bench import pricing
from contenthub.dal.counters import SHARDS
from contenthub.dal.items import av
from contenthub_local import moto_seams
from contenthub_local.stack import LocalStack
from infra.constants import BUILD_DIR, FUNCTIONS_DIR, ROOT
from tests.e2e import invariants

REPORT = ROOT / "docs" / "benchmarks.md"
SCALE = 30  # real seconds per local second: a 30 s poll interval becomes 1 s
GENERATION_MINUTES = [1, 5, 20]
# A quota applies (the submit checks and counts it in its transaction), high enough for every run.
ACCOUNT: dict[str, Any] = {"account_id": 49, "name": "bench", "topics": ["AI", "cloud"], "daily_quota": 100_000}


def fresh_stack(**options: Any) -> LocalStack:
    """A LocalStack in this process: moto's backends are process-wide, so the previous stack's
    resources are cleared first."""
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()
    return LocalStack(**options)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# -- cold start and sizes ------------------------------------------------------------------------
# Third-party imports, in the order a breakdown charges them (a module two groups share is charged
# to the first): the runtime's boto3, then pydantic, then Powertools, then anything else.
LIBRARY_GROUPS = {
    "boto3": ("boto3", "botocore", "s3transfer", "urllib3", "dateutil", "jmespath", "six", "certifi"),
    "pydantic": ("pydantic", "pydantic_core", "annotated_types", "typing_inspection", "typing_extensions"),
    "Powertools": ("aws_lambda_powertools", "aws_xray_sdk", "wrapt"),
}
OURS = ("contenthub", "handler")


def _lambda_env(path: list[str], tracing: bool) -> dict[str, str]:
    """As on Lambda: LAMBDA_TASK_ROOT set, X-Ray tracing on or off, every resource named."""
    from contenthub.resources import RESOURCES

    resources = {r.env: f"bench-{r.env.lower()}" for r in RESOURCES}  # a handler checks them at import
    return {**os.environ, **resources, "PYTHONPATH": os.pathsep.join(path), "AWS_DEFAULT_REGION": "us-east-1",
            "LAMBDA_TASK_ROOT": "/var/task", "POWERTOOLS_TRACE_DISABLED": "false" if tracing else "true"}  # fmt: skip


def _import_seconds(code: str, path: list[str], runs: int = 5, tracing: bool = False) -> float:
    """Median wall time of an import in a fresh interpreter (what a cold start pays)."""
    probe = f"import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)"
    env = _lambda_env(path, tracing)
    samples = [
        float(
            subprocess.run(
                [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
            ).stdout.split()[-1]
        )  # fmt: skip
        for _ in range(runs)
    ]
    return statistics.median(samples)


def _import_breakdown(path: list[str], runs: int = 5) -> dict[str, float]:
    """Where a function's import goes: each library group's modules imported in a fresh
    interpreter one group after another (median seconds per group), and the rest (our code and the
    standard library modules only it needs) as `ours` = the whole import − the groups."""
    env = _lambda_env(path, tracing=False)
    listing = ("import sys, json; before = set(sys.modules); import handler; "
               "print(json.dumps([m for m in sys.modules if m not in before]))")  # fmt: skip
    loaded = json.loads(subprocess.run([sys.executable, "-c", listing], env=env, capture_output=True, text=True,
                                       check=True).stdout.splitlines()[-1])  # fmt: skip
    groups = {name: [m for m in loaded if m.split(".")[0] in tops] for name, tops in LIBRARY_GROUPS.items()}
    known = {top for tops in LIBRARY_GROUPS.values() for top in tops} | set(OURS) | set(sys.stdlib_module_names)
    groups["other libraries"] = [m for m in loaded if m.split(".")[0] not in known and not m.startswith("_")]
    probe = "import importlib, json, time\ntimes = {}\n"
    for name, modules in groups.items():
        probe += (f"t = time.perf_counter()\nfor m in {modules!r}:\n    try: importlib.import_module(m)\n"
                  f"    except Exception: pass\ntimes[{name!r}] = time.perf_counter() - t\n")  # fmt: skip
    probe += (
        "t = time.perf_counter()\nimport handler\ntimes['ours'] = time.perf_counter() - t\nprint(json.dumps(times))"
    )
    samples = [json.loads(subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True,
                                         check=True).stdout.splitlines()[-1]) for _ in range(runs)]  # fmt: skip
    return {name: statistics.median(s[name] for s in samples) for name in samples[0]}


def _zip_size(folder: Path) -> int:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archive.write(file, file.relative_to(folder))
    return buffer.tell()


def cold_start() -> dict[str, Any]:
    """Each function as deployed (its package and the shared layer, with their bytecode); the local
    venv's packages stand in for the deps layer (its wheels are for Linux ARM)."""
    from infra.layers import build_deps_layer, build_function_package, build_shared_layer

    shared, deps = build_shared_layer() / "python", build_deps_layer() / "python"
    baseline = _import_seconds("import boto3", [])
    rows = []
    for folder in sorted(p for p in FUNCTIONS_DIR.iterdir() if (p / "handler.py").exists()):
        package = build_function_package(folder.name)
        path = [str(package), str(shared)]
        seconds = _import_seconds("import handler", path)
        traced = _import_seconds("import handler", path, tracing=True)
        rows.append({"function": folder.name, "import_s": seconds, "ratio": seconds / baseline,
                     "traced_s": traced, "traced_ratio": traced / baseline, "breakdown_s": _import_breakdown(path),
                     "package_kb": _zip_size(package) / 1024})  # fmt: skip
    return {
        "baseline_boto3_s": baseline,
        "functions": rows,
        "layers_kb": {"shared": _zip_size(shared.parent) / 1024, "deps": _zip_size(deps.parent) / 1024},
    }


# -- submit latency and the floor ------------------------------------------------------------------
def quiet(stack: LocalStack) -> None:
    """Stop the intake consumer: submitted tasks stay pending, so nothing else runs while the
    submit path is measured (with a runner-less stack, executions would poll forever)."""
    for poller in stack.pollers:
        poller.stop()


def submit_latency(stack: LocalStack, count: int = 200) -> dict[str, Any]:
    session = requests.Session()
    samples = []
    for i in range(count):
        started = time.perf_counter()
        response = session.post(f"{stack.api_url}/tasks", json={"account_id": 49, "topic": f"latency {i}"}, timeout=30)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 202, response.text
    return {"count": count, "p50_ms": percentile(samples, 50) * 1000, "p99_ms": percentile(samples, 99) * 1000}


def handler_vs_floor(stack: LocalStack, count: int = 200) -> dict[str, Any]:
    """The submit handler in this process (same moto server) vs the writes it must do (the floor:
    the task and the account's usage under its quota, in one transaction, and the enqueue), and vs
    those writes plus the counter shards it also writes (the same transaction + send, without our
    code)."""
    os.environ.update(stack.aws_env())
    from contenthub.resources import Principal, environment_from_outputs

    os.environ.update(environment_from_outputs(stack.outputs, Principal.SUBMIT))  # as the stack sets them
    os.environ["POWERTOOLS_TRACE_DISABLED"] = "true"
    os.environ["POWERTOOLS_METRICS_NAMESPACE"] = "ContentHubBench"
    sys.path[:0] = [str(FUNCTIONS_DIR / "submit")]
    import boto3
    import handler  # type: ignore[import-not-found]

    dynamodb, sqs = boto3.client("dynamodb"), boto3.client("sqs")
    context = SimpleNamespace(function_name="submit", memory_limit_in_mb=512, aws_request_id="bench",
                              invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:submit")  # fmt: skip
    body = json.dumps({"account_id": 49, "topic": "floor", "keywords": ["AI"]})
    handler_times, floor_times, transaction_times = [], [], []

    def writes(items: list[dict[str, Any]], i: int) -> float:
        started = time.perf_counter()
        dynamodb.transact_write_items(TransactItems=items)
        sqs.send_message(QueueUrl=stack.outputs["IntakeQueueUrl"], MessageBody=json.dumps({"task_id": i}))
        return time.perf_counter() - started

    for i in range(count):
        event = {"resource": "/tasks", "path": "/tasks", "httpMethod": "POST", "body": body,
                 "headers": {"Content-Type": "application/json"}, "isBase64Encoded": False,
                 "requestContext": {"resourcePath": "/tasks", "httpMethod": "POST", "path": "/tasks",
                                    "requestId": f"bench-{i}", "stage": "bench"}}  # fmt: skip
        started = time.perf_counter()
        assert handler.main(event, context)["statusCode"] == 202
        handler_times.append(time.perf_counter() - started)
        floor_times.append(writes(_submit_transaction(stack, f"task-floor{i:09d}", counters=False), i))
        transaction_times.append(writes(_submit_transaction(stack, f"task-tx{i:09d}", counters=True), i))
    handler_ms, floor_ms = statistics.median(handler_times) * 1000, statistics.median(floor_times) * 1000
    transaction_ms = statistics.median(transaction_times) * 1000
    return {"handler_ms": handler_ms, "floor_ms": floor_ms, "ratio": handler_ms / floor_ms,
            "floor_kind": "transaction", "transaction_ms": transaction_ms,
            "transaction_ratio": handler_ms / transaction_ms}  # fmt: skip


def _submit_transaction(stack: LocalStack, task_id: str, counters: bool) -> list[dict[str, Any]]:
    """The account's usage under its quota and the new task; with `counters`, one shard of the
    submitted count for the total and the day, as contenthub.dal.transactions writes them."""
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    counter = [{"Update": {"TableName": stack.outputs["CountersTable"], "Key": {"name": {"S": f"count#{period}#3"}},
                           "UpdateExpression": "ADD #v :n", "ExpressionAttributeNames": {"#v": "bench_submitted"},
                           "ExpressionAttributeValues": {":n": {"N": "1"}}}}
               for period in ("total", day)]  # fmt: skip
    return [
        {"Update": {"TableName": stack.outputs["AccountsTable"], "Key": {"account_id": {"N": "49"}},
                    "UpdateExpression": "SET #u.#d = if_not_exists(#u.#d, :zero) + :n",
                    "ConditionExpression": "attribute_exists(account_id) AND daily_quota = :q AND "
                                           "(attribute_not_exists(#u.#d) OR #u.#d <= :max)",
                    "ExpressionAttributeNames": {"#u": "usage", "#d": day},
                    "ExpressionAttributeValues": {":zero": {"N": "0"}, ":n": {"N": "1"},
                                                  ":q": {"N": str(ACCOUNT["daily_quota"])},
                                                  ":max": {"N": str(ACCOUNT["daily_quota"] - 1)}}}},
        {"Put": {"TableName": stack.outputs["TasksTable"], "ConditionExpression": "attribute_not_exists(task_id)",
                 "Item": {"task_id": {"S": task_id}, "status": {"S": "pending"}}}},
        *(counter if counters else []),
    ]  # fmt: skip


# -- orchestration per task -----------------------------------------------------------------------
MODES = {
    # The old system: a poll every 30 s from the start (first wait = poll interval, never learned).
    "fixed 30 s poll": {"ASYNC_POLL_INTERVAL": "1", "ASYNC_FIRST_WAIT": "1", "ASYNC_FIRST_WAIT_MAX": "1"},
    # Ours: first wait = the 10th percentile of recent generation times (no fixed cap), then 30 s polls.
    "poll (learned first wait)": {"ASYNC_POLL_INTERVAL": "1", "ASYNC_FIRST_WAIT": "1", "ASYNC_FIRST_WAIT_MAX": "0"},
    "callback": {"COMPLETION_MODE": "callback", "CALLBACK_HEARTBEAT_SECONDS": "60"},
}


def _restart_runners(stack: LocalStack, duration: float) -> None:
    for process in stack.runner_processes:
        process.terminate()
    for process in stack.runner_processes:
        process.wait(timeout=60)
    stack.runner_processes.clear()
    stack.runner_env["OFFLINE_CREATOR_DURATION"] = str(duration)
    stack.start_runner(0)


def _wait(stack: LocalStack, task_ids: list[str], timeout: float) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tasks = [requests.get(f"{stack.api_url}/tasks/{t}", timeout=10).json() for t in task_ids]
        if all(t["status"] not in ("pending", "running") for t in tasks):
            return tasks
        time.sleep(0.25)
    raise TimeoutError(f"tasks {task_ids} did not finish in {timeout} s")


def _submit(stack: LocalStack, topic: str) -> str:
    response = requests.post(f"{stack.api_url}/tasks", json={"account_id": 49, "topic": topic}, timeout=30)
    assert response.status_code == 202, response.text
    return str(response.json()["task_id"])


def _history(stack: LocalStack, task_id: str) -> list[dict[str, Any]]:
    """The whole history: the task is `succeeded` (HandleResult) a moment before the execution
    reaches its Succeed state, so wait for the execution itself to end first."""
    arn = stack.outputs["StateMachineArn"].replace(":stateMachine:", ":execution:") + f":{task_id}"
    sfn = stack.client("stepfunctions")
    deadline = time.monotonic() + 30
    while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.2)
    return list(stack.client("stepfunctions").get_execution_history(executionArn=arn, maxResults=1000)["events"])


def orchestration(mode: str, context: dict[str, str]) -> tuple[list[dict[str, Any]], dict[str, dict[str, float]]]:
    """One row per generation length, and the functions' durations over the whole mode's run."""
    rows = []
    with fresh_stack(context=context, runner_env={"OFFLINE_CREATOR_DURATION": "1"}) as stack:
        requests.post(f"{stack.api_url}/accounts", json=ACCOUNT, timeout=30)
        for minutes in GENERATION_MINUTES:
            duration = minutes * 60 / SCALE
            _restart_runners(stack, duration)
            if mode.startswith("poll"):
                # A fresh history of this duration: three tasks teach the dispatcher its first wait.
                for shard in range(SHARDS):
                    key = {"name": {"S": f"gen:recent:offline#{shard}"}}
                    stack.client("dynamodb").delete_item(TableName=stack.outputs["CountersTable"], Key=key)
                _wait(stack, [_submit(stack, f"warm-up {minutes} min {i}") for i in range(3)], duration * 4 + 120)
            task_id = _submit(stack, f"measured {minutes} min")
            [task] = _wait(stack, [task_id], duration * 4 + 120)
            assert task["status"] == "succeeded", task
            events = _history(stack, task_id)
            job = stack.client("dynamodb").get_item(TableName=stack.outputs["JobsTable"],
                                                    Key={"job_id": {"S": f"{task_id}#1"}})["Item"]  # fmt: skip
            entered = [e["stateEnteredEventDetails"]["name"] for e in events if e["type"] == "TaskStateEntered"]
            polls = entered.count("Poll")
            lambda_states = sum(entered.count(name) for name in ("Poll", "HandleResult", "MarkFailed"))
            lag = datetime.fromisoformat(task["finished_at"]) - datetime.fromisoformat(job["finished_at"]["S"])
            rows.append({
                "mode": mode, "minutes": minutes,
                "transitions": sum(1 for e in events if e["type"].endswith("StateEntered")),
                "lambda_in_machine": lambda_states, "polls": polls,
                "completion_lag_s": lag.total_seconds(),
                "callback": mode == "callback",
            })  # fmt: skip
        durations = lambda_durations(stack)
    return rows, durations


# -- load ------------------------------------------------------------------------------------------
class PeakMemory:
    """Peak resident memory of this process (moto, adapters) plus all its children (function
    environments, runners), sampled every 0.5 s from /proc."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _tree_rss_kb(pid: int) -> int:
        total = 0
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            return 0
        return total + sum(PeakMemory._tree_rss_kb(int(child)) for child in children)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.peak_mb = max(self.peak_mb, self._tree_rss_kb(os.getpid()) / 1024)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def load_run(tasks: int, clients: int) -> dict[str, Any]:
    # The cap and the runner slots are live controls: deployed values (context), not runner settings.
    context = {"ASYNC_WORKER_COUNT": "10", "ASYNC_MAX_CONCURRENT_TASKS": "20"}
    runner_env = {"OFFLINE_CREATOR_DURATION": "0.2"}
    with PeakMemory() as memory, fresh_stack(runners=2, context=context, runner_env=runner_env) as stack:
        hold_ms = moto_seams._hold_seconds[0] * 1000
        requests.post(f"{stack.api_url}/accounts", json=ACCOUNT, timeout=30)
        moto_seams.write_counts.reset()
        started = time.monotonic()
        refused: list[str] = []

        def client(index: int) -> list[str]:
            session = requests.Session()
            ids = []
            for i in range(index, tasks, clients):
                try:
                    response = session.post(f"{stack.api_url}/tasks", json={"account_id": 49, "topic": f"load {i}"},
                                            timeout=60)  # fmt: skip
                except requests.RequestException as error:  # reported with the run, not a crash of it
                    refused.append(f"{type(error).__name__}: {error}"[:200])
                    continue
                if response.status_code != 202:
                    refused.append(f"{response.status_code} {response.text[:200]}")
                    continue
                ids.append(response.json()["task_id"])
            return ids

        with ThreadPoolExecutor(clients) as pool:
            task_ids = [t for ids in pool.map(client, range(clients)) for t in ids]
        submitted_s = time.monotonic() - started
        deadline = time.monotonic() + 3600
        while time.monotonic() < deadline:
            stats = requests.get(f"{stack.api_url}/tasks/stats", timeout=30).json()
            if stats["by_status"]["pending"] + stats["by_status"]["running"] == 0:
                break
            time.sleep(2)
        elapsed = time.monotonic() - started
        failures = [
            f"{t['task_id']}: {t.get('error')}"
            for status in ("failed", "timed_out")
            for t in requests.get(f"{stack.api_url}/tasks", params={"status": status, "limit": 100}, timeout=30).json()[
                "tasks"
            ]
        ]
        try:  # the invariants every e2e scenario ends with (tests/e2e/invariants.py)
            invariants.check(stack, settle=120)
            violations: list[str] = []
        except AssertionError as error:
            violations = str(error).splitlines()[1:]
        contents = stack.client("dynamodb").get_paginator("scan")
        by_task: dict[str, int] = {}
        for page in contents.paginate(TableName=stack.outputs["ContentsTable"],
                                      ProjectionExpression="generation_task_id"):  # fmt: skip
            for item in page["Items"]:
                by_task[item["generation_task_id"]["S"]] = by_task.get(item["generation_task_id"]["S"], 0) + 1
        logs = [f for f in stack.log_dir.glob("*.log") if f.name.startswith(("ContentHub-", "runner-"))]
        # What CloudWatch Logs would ingest: every function's and runner's log lines, per task.
        logged = sum(f.stat().st_size for f in logs)
        retries = sum(f.read_text(errors="replace").count("retrying after a transaction conflict") for f in logs)
        contention = _contention(stack, tasks)
        durations = lambda_durations(stack)
    return {
        "log_bytes_per_task": logged / tasks,
        "tasks": tasks, "clients": clients, "unique_task_ids": len(set(task_ids)), "refused_submits": refused,
        "succeeded": stats["by_status"]["succeeded"], "failed": stats["by_status"]["failed"],
        "contents": sum(by_task.values()), "duplicate_contents": sum(n - 1 for n in by_task.values() if n > 1),
        "submit_phase_s": submitted_s, "elapsed_s": elapsed, "tasks_per_min": tasks / elapsed * 60,
        "peak_memory_mb": memory.peak_mb, "failures": failures, "invariant_violations": violations,
        "retries": retries, **contention, "transaction_hold_ms": hold_ms,
        "lambda_durations": durations,
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }  # fmt: skip


def lambda_durations(stack: LocalStack) -> dict[str, dict[str, float]]:
    """Per function: invocations, median and p99 duration, mean billed duration and median init,
    from the platform.report lines of its log (as CloudWatch Logs has them on AWS)."""
    from contenthub.resources import PRINCIPAL_VARIABLE

    principals = {
        fn["FunctionName"]: fn.get("Environment", {}).get("Variables", {}).get(PRINCIPAL_VARIABLE)
        for page in stack.client("lambda").get_paginator("list_functions").paginate()
        for fn in page["Functions"]
    }
    found: dict[str, dict[str, float]] = {}
    for name, principal in principals.items():
        log = stack.log_dir / f"{name}.log"
        if not principal or not log.exists():
            continue
        metrics = [json.loads(line)["record"]["metrics"] for line in log.read_text(errors="replace").splitlines()
                   if line.startswith('{"time"') and '"platform.report"' in line]  # fmt: skip
        if not metrics:
            continue
        durations = [m["durationMs"] for m in metrics]
        cold = [m for m in metrics if "initDurationMs" in m]  # a sandbox's first invocation
        found[principal] = {"invocations": len(metrics), "median_ms": statistics.median(durations),
                            "p99_ms": percentile(durations, 99),
                            "mean_billed_ms": statistics.fmean(m["billedDurationMs"] for m in metrics),
                            "init_ms": statistics.median(m["initDurationMs"] for m in cold) if cold else 0.0,
                            "first_ms": statistics.median(m["durationMs"] for m in cold) if cold else 0.0,
                            "warm_ms": statistics.median(m["durationMs"] for m in metrics if m not in cold)
                            if len(cold) < len(metrics) else 0.0}  # fmt: skip
    return found


def _contention(stack: LocalStack, tasks: int) -> dict[str, Any]:
    """Conflicts and the most written items, as the local DynamoDB counted them during the run."""
    counts = moto_seams.write_counts.snapshot()
    tables = {name: logical for logical, name in stack.outputs.items() if logical.endswith("Table")}
    hottest = [
        {"table": tables.get(table, table), "writes": n, "per_task": n / tasks,
         "key": " ".join(str(v) for attribute in json.loads(key).values() for v in attribute.values())}
        for (table, key), n in counts.items.most_common(8)
    ]  # fmt: skip
    return {"transaction_conflicts": counts.transaction_conflicts, "write_conflicts": counts.write_conflicts,
            "writes": sum(counts.items.values()), "items_written": len(counts.items), "hottest": hottest}  # fmt: skip


# -- filtered list ---------------------------------------------------------------------------------
def _seed_tasks(stack: LocalStack, count: int) -> None:
    """`count` succeeded tasks of accounts 1-50, one a minute back from now, written as the pipeline
    writes them (a batch write: submitting 10,000 through the API would take most of an hour)."""
    from contenthub.dal.tasks import task_item
    from contenthub.models import Task, iso

    now = datetime.now(UTC)
    table = stack.client("dynamodb")
    rows = []
    for i in range(count):
        created = iso(now - timedelta(minutes=i + 1))
        task = Task(task_id=f"task-{i:012x}", account_id=i % 50 + 1, status="succeeded", topic=f"bench {i}",
                    auto_approve=True, created_at=created, updated_at=created)  # fmt: skip
        rows.append({"PutRequest": {"Item": av(task_item(task))}})
    for start in range(0, len(rows), 25):
        table.batch_write_item(RequestItems={stack.outputs["TasksTable"]: rows[start : start + 25]})


def filtered_list(count: int) -> dict[str, Any]:
    """GET /tasks?status=succeeded&account_id=99999&limit=1 over `count` succeeded tasks, none of
    them account 99999's (the issue's case: the filter matches nothing). Time over the local HTTP
    API; DynamoDB requests per page counted in-process (the same logic against the same moto)."""
    from contenthub import aws
    from contenthub.dal import TaskRepository
    from contenthub.logic.tasks import list_tasks
    from contenthub.states import TaskStatus

    query = {"status": "succeeded", "account_id": 99999, "limit": 1}
    with fresh_stack(runners=0) as stack:
        quiet(stack)
        _seed_tasks(stack, count)
        session = requests.Session()
        page_times, cursor = [], None
        walk_started = time.perf_counter()
        while True:
            started = time.perf_counter()
            response = session.get(f"{stack.api_url}/tasks", params={**query, **({"cursor": cursor} if cursor else {})},
                                   timeout=600)  # fmt: skip
            page_times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
            if not (cursor := response.json()["next_cursor"]):
                break
        walk_s = time.perf_counter() - walk_started
        os.environ.update(stack.aws_env())
        aws.client.cache_clear()
        aws.dynamodb_table.cache_clear()
        tasks = TaskRepository(stack.outputs["TasksTable"])
        made: list[str] = []
        events = aws.dynamodb_table(tasks.table).meta.client.meta.events
        events.register("before-call.dynamodb.Query", lambda **_: made.append("Query"), unique_id="bench-count")
        per_page, cursor = [], None
        while True:
            before = len(made)
            page = list_tasks(tasks, status=TaskStatus.SUCCEEDED, account_id=99999, limit=1, cursor=cursor)
            per_page.append(len(made) - before)
            if not (cursor := page.next_cursor):
                break
        events.unregister("before-call.dynamodb.Query", unique_id="bench-count")
    return {
        "tasks": count, "query": query, "pages": len(page_times), "first_page_s": page_times[0],
        "max_page_s": max(page_times), "walk_s": walk_s, "requests_per_page_max": max(per_page),
        "requests_total": sum(per_page), "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }  # fmt: skip


# -- report ----------------------------------------------------------------------------------------
def filtered_section(listed: dict[str, Any]) -> list[str]:
    return ["## Filtered list", "", f"Measured {listed['when']}.", "",
            f"`GET /tasks?status=succeeded&account_id=99999&limit=1` over {listed['tasks']:,} succeeded tasks, "
            "none of them account 99999's, over the local HTTP API, following `next_cursor` to the end:", "",
            "| pages | DynamoDB requests per page (max) | requests in all | first page (s) | slowest page (s) "
            "| whole walk (s) |", "|---|---|---|---|---|---|",
            f"| {listed['pages']} | {listed['requests_per_page_max']} | {listed['requests_total']} | "
            f"{listed['first_page_s']:.2f} | {listed['max_page_s']:.2f} | {listed['walk_s']:.1f} |", "",
            "DynamoDB applies `Limit` before a filter, so a filtered page reads the index in chunks of "
            "FILTERED_READ entries and ends after FILTERED_REQUESTS requests (`contenthub/dal/pages.py`): "
            "a page may be short, even empty, and still have a `next_cursor`. On moto each Query costs "
            "time in proportion to the partition, so local seconds overstate AWS's.", "",
            "Before (measured 2026-11-28 on this machine, same data, first page): each request asked for the "
            "items still wanted (`Limit` 1), so a page made one request per task read — 47 tasks: 47 requests, "
            "0.98 s; 250: 250 requests, 5.9 s; 1,000: 1,000 requests and a 502 when the function timed out at "
            "30 s; 10,000: 10,000 requests (not run to the end).", ""]  # fmt: skip


def splice_section(text: str, section: list[str]) -> str:
    """The report with one section (from its `## ` heading to the next) replaced, or appended."""
    heading = section[0]
    lines = text.rstrip("\n").split("\n")
    if heading in lines:
        start = lines.index(heading)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        lines[start:end] = section
    else:
        lines += ["", *section]
    return "\n".join(lines).rstrip("\n") + "\n"


def report(results: dict[str, Any]) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `make bench` on {results['when']} — {results['machine']}. Local stack: moto in one "
        "process, functions in warm subprocesses; numbers are for comparison between designs and runs on "
        "this machine, not AWS latencies.",
        "",
    ]
    if cold := results.get("cold_start"):
        lines += ["## Cold start and package sizes", "",
                  f"Bare `import boto3`: {cold['baseline_boto3_s'] * 1000:.0f} ms (median of 5 fresh interpreters). "
                  "Aim: each function's import ≤ 1.5× that. Measured as on Lambda (LAMBDA_TASK_ROOT set), with "
                  "X-Ray tracing off (POWERTOOLS_TRACE_DISABLED) and on (the template's Active tracing).", "",
                  f"Aim met with tracing off: **{'yes' if all(r['ratio'] <= 1.5 for r in cold['functions']) else 'no'}"
                  "**"
                  f" (worst {max(r['ratio'] for r in cold['functions']):.2f}×); with tracing on: **"
                  f"{'yes' if all(r.get('traced_ratio', 9) <= 1.5 for r in cold['functions']) else 'no'}** (worst "
                  f"{max(r.get('traced_ratio', 0) for r in cold['functions']):.2f}×) — tracing on costs the X-Ray "
                  "SDK import.", "",
                  "| function | import, tracing off (ms) | ÷ boto3 | tracing on (ms) | ÷ boto3 "
                  "| package (KB, zipped) |",
                  "|---|---|---|---|---|---|"]  # fmt: skip
        lines += [f"| {r['function']} | {r['import_s'] * 1000:.0f} | {r['ratio']:.2f}× | "
                  f"{r.get('traced_s', 0) * 1000:.0f} | {r.get('traced_ratio', 0):.2f}× | {r['package_kb']:.1f} |"
                  for r in cold["functions"]]  # fmt: skip
        lines += ["", f"Layers (zipped): shared {cold['layers_kb']['shared']:.0f} KB, third-party deps "
                  f"{cold['layers_kb']['deps']:.0f} KB. Packages and the shared layer ship bytecode compiled for "
                  "Lambda's Python (infra/layers.py): Lambda's file systems are read-only, so without it every "
                  "cold start compiled our modules from source.", ""]  # fmt: skip
        if all("breakdown_s" in r for r in cold["functions"]):
            lines += breakdown_section(cold)
    if latency := results.get("submit_latency"):
        floor = results["floor"]
        lines += ["## Submit", "",
                  f"- Over the local HTTP API, {latency['count']} sequential submits: p50 {latency['p50_ms']:.1f} ms, "
                  f"p99 {latency['p99_ms']:.1f} ms (aim: p99 < 100 ms, "
                  f"**{'met' if latency['p99_ms'] < 100 else 'not met'}**).",
                  *(floor_lines(floor)), ""]  # fmt: skip
    if orchestration_rows := results.get("orchestration"):
        measured = f"Measured {results['orchestration_when']}. " if results.get("orchestration_when") else ""
        lines += ["## Orchestration per task", "",
                  f"{measured}Real executions on the local stack with time scaled {SCALE}:1 (a 30 s poll = 1 s; "
                  "a 20-minute generation = 40 s of the offline creator). Transitions and in-machine Lambda calls "
                  "are counted from each task's execution history; requests outside the machine are modelled per "
                  "invocation from the code (`bench/pricing.py`). Cost per 1,000 tasks at the us-east-1 prices "
                  "below.", "",
                  "| mode | generation | polls | state transitions / task | Lambda invocations / task | "
                  "DynamoDB read / write units per 1,000 | SQS requests per 1,000 | completion lag (local s) | "
                  "orchestration per 1,000 tasks | whole cost per 1,000 articles |",
                  "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
        log_bytes = (results.get("load") or {}).get("log_bytes_per_task")
        billed = pooled_billed_ms(results.get("orchestration_durations") or {}) or None
        costs = {}
        for row in orchestration_rows:
            cost = costs[(row["mode"], row["minutes"])] = pricing.per_thousand(row, log_bytes, billed)
            lines.append(
                f"| {row['mode']} | {row['minutes']} min | {row['polls']} | {row['transitions']} | "
                f"{cost['lambda_invocations']} | {cost['ddb_read_units']:.0f} / {cost['ddb_write_units']:.0f} | "
                f"{cost['sqs_requests']} | {row['completion_lag_s']:.2f} | ${cost['total']:.4f} | "
                f"${cost['whole']:.2f} |"
            )
        poll20, callback20 = costs.get(("poll (learned first wait)", 20)), costs.get(("callback", 20))
        if poll20 and callback20:
            ratio = poll20["total"] / callback20["total"]
            lines += ["", f"Aim (a 20-minute generation in poll mode costs at most twice callback mode): "
                      f"**{'met' if ratio <= 2 else 'not met'}** — ${poll20['total']:.4f} against "
                      f"${callback20['total']:.4f} per 1,000 tasks, {ratio:.2f}×."]  # fmt: skip
        any_cost = next(iter(costs.values()))
        lines += ["", "The whole cost of 1,000 articles, beyond the orchestration (the same in every mode; the "
                  "runner's share grows with the generation time): API Gateway "
                  f"${any_cost['api_gateway_per_1000']:.4f}, S3 ${any_cost['s3_per_1000']:.4f}, CloudWatch Logs "
                  f"${any_cost['logs_per_1000']:.4f} (at "
                  + (f"{log_bytes:.0f} bytes of log lines per task, measured in the load run"
                     if log_bytes is not None else f"an assumed {pricing.ASSUMED_LOG_BYTES_PER_TASK} bytes per task")
                  + "), the example model's tokens "
                  f"${any_cost['model_per_1000']:.2f}, and the runner's Fargate time (below 1 cent per 1,000 "
                  "1-minute articles; see the whole-cost column for each length). The model dominates.",
                  "", f"Idle, per month: **${pricing.idle_month():.2f}** (" + "; ".join(
                      f"{name} ${price:.2f}" for name, price in pricing.IDLE_MONTH.items()) + ").", ""]  # fmt: skip
        lines += ["", "Completion lag is measured from the runner's finish to the task's `succeeded`: in poll "
                  f"modes it is up to one poll interval (here 1 s = {SCALE} s on AWS), in callback mode the "
                  "runner reports at once.", "", pricing.describe(billed), ""]  # fmt: skip
    if load := results.get("load"):
        failures = load.get("failures")
        why = (
            ("failures: " + "; ".join(failures))
            if failures
            else ("the reason of the failure was not recorded by that run" if load["failed"] else "no failures")
        )
        lines += ["## Load", "", f"Measured {load.get('when', results['when'])}.", "",
                  f"{load['tasks']} tasks from {load['clients']} concurrent clients over the local HTTP API, offline "
                  "creator (0.2 s), 2 runners × 10 slots, global cap 20 (deployed values of the live controls), "
                  "every task for one account:", "",
                  f"- succeeded {load['succeeded']}, failed {load['failed']}, "
                  f"unique task ids {load['unique_task_ids']}, "
                  f"contents {load['contents']}, duplicate contents {load['duplicate_contents']};",
                  f"- all submitted in {load['submit_phase_s']:.0f} s; all finished in {load['elapsed_s']:.0f} s: "
                  f"**{load['tasks_per_min']:.0f} tasks/min** end to end;",
                  f"- peak memory of the local stack (moto, adapters, function environments, runners): "
                  f"{load['peak_memory_mb']:.0f} MB (the sum of the processes' resident sets, so shared pages count "
                  "once per process: an upper bound);", f"- {why};"]  # fmt: skip
        if "refused_submits" in load:
            refused = load["refused_submits"]
            examples = " (" + "; ".join(sorted(set(refused))[:5]) + ")" if refused else ""
            lines.append(
                f"- submits refused: {len(refused)} of {load['tasks']}{examples} (aim, {load['clients']} "
                "concurrent clients: none fails — " + ("**met**" if not refused else "**not met**") + ");"
            )
        if "invariant_violations" in load:
            broken = load["invariant_violations"]
            lines.append("- invariants (tests/e2e/invariants.py) after the run: "
                         + ("all hold." if not broken else "violated: " + "; ".join(broken) + "."))  # fmt: skip
        lines.append("")
        if "hottest" in load:
            lines += contention_section(load)
    lines += durations_section(results)
    if listed := results.get("filtered_list"):
        lines += filtered_section(listed)
    return "\n".join(lines)


def pooled_billed_ms(by_mode: dict[str, dict[str, dict[str, float]]]) -> dict[str, float]:
    """Billed duration of a typical warm invocation per function over the orchestration runs (one
    task at a time, so no other work competes for the machine): each run's median warm duration
    rounded up to the millisecond, weighted by its invocations. Cold starts are left out: a local
    sandbox's init runs while every other sandbox starts too, and at a steady rate on AWS most
    invocations are warm."""
    pooled: dict[str, list[float]] = {}
    for durations in by_mode.values():
        for name, d in durations.items():
            if d.get("warm_ms"):
                pooled.setdefault(name, []).extend([math.ceil(d["warm_ms"]) * d["invocations"], d["invocations"]])
    return {name: sum(v[0::2]) / sum(v[1::2]) for name, v in pooled.items()}


def durations_section(results: dict[str, Any]) -> list[str]:
    """The functions' durations from their platform.report lines: one task at a time, and under load."""
    by_mode = results.get("orchestration_durations") or {}
    quiet = pooled_billed_ms(by_mode)
    loaded = (results.get("load") or {}).get("lambda_durations") or {}
    if not quiet and not loaded:
        return []

    def cold(name: str) -> str:  # a sandbox's init and first invocation, one task at a time
        runs = [d[name] for d in by_mode.values() if name in d and d[name].get("first_ms")]
        if not runs:
            return "— | —"
        return (f"{statistics.median(r['init_ms'] for r in runs):.0f} | "
                f"{statistics.median(r['first_ms'] for r in runs):.0f}")  # fmt: skip

    lines = ["## Lambda durations", "",
             "From each function's `platform.report` log lines (the local sandbox writes them as Lambda's JSON "
             "log format does; a cold invocation's billed duration includes its init, as Lambda bills it). One "
             "task at a time: the orchestration runs, whose typical warm invocation the cost model uses; a cold "
             "sandbox's init and its first invocation (models build their validators on first use, so the "
             "first invocation pays what the import no longer does). A local init runs while the stack starts "
             "every function's sandboxes at once on 2 CPUs, so it is several times the clean import measured "
             "above. Under load: the load run, 50 clients on this 2-CPU machine, where every invocation also "
             "waits for the CPU (moto, the runners and the other functions share it): upper bounds.", "",
             "| function | typical warm invocation, billed, one task at a time (ms) | init (ms) | "
             "first invocation (ms) | invocations under load | median under load (ms) | p99 under load (ms) |",
             "|---|---|---|---|---|---|---|"]  # fmt: skip
    for name in sorted(set(quiet) | set(loaded)):
        d = loaded.get(name, {})
        lines.append(f"| {name} | " + (f"{quiet[name]:.0f}" if name in quiet else "—") + f" | {cold(name)} | "
                     + (f"{d['invocations']:.0f} | {d['median_ms']:.0f} | {d['p99_ms']:.0f}" if d else "— | — | —")
                     + " |")  # fmt: skip
    return [*lines, ""]


def floor_lines(floor: dict[str, Any]) -> list[str]:
    if floor.get("floor_kind") != "transaction":  # a run before the floor was the issue's
        return [f"- The submit handler in-process: median {floor['handler_ms']:.2f} ms; a bare DynamoDB put + SQS "
                f"send: {floor['floor_ms']:.2f} ms; ratio {floor['ratio']:.2f}× (an earlier floor)."]  # fmt: skip
    return [
        f"- The submit handler in-process: median {floor['handler_ms']:.2f} ms. The floor, the writes it must do "
        f"(the task and the account's usage under its quota in one transaction, and the enqueue): "
        f"{floor['floor_ms']:.2f} ms; the handler ÷ the floor **{floor['ratio']:.2f}×** (aim ≤ 1.2×: "
        f"**{'met' if floor['ratio'] <= 1.2 else 'not met'}**).",
        f"- The same transaction with the two counter shards the handler also writes (the submitted count for "
        f"the total and the day, behind /metrics) + the send, without our code: {floor['transaction_ms']:.2f} ms; "
        f"the handler ÷ that: **{floor['transaction_ratio']:.2f}×** — validation, logging, metrics and the "
        f"controls read are the difference; the counters are {floor['transaction_ms'] - floor['floor_ms']:.2f} ms "
        "of the gap.",
    ]  # fmt: skip


def breakdown_section(cold: dict[str, Any]) -> list[str]:
    """Each function's import split into the libraries it uses and our code."""
    baseline = cold["baseline_boto3_s"]
    groups = [*LIBRARY_GROUPS, "other libraries"]
    lines = ["### Where each import goes", "",
             "The third-party modules each function imports, timed in a fresh interpreter group by group (a "
             "module two groups share counts in the first), then `import handler`: what is left, our code and "
             "the standard library modules only it needs. Medians of 5; tracing off.", "",
             "| function | " + " | ".join(groups) + " | libraries ÷ boto3 | ours |",
             "|---|" + "---|" * (len(groups) + 2)]  # fmt: skip
    floors, ours = [], []
    for row in cold["functions"]:
        parts = row["breakdown_s"]
        floors.append(sum(parts[g] for g in groups) / baseline)
        ours.append(parts["ours"] * 1000)
        lines.append(f"| {row['function']} | " + " | ".join(f"{parts[g] * 1000:.0f} ms" for g in groups)
                     + f" | {floors[-1]:.2f}× | {ours[-1]:.0f} ms |")  # fmt: skip
    lines += ["", f"The libraries alone take {min(floors):.2f}× to {max(floors):.2f}× a bare `import boto3`; our code "
              f"adds {min(ours):.0f} to {max(ours):.0f} ms. An API function imports pydantic and Powertools' event "
              "handler with its OpenAPI validation, so 1.5× cannot be reached while the functions use them (the "
              "design card fixes both); what is left to cut is ours. With tracing on, the X-Ray SDK adds its "
              "import (the difference between the two columns above); with it off the SDK is not imported "
              "(contenthub.observability, docs/decisions.md). SnapStart, which takes the import out of most cold "
              "starts, is evaluated in docs/decisions.md.", ""]  # fmt: skip
    return lines


def contention_section(load: dict[str, Any]) -> list[str]:
    """The load run's contention: conflicts, retries and the items that took the most writes."""
    shared = [h for h in load["hottest"] if h["table"] not in ("TasksTable", "JobsTable", "AccountsTable")]
    worst = max(shared, key=lambda h: h["writes"], default=None)
    lines = ["### Contention", "",
             f"With each transaction holding its items {load['transaction_hold_ms']:.0f} ms (the local stack's "
             f"TransactionConflict model): {load['transaction_conflicts']} transactions cancelled with "
             f"TransactionConflict, {load['write_conflicts']} plain writes refused with TransactionConflictException, "
             f"{load['retries']} retries logged by the functions and runners (\"retrying after a transaction "
             f"conflict\"); {load['writes']} writes to {load['items_written']} items in all. The items that took the "
             "most writes (per task: the item's writes ÷ the run's tasks):", "",
             "| table | item | writes | per task |", "|---|---|---|---|"]  # fmt: skip
    lines += [f"| {h['table']} | `{h['key']}` | {h['writes']} | {h['per_task']:.3f} |" for h in load["hottest"]]
    lines += ["", "Every task of this run is for one account, so that account's item takes every submit (its "
              "daily usage and quota are checked in the submit's transaction): the hottest item by design, and "
              "the worst case for conflicts; one account's submits are bounded by one item's write rate (about "
              "1,000/s, docs/scaling.md)."]  # fmt: skip
    if worst is not None:
        # A counter shard takes a tenth of the submits and a tenth of the results: 0.2 writes per task.
        met = worst["per_task"] <= 0.25
        lines[-1] += (
            " Aim, no item shared by all accounts written by more than about a tenth of the submits or "
            f"of the results: **{'met' if met else 'not met'}** — the most written such item, "
            f"{worst['table']} `{worst['key']}`, took {worst['per_task']:.3f} writes per task (a counter "
            "shard takes one in ten of the submits and one in ten of the results: 0.2 expected)."
        )
    return [*lines, ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--load-tasks", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-orchestration", action="store_true")
    parser.add_argument("--filtered-tasks", type=int, default=10_000)
    parser.add_argument("--only", choices=["filtered-list"], help="run one section; keep the others from the last run")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    results: dict[str, Any] = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
    }
    saved = BUILD_DIR / "benchmarks.json"
    previous = json.loads(saved.read_text()) if saved.exists() else {}
    if args.only:  # this section only: spliced into the report as it stands
        print(f"filtered list over {args.filtered_tasks} tasks…", flush=True)
        listed = filtered_list(args.filtered_tasks)
        REPORT.write_text(splice_section(REPORT.read_text(), filtered_section(listed)))
        if previous:
            saved.write_text(json.dumps({**previous, "filtered_list": listed}, indent=2, default=str))
        print("\n".join(filtered_section(listed)) + f"\nwrote {REPORT.relative_to(ROOT)}")
        return 0
    print("cold start and sizes…", flush=True)
    results["cold_start"] = cold_start()
    print("submit latency…", flush=True)
    with fresh_stack(runners=0) as stack:
        requests.post(f"{stack.api_url}/accounts", json=ACCOUNT, timeout=30)
        quiet(stack)
        # Without the local TransactionConflict model's hold (a sleep while a transaction holds
        # its items): it models contention, not latency, and would add the same 5 ms to both sides.
        undo_hold = moto_seams.make_dynamodb_atomic(hold_ms=0)
        try:
            results["submit_latency"] = submit_latency(stack)
            results["floor"] = handler_vs_floor(stack)
        finally:
            undo_hold()
    if not args.skip_orchestration:
        results["orchestration"], results["orchestration_durations"] = [], {}
        for mode, context in MODES.items():
            print(f"orchestration: {mode}…", flush=True)
            rows, results["orchestration_durations"][mode] = orchestration(mode, context)
            results["orchestration"] += rows
    elif previous.get("orchestration"):  # keep the last orchestration run (its date is in the JSON)
        results["orchestration"] = previous["orchestration"]
        results["orchestration_durations"] = previous.get("orchestration_durations", {})
        results["orchestration_when"] = previous.get("orchestration_when", previous["when"])
    if not args.skip_load:
        print(f"load: {args.load_tasks} tasks from {args.clients} clients…", flush=True)
        results["load"] = load_run(args.load_tasks, args.clients)
    elif previous.get("load"):  # keep the last load run in the report, with its own date
        results["load"] = {"when": previous["when"], **previous["load"]}
    print(f"filtered list over {args.filtered_tasks} tasks…", flush=True)
    results["filtered_list"] = filtered_list(args.filtered_tasks)
    return _write(results)


def _write(results: dict[str, Any]) -> int:
    text = report(results)
    REPORT.write_text(text + "\n")
    (BUILD_DIR / "benchmarks.json").write_text(json.dumps(results, indent=2, default=str))
    print("\n" + text)
    print(f"\nwrote {REPORT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
