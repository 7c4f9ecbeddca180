"""dispatch, poll and handle_result on moto, with the deployed template's tables and queues."""

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from contenthub import dal
from contenthub.aws.s3 import ArticleStore
from contenthub.models import Article, job_id_for, utc_now
from tests.conftest import api_event, load_handler, sqs_event
from tests.integration.conftest import ddb_item, reset_caches

REGION = "us-east-1"


@pytest.fixture
def handlers(stack):
    reset_caches()
    return {name: load_handler(name) for name in ("submit", "dispatch", "poll", "handle_result")}


@pytest.fixture
def new_task(handlers, lambda_context):
    def create(**overrides):
        body = {"account_id": 49, "topic": "AI trends", "keywords": ["AI", "machine learning"], **overrides}
        response = handlers["submit"].main(api_event("POST", "/tasks", body=body), lambda_context)
        assert response["statusCode"] == 202, response["body"]
        return json.loads(response["body"])["task_id"]

    return create


def executions(stack, name):
    sfn = boto3.client("stepfunctions", region_name=REGION)
    listed = sfn.list_executions(stateMachineArn=stack["StateMachineArn"])["executions"]
    return [e for e in listed if e["name"] == name]


def test_dispatch_starts_one_execution_named_after_the_task(stack, handlers, new_task, lambda_context):
    task_id = new_task()
    result = handlers["dispatch"].main(sqs_event([{"task_id": task_id, "attempt": 1}]), lambda_context)
    assert result == {"batchItemFailures": []}
    [execution] = executions(stack, task_id)
    described = boto3.client("stepfunctions", region_name=REGION).describe_execution(
        executionArn=execution["executionArn"]
    )
    payload = json.loads(described["input"])
    assert payload["job"]["topic"] == "AI trends" and payload["job"]["job_id"] == job_id_for(task_id, 1)
    assert payload["timing"]["first_wait"] >= 1 and payload["timing"]["poll_interval"] >= 1


def test_duplicate_delivery_starts_nothing_new(stack, handlers, new_task, lambda_context):
    task_id = new_task()
    message = {"task_id": task_id, "attempt": 1}
    handlers["dispatch"].main(sqs_event([message]), lambda_context)
    again = handlers["dispatch"].main(sqs_event([message, message]), lambda_context)
    assert again == {"batchItemFailures": []}
    assert len(executions(stack, task_id)) == 1


def test_malformed_message_is_reported_as_a_batch_item_failure(handlers, new_task, lambda_context):
    task_id = new_task()
    event = sqs_event(["{not json", {"task_id": task_id, "attempt": 1}])
    result = handlers["dispatch"].main(event, lambda_context)
    assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}


def test_unknown_task_is_consumed_without_starting_anything(stack, handlers, lambda_context):
    result = handlers["dispatch"].main(sqs_event([{"task_id": "task-ffffffffffff"}]), lambda_context)
    assert result == {"batchItemFailures": []}
    assert executions(stack, "task-ffffffffffff") == []


def _mark_running(stack, task_id):
    boto3.resource("dynamodb", region_name=REGION).Table(stack["TasksTable"]).update_item(
        Key={"task_id": task_id},
        UpdateExpression="SET #s = :r, started_at = :now",  # as the state machine's MarkRunning does
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":r": "running", ":now": utc_now().isoformat()},
    )


def _poll(handlers, lambda_context, task_id, started_at=None):
    started = (started_at or utc_now()).isoformat()
    return handlers["poll"].main({"task_id": task_id, "attempt": 1, "started_at": started}, lambda_context)


def test_poll_running_reports_and_records_progress(stack, handlers, new_task, lambda_context):
    task_id = new_task()
    _mark_running(stack, task_id)
    waiting = _poll(handlers, lambda_context, task_id)  # no runner has it yet
    assert waiting["status"] == "running" and waiting["stage"].startswith("waiting for a free runner slot (")
    jobs = dal.JobRepository(stack["JobsTable"])
    jobs.start(job_id_for(task_id, 1), task_id, "offline", utc_now())
    jobs.progress(job_id_for(task_id, 1), 40, "drafting", utc_now())
    outcome = _poll(handlers, lambda_context, task_id)
    assert outcome["status"] == "running" and outcome["progress"] == 40 and outcome["stage"] == "drafting"
    task = ddb_item(stack["TasksTable"], {"task_id": task_id})
    assert task["progress"] == 40 and task["stage"] == "drafting"


def test_poll_succeeded_and_failed(stack, handlers, new_task, lambda_context):
    jobs = dal.JobRepository(stack["JobsTable"])
    ok, bad = new_task(), new_task()
    for task_id in (ok, bad):
        _mark_running(stack, task_id)
        jobs.start(job_id_for(task_id, 1), task_id, "offline", utc_now())
    jobs.succeed(job_id_for(ok, 1), f"articles/{ok}/attempt-1.json", utc_now())
    jobs.fail(job_id_for(bad, 1), "creator exited with code 3", utc_now())
    assert _poll(handlers, lambda_context, ok) == {
        "status": "succeeded",
        "progress": 100,
        "stage": "done",
        "error": None,
        "result_key": f"articles/{ok}/attempt-1.json",
    }
    failed = _poll(handlers, lambda_context, bad)
    assert failed["status"] == "failed" and failed["error"] == "creator exited with code 3"


def test_poll_times_out_after_async_task_timeout(stack, handlers, new_task, lambda_context):
    task_id = new_task()
    _mark_running(stack, task_id)
    long_ago = datetime.now(UTC) - timedelta(seconds=1801)
    outcome = _poll(handlers, lambda_context, task_id, started_at=long_ago)
    assert outcome["status"] == "timed_out" and "ASYNC_TASK_TIMEOUT=1800" in outcome["error"]


