"""Dead letters: each DLQ's count, its messages (task, reason, age), redrive back to the source
queue — after which the task still starts exactly once — and "fail the task" instead."""

from __future__ import annotations

import json

import boto3
import pytest

from tests.conftest import load_handler, sqs_event
from tests.integration.conftest import call, drain, queue_messages, reset_caches

REGION = "us-east-1"
QUEUES = {"intake": ("IntakeQueueUrl", "IntakeDlqUrl"), "runner-jobs": ("RunnerJobsQueueUrl", "RunnerJobsDlqUrl"),
          "webhooks": ("WebhookQueueUrl", "WebhookDlqUrl")}  # fmt: skip


@pytest.fixture
def clean(stack):
    reset_caches()
    for source, dlq in QUEUES.values():
        drain(stack[source])
        drain(stack[dlq])
    yield
    for source, dlq in QUEUES.values():
        drain(stack[source])
        drain(stack[dlq])


def dead_letter_a_submit(stack, topic: str = "dead lettered") -> str:
    """Submit a task, then move its intake message to the intake DLQ as SQS's redrive policy would."""
    status, task, _ = call("POST", "/tasks", {"account_id": 49, "topic": topic})
    assert status == 202
    sqs = boto3.client("sqs", region_name=REGION)
    [message] = [m for m in queue_messages(stack["IntakeQueueUrl"]) if task["task_id"] in m["Body"]]
    sqs.send_message(QueueUrl=stack["IntakeDlqUrl"], MessageBody=message["Body"])
    sqs.delete_message(QueueUrl=stack["IntakeQueueUrl"], ReceiptHandle=message["ReceiptHandle"])
    return str(task["task_id"])


def executions(stack, name: str) -> list[dict]:
    listed = boto3.client("stepfunctions", region_name=REGION).list_executions(
        stateMachineArn=stack["StateMachineArn"]
    )["executions"]
    return [e for e in listed if e["name"] == name]


def test_each_dlq_is_listed_with_its_count_and_source(stack, clean):
    task_id = dead_letter_a_submit(stack)
    status, body, _ = call("GET", "/dlq")
    assert status == 200
    queues = {q["name"]: q for q in body["queues"]}
    assert set(queues) == {"intake", "runner-jobs", "webhooks"}
    assert queues["intake"]["count"] == 1 and queues["webhooks"]["count"] == 0
    assert queues["intake"]["source"] == stack["IntakeQueueUrl"].rsplit("/", 1)[-1]
    assert queues["intake"]["can_fail_tasks"] and not queues["webhooks"]["can_fail_tasks"]
    status, peeked, _ = call("GET", "/dlq/intake/messages")
    assert status == 200 and peeked["count"] == 1
    [letter] = peeked["messages"]
    assert letter["task_id"] == task_id and letter["attempt"] == 1 and letter["task_status"] == "pending"
    assert letter["receive_count"] >= 1 and "without being processed" in letter["reason"]
    assert letter["age_seconds"] >= 0 and letter["sent_at"].endswith("Z")
    # Looking does not take the message.
    assert call("GET", "/dlq/intake/messages")[1]["messages"][0]["message_id"] == letter["message_id"]


def test_a_redriven_intake_message_starts_its_task_exactly_once(stack, clean, lambda_context):
    task_id = dead_letter_a_submit(stack)
    _, peeked, _ = call("GET", "/dlq/intake/messages")
    message_id = peeked["messages"][0]["message_id"]
    status, result, _ = call("POST", "/dlq/intake/redrive", {"message_ids": [message_id, "no-such-message"]})
    assert status == 200 and result["moved"] == [message_id] and result["not_found"] == ["no-such-message"]
    assert call("GET", "/dlq")[1]["queues"][0]["count"] == 0
    [back] = [m for m in queue_messages(stack["IntakeQueueUrl"]) if task_id in m["Body"]]
    # The dispatcher gets the redriven message, and (at least once) a copy of it: one execution.
    dispatch = load_handler("dispatch")
    body = json.loads(back["Body"])
    assert dispatch.main(sqs_event([body]), lambda_context) == {"batchItemFailures": []}
    assert dispatch.main(sqs_event([body, body]), lambda_context) == {"batchItemFailures": []}
    assert len(executions(stack, task_id)) == 1


def test_redrive_all_moves_every_message_back(stack, clean):
    ids = {dead_letter_a_submit(stack, f"all {i}") for i in range(3)}
    status, result, _ = call("POST", "/dlq/intake/redrive", {"all": True})
    assert status == 200 and len(result["moved"]) == 3
    assert ids <= {json.loads(m["Body"])["task_id"] for m in queue_messages(stack["IntakeQueueUrl"])}


def test_fail_the_task_instead_ends_it_failed_with_the_reason(stack, clean):
    task_id = dead_letter_a_submit(stack)
    status, result, _ = call("POST", "/dlq/intake/fail", {"all": True, "reason": "bad brief, not worth a retry"})
    assert status == 200 and [(t["task_id"], t["outcome"]) for t in result["tasks"]] == [(task_id, "failed")]
    _, task, _ = call("GET", f"/tasks/{task_id}")
    assert task["status"] == "failed" and task["error"] == "dead-lettered: bad brief, not worth a retry"
    assert call("GET", "/dlq/intake/messages")[1]["messages"] == []
    # Failing again (a repeat from the console) finds nothing and changes nothing.
    again = call("POST", "/dlq/intake/fail", {"message_ids": [result["tasks"][0]["message_id"]]})
    assert again[0] == 200 and again[1]["tasks"] == [] and again[1]["not_found"]


def test_a_dead_lettered_message_of_an_ended_task_is_removed_without_changing_it(stack, clean):
    task_id = dead_letter_a_submit(stack)
    assert call("POST", f"/tasks/{task_id}/cancel")[0] == 200
    _, result, _ = call("POST", "/dlq/intake/fail", {"all": True})
    assert result["tasks"][0]["outcome"] == "already cancelled"
    assert call("GET", f"/tasks/{task_id}")[1]["status"] == "cancelled"


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [("/dlq/webhooks/fail", {"all": True}, 422), ("/dlq/intake/redrive", {}, 422),
     ("/dlq/intake/redrive", {"all": True, "message_ids": ["x"]}, 422), ("/dlq/nowhere/redrive", {"all": True}, 422)],
)  # fmt: skip
def test_bad_requests_are_4xx(stack, clean, path, body, status):
    got, error, _ = call("POST", path, body)
    assert got == status and "error" in error
