"""Approved, auto-published content is announced on the EventBridge bus (once)."""

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from contenthub.aws.s3 import ArticleStore
from contenthub.models import Article
from tests.conftest import api_event, load_handler
from tests.integration.conftest import ddb_item, reset_caches

REGION = "us-east-1"


@pytest.fixture
def subscriber(stack):
    """A publishing service's subscription: a rule on the content bus delivering to a queue."""
    events, sqs = boto3.client("events", region_name=REGION), boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="publisher-inbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus = stack["ContentEventBusName"]
    events.put_rule(Name="publisher", EventBusName=bus, EventPattern=json.dumps({"source": ["contenthub"]}))
    events.put_targets(Rule="publisher", EventBusName=bus, Targets=[{"Id": "inbox", "Arn": arn}])

    def received():
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        for m in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return [json.loads(m["Body"]) for m in messages]

    yield received
    events.remove_targets(Rule="publisher", EventBusName=bus, Ids=["inbox"])
    events.delete_rule(Name="publisher", EventBusName=bus)
    sqs.delete_queue(QueueUrl=url)


def finished_task(stack, lambda_context, **body):
    reset_caches()
    submit = load_handler("submit")
    payload = {"account_id": 49, "topic": "AI trends", "keywords": ["AI"], **body}
    task_id = json.loads(submit.main(api_event("POST", "/tasks", body=payload), lambda_context)["body"])["task_id"]
    boto3.resource("dynamodb", region_name=REGION).Table(stack["TasksTable"]).update_item(
        Key={"task_id": task_id}, UpdateExpression="SET #s = :r", ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":r": "running"},
    )  # fmt: skip
    key = f"articles/{task_id}/attempt-1.json"
    ArticleStore(stack["ArticlesBucket"]).put(key, Article(title="AI trends", body="# AI trends", summary="s"))
    return {"action": "store", "input": {"task_id": task_id, "attempt": 1, "poll": {"result_key": key}}}


def test_approved_auto_publish_content_is_announced_once_and_its_publish_time_scheduled(
    stack, subscriber, lambda_context
):
    due = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    event = finished_task(stack, lambda_context, auto_publish=True, scheduled_publish_at=due.isoformat())
    handle_result = load_handler("handle_result")
    result = handle_result.main(event, lambda_context)
    handle_result.main(event, lambda_context)  # a repeat announces nothing again
    [approved] = subscriber()
    assert approved["detail-type"] == "content.approved" and approved["source"] == "contenthub"
    assert approved["detail"]["content_id"] == result["content_id"] and approved["detail"]["status"] == "approved"
    schedule = boto3.client("scheduler", region_name=REGION).get_schedule(Name=f"publish-{result['content_id']}")
    assert schedule["ScheduleExpression"] == f"at({due.strftime('%Y-%m-%dT%H:%M:%S')})"
    assert schedule["Target"]["Arn"] == stack["ContentEventBusArn"]
    assert schedule["Target"]["EventBridgeParameters"]["DetailType"] == "content.publish_due"
    assert ddb_item(stack["ContentsTable"], {"content_id": result["content_id"]})["announced_at"]


def test_publish_time_in_the_past_sends_publish_due_now(stack, subscriber, lambda_context):
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    event = finished_task(stack, lambda_context, auto_publish=True, scheduled_publish_at=past)
    load_handler("handle_result").main(event, lambda_context)
    assert sorted(e["detail-type"] for e in subscriber()) == ["content.approved", "content.publish_due"]


@pytest.mark.parametrize("body", [{"auto_publish": False}, {"auto_publish": True, "auto_approve": False}])
def test_drafts_and_content_not_auto_published_are_not_announced(stack, subscriber, lambda_context, body):
    load_handler("handle_result").main(finished_task(stack, lambda_context, **body), lambda_context)
    assert subscriber() == []