def _finished_job(stack, task_id):
    key = f"articles/{task_id}/attempt-1.json"
    ArticleStore(stack["ArticlesBucket"]).put(
        key,
        Article(
            title="AI trends",
            body="# AI trends\n\nAbout AI.",
            summary="s",
            tags=["AI"],
            metadata={"creator": "offline"},
        ),
    )
    return {"task_id": task_id, "attempt": 1, "poll": {"status": "succeeded", "result_key": key}}


def test_handle_result_stores_content_exactly_once(stack, handlers, new_task, lambda_context):
    task_id = new_task(auto_publish=True, scheduled_publish_at="2026-12-01T08:00:00Z")
    _mark_running(stack, task_id)
    state = _finished_job(stack, task_id)
    first = handlers["handle_result"].main({"action": "store", "input": state}, lambda_context)
    second = handlers["handle_result"].main({"action": "store", "input": state}, lambda_context)
    assert first["changed"] is True and second["changed"] is False
    assert first["content_id"] == second["content_id"]
    content = ddb_item(stack["ContentsTable"], {"content_id": first["content_id"]})
    assert content["generation_task_id"] == task_id
    assert content["status"] == "approved" and content["auto_publish"] is True
    assert content["scheduled_publish_at"] == "2026-12-01T08:00:00.000Z"
    assert content["body"].startswith("# AI trends")
    task = ddb_item(stack["TasksTable"], {"task_id": task_id})
    assert task["status"] == "succeeded" and task["content_id"] == first["content_id"] and task["progress"] == 100
    contents = boto3.resource("dynamodb", region_name=REGION).Table(stack["ContentsTable"])
    same_task = contents.query(
        IndexName="by_task", KeyConditionExpression="generation_task_id = :t", ExpressionAttributeValues={":t": task_id}
    )["Items"]
    assert len(same_task) == 1


def test_handle_result_draft_when_not_auto_approved(stack, handlers, new_task, lambda_context):
    task_id = new_task(auto_approve=False)
    _mark_running(stack, task_id)
    result = handlers["handle_result"].main({"action": "store", "input": _finished_job(stack, task_id)}, lambda_context)
    assert ddb_item(stack["ContentsTable"], {"content_id": result["content_id"]})["status"] == "draft"


def test_mark_failed_records_the_reason_once_and_counts_once(stack, handlers, new_task, lambda_context):
    task_id = new_task()
    _mark_running(stack, task_id)
    counters = dal.CounterRepository(stack["CountersTable"])
    before = counters.read(["failed"], utc_now())["failed"]
    state = {"task_id": task_id, "attempt": 1, "poll": {"status": "failed", "error": "creator exited with code 3"}}
    first = handlers["handle_result"].main({"action": "fail", "input": state}, lambda_context)
    again = handlers["handle_result"].main({"action": "fail", "input": state}, lambda_context)
    assert (first["status"], first["error"], first["changed"]) == ("failed", "creator exited with code 3", True)
    assert again["changed"] is False
    task = ddb_item(stack["TasksTable"], {"task_id": task_id})
    assert task["status"] == "failed" and task["error"] == "creator exited with code 3"
    assert counters.read(["failed"], utc_now())["failed"] == before + 1


def test_handle_result_without_runner_output_raises_so_the_state_machine_catches(
    stack, handlers, new_task, lambda_context
):
    task_id = new_task()
    _mark_running(stack, task_id)
    state = {"task_id": task_id, "attempt": 1, "poll": {"status": "succeeded", "result_key": "articles/missing.json"}}
    with pytest.raises(Exception, match="does not exist"):
        handlers["handle_result"].main({"action": "store", "input": state}, lambda_context)
    assert ddb_item(stack["TasksTable"], {"task_id": task_id})["status"] == "running"


def test_metrics_count_from_counters(stack, handlers, new_task, lambda_context):
    reset_caches()
    metrics = load_handler("metrics")
    before = json.loads(metrics.main(api_event("GET", "/metrics"), lambda_context)["body"])
    new_task()
    after = json.loads(metrics.main(api_event("GET", "/metrics"), lambda_context)["body"])
    assert after["total_tasks"] == before["total_tasks"] + 1
    assert after["tasks_today"] == before["tasks_today"] + 1
    health = metrics.main(api_event("GET", "/health"), lambda_context)
    assert health["statusCode"] == 200 and json.loads(health["body"])["status"] == "healthy"


def test_the_first_wait_is_learned_from_recent_generation_times(stack, handlers, new_task, lambda_context):
    times = dal.GenerationTimes(stack["CountersTable"])
    for seconds in (42.0, 40.0, 300.0):
        times.record("offline", seconds)
    task_id = new_task()
    handlers["dispatch"].main(sqs_event([{"task_id": task_id, "attempt": 1}]), lambda_context)
    [execution] = executions(stack, task_id)
    described = boto3.client("stepfunctions", region_name=REGION).describe_execution(
        executionArn=execution["executionArn"]
    )
    assert json.loads(described["input"])["timing"]["first_wait"] == 40  # the 10th percentile


def test_a_stored_result_teaches_the_dispatcher_its_first_wait(stack, handlers, new_task, lambda_context):
    task_id = new_task()
    _mark_running(stack, task_id)
    dal.JobRepository(stack["JobsTable"]).start(f"{task_id}#1", task_id, "learning-kind", utc_now())
    result = handlers["handle_result"].main({"action": "store", "input": _finished_job(stack, task_id)}, lambda_context)
    assert result["changed"] and result["generation_seconds"] >= 0 and result["queue_wait_seconds"] >= 0
    assert dal.GenerationTimes(stack["CountersTable"]).recent("learning-kind") == [result["generation_seconds"]]
