"""What must hold on a local stack after any scenario, whatever faults it injected.

- every task is in exactly one known state; a pending/running one is legitimately so (its
  current attempt's execution is still running, or its intake message is still queued);
- a succeeded task has exactly one Content, any other task none (a retried task's earlier
  attempts never stored one);
- no runner slot is held (longer than one idle receive) beyond the jobs actually running;
- no message is stuck: nothing waits in the work queues but jobs of running tasks (what failed
  for good sits in a DLQ, where the operator sees it);
- the operator's numbers agree with the tasks table: /metrics `in_flight` equals the tasks
  pending or running, and no status counter is below the tasks that hold it.

`check(stack)` gives the stack up to `settle` seconds to reach them (work in flight settles),
then asserts, naming every violation. The scans are test-only; the product itself never scans.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime
from typing import Any

import boto3
import requests

ACTIVE = ("pending", "running")
TERMINAL = ("succeeded", "failed", "cancelled", "timed_out")
IDLE_HOLD = 5  # seconds an idle runner may hold a slot around one receive


def _scan(table: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"ConsistentRead": True}
    while True:
        page = table.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _execution_name(task: dict[str, Any]) -> str:
    attempt = int(task.get("attempt", 1))
    return task["task_id"] if attempt == 1 else f"{task['task_id']}-attempt-{attempt}"


class Snapshot:
    def __init__(self, stack: Any):
        self.stack = stack
        dynamodb = boto3.resource("dynamodb", endpoint_url=stack.endpoint, region_name="us-east-1")
        outputs = stack.outputs
        self.tasks = _scan(dynamodb.Table(outputs["TasksTable"]))
        self.contents = _scan(dynamodb.Table(outputs["ContentsTable"]))
        # A runner takes a slot before each receive (≤ 1 s long poll) and gives it back when the
        # queue is empty; a slot held longer than that belongs to a job.
        now = time.time()
        self.slots = [
            item
            for item in _scan(dynamodb.Table(outputs["CountersTable"]))
            if str(item["name"]).startswith("lease:slot:")
            and item.get("holder")
            and float(item.get("expires_at", 0)) >= now
            and now - datetime.fromisoformat(str(item["acquired_at"]).replace("Z", "+00:00")).timestamp() > IDLE_HOLD
        ]
        sqs = stack.client("sqs")
        self.queues = {}
        for name in ("IntakeQueueUrl", "RunnerJobsQueueUrl", "WebhookQueueUrl"):
            # Waiting messages (visible or delayed). One in flight is with a consumer, or goes back
            # to the queue when its visibility timeout ends (e.g. its runner was killed): not stuck.
            attributes = sqs.get_queue_attributes(
                QueueUrl=outputs[name],
                AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed"],
            )["Attributes"]
            self.queues[name] = sum(int(v) for v in attributes.values())
        self.metrics = requests.get(f"{stack.api_url}/metrics", timeout=10).json()
        self.by_status = Counter(task["status"] for task in self.tasks)

    @property
    def active(self) -> list[dict[str, Any]]:
        return [task for task in self.tasks if task["status"] in ACTIVE]


def _executions(stack: Any) -> dict[str, str]:
    """Every execution of the state machine: name → status (one paginated list, not a call per task)."""
    paginator = stack.client("stepfunctions").get_paginator("list_executions")
    return {
        execution["name"]: execution["status"]
        for page in paginator.paginate(stateMachineArn=stack.outputs["StateMachineArn"])
        for execution in page["executions"]
    }


def check(stack: Any, settle: float = 90) -> Snapshot:
    """Assert the invariants, giving the stack up to `settle` seconds to go quiet first."""
    deadline = time.monotonic() + settle
    while True:
        snapshot = Snapshot(stack)
        problems = violations(stack, snapshot)
        if not problems or time.monotonic() > deadline:
            break
        time.sleep(1)
    return problems


def violations(stack: Any, snapshot: Snapshot) -> list[str]:
    problems: list[str] = []
    executions = _executions(stack)
    for task in snapshot.tasks:
        status = task["status"]
        if status not in ACTIVE + TERMINAL:
            problems.append(f"{task['task_id']}: unknown status {status!r}")
        elif status in ACTIVE:
            execution = executions.get(_execution_name(task))
            if execution != "RUNNING" and not (status == "pending" and snapshot.queues["IntakeQueueUrl"]):
                problems.append(f"{task['task_id']}: {status} but its execution is {execution} and nothing is queued")
        elif status in TERMINAL and executions.get(_execution_name(task)) == "RUNNING":
            problems.append(f"{task['task_id']}: {status} but its execution still runs")

    contents = Counter(content["generation_task_id"] for content in snapshot.contents)
    for task in snapshot.tasks:
        expected = 1 if task["status"] == "succeeded" else 0
        if contents[task["task_id"]] != expected:
            problems.append(f"{task['task_id']}: {task['status']} with {contents[task['task_id']]} contents")

    running = snapshot.by_status["running"]
    if len(snapshot.slots) > running:
        problems.append(f"{len(snapshot.slots)} runner slots held over {IDLE_HOLD}s, {running} tasks running")
    for name in ("IntakeQueueUrl", "WebhookQueueUrl"):
        if snapshot.queues[name]:
            problems.append(f"{snapshot.queues[name]} messages still in {name}")
    if snapshot.queues["RunnerJobsQueueUrl"] > len(snapshot.active):
        problems.append(f"{snapshot.queues['RunnerJobsQueueUrl']} runner jobs queued for {len(snapshot.active)} tasks")

    metrics = snapshot.metrics
    if metrics["in_flight"] != len(snapshot.active):
        problems.append(f"/metrics in_flight={metrics['in_flight']} but {len(snapshot.active)} tasks are active")
    for status in TERMINAL:
        if metrics["by_status"][status] < snapshot.by_status[status]:
            problems.append(
                f"/metrics {status}={metrics['by_status'][status]} below the {snapshot.by_status[status]} tasks"
            )
    if metrics["total_tasks"] < len(snapshot.tasks):
        problems.append(f"/metrics total_tasks={metrics['total_tasks']} below the {len(snapshot.tasks)} tasks")
    return problems
