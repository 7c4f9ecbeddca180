"""The live controls on a running local stack, while tasks run: the change reaches the warm
submit function and the runner within 15 s, with no redeploy and no restart."""

from __future__ import annotations

import threading
import time

import boto3
import requests

from contenthub.dal.runners import HEARTBEAT_KEY

PROPAGATION = 15  # seconds the API promises


def put(stack, **controls) -> dict:
    response = requests.put(f"{stack.api_url}/controls", json=controls, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def heartbeat(stack) -> dict:
    table = boto3.resource("dynamodb", endpoint_url=stack.endpoint, region_name="us-east-1").Table(
        stack.outputs["CountersTable"]
    )
    return table.get_item(Key={"name": HEARTBEAT_KEY}, ConsistentRead=True).get("Item") or {}


def running_jobs(stack) -> int:
    table = boto3.resource("dynamodb", endpoint_url=stack.endpoint, region_name="us-east-1").Table(
        stack.outputs["JobsTable"]
    )
    items = table.scan(ConsistentRead=True, FilterExpression="#s = :r", ExpressionAttributeNames={"#s": "status"},
                       ExpressionAttributeValues={":r": "running"})["Items"]  # fmt: skip
    return len(items)


def test_cap_and_slots_reach_the_runner_and_the_kill_switch_the_submit_function(local_stack):
    original = requests.get(f"{local_stack.api_url}/controls", timeout=10).json()
    local_stack.submit(topic="warm the submit function")  # the warm function caches the controls
    try:
        put(local_stack, max_concurrent_tasks=1, runner_slots=2)
        changed = time.monotonic()
        while int(heartbeat(local_stack).get("slots", 0)) != 2:
            assert time.monotonic() - changed < PROPAGATION, f"runner slots still {heartbeat(local_stack)}"
            time.sleep(0.3)
        time.sleep(max(0.0, 11 - (time.monotonic() - changed)))  # the runner's cap cache has expired too

        peak, stop = 0, threading.Event()

        def watch() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, running_jobs(local_stack))
                time.sleep(0.05)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        submitted = [local_stack.submit(topic=f"capped {i}") for i in range(4)]
        for task in submitted:
            done, _ = local_stack.wait_until_done(task["task_id"], timeout=90)
            assert done["status"] == "succeeded"
        stop.set()
        watcher.join()
        assert peak == 1, f"{peak} jobs ran at once under a cap of 1"

        put(local_stack, generation_enabled=False)
        paused = time.monotonic()
        while True:
            response = requests.post(f"{local_stack.api_url}/tasks", json={"account_id": 49, "topic": "paused?"},
                                     timeout=10)  # fmt: skip
            if response.status_code == 503:
                break
            assert response.status_code == 202 and time.monotonic() - paused < PROPAGATION
            time.sleep(0.5)
        assert response.json()["error"]["code"] == "service_disabled"
        put(local_stack, generation_enabled=True)
        resumed = time.monotonic()
        while requests.post(f"{local_stack.api_url}/tasks", json={"account_id": 49, "topic": "resumed"},
                            timeout=10).status_code != 202:  # fmt: skip
            assert time.monotonic() - resumed < PROPAGATION
            time.sleep(0.5)
    finally:
        put(local_stack, **{k: original[k] for k in ("generation_enabled", "max_concurrent_tasks", "runner_slots")})
    history = requests.get(f"{local_stack.api_url}/controls/history", params={"limit": 10}, timeout=10).json()
    assert {"max_concurrent_tasks", "runner_slots", "generation_enabled"} <= {c["control"] for c in history["changes"]}
    assert all(c["who"] == "local" for c in history["changes"])


def test_task_history_shows_the_real_state_path(local_stack):
    task = local_stack.submit(topic="state path")
    local_stack.wait_until_done(task["task_id"])
    deadline = time.monotonic() + 10
    while True:  # the task is stored before the execution enters its last state
        history = requests.get(f"{local_stack.api_url}/tasks/{task['task_id']}/history", timeout=10).json()
        [attempt] = history["attempts"]
        if attempt["execution_status"] == "SUCCEEDED" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    names = [s["name"] for s in attempt["states"]]
    assert names[:2] == ["MarkRunning", "DispatchJob"] and "Poll" in names and names[-1] == "Stored"
    assert attempt["execution_status"] == "SUCCEEDED"
    timings = attempt["timings"]
    assert timings["queued_seconds"] is not None and timings["generating_seconds"] > 0
    assert timings["storing_seconds"] is not None
