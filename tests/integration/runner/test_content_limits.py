"""The runner's article becomes a Content item within DynamoDB's limits (issue #12, Medium #5):
float metadata is stored exactly, oversized fields are cut in the item (the full article stays in
S3 at body_s3_key, and the item says which fields were cut), and the task succeeds."""

import json
from decimal import Decimal

import boto3
import pytest

from contenthub import dal
from contenthub.aws.s3 import ArticleStore
from contenthub.models import Article, JobRequest, job_id_for, utc_now
from contenthub.settings import Settings
from contenthub.states import CreatorKind
from contenthub_runner.creators import build_creator
from contenthub_runner.job import result_key, run_job
from tests.conftest import FAKE_CREATOR, api_event, load_handler
from tests.fixtures.fake_creator import FLOATS
from tests.integration.conftest import reset_caches

REGION = "us-east-1"
FEW_KB = 4096


@pytest.fixture
def handlers(stack):
    reset_caches()
    return {name: load_handler(name) for name in ("submit", "handle_result")}


def submit(stack, handlers, lambda_context, topic):
    response = handlers["submit"].main(api_event("POST", "/tasks", body={"account_id": 49, "topic": topic}),
                                       lambda_context)  # fmt: skip
    assert response["statusCode"] == 202, response["body"]
    task_id = json.loads(response["body"])["task_id"]
    boto3.resource("dynamodb", region_name=REGION).Table(stack["TasksTable"]).update_item(
        Key={"task_id": task_id}, UpdateExpression="SET #s = :r, started_at = :now",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":r": "running", ":now": utc_now().isoformat()},
    )  # fmt: skip
    return task_id


def store(handlers, lambda_context, task_id, key):
    state = {"task_id": task_id, "attempt": 1, "poll": {"status": "succeeded", "result_key": key}}
    return handlers["handle_result"].main({"action": "store", "input": state}, lambda_context)


def raw_item(stack, content_id):
    table = boto3.resource("dynamodb", region_name=REGION).Table(stack["ContentsTable"])
    return table.get_item(Key={"content_id": content_id}, ConsistentRead=True)["Item"]


def test_float_metadata_and_a_600_kb_summary_are_stored_and_the_task_succeeds(
    stack, handlers, lambda_context, tmp_path, monkeypatch
):
    monkeypatch.setenv("FAKE_CREATOR_STATE", str(tmp_path))
    task_id = submit(stack, handlers, lambda_context, "floaty")
    job = JobRequest(job_id=job_id_for(task_id, 1), task_id=task_id, attempt=1, account_id=49, topic="floaty")
    creator = build_creator(CreatorKind.CLI, Settings(CREATOR_CLI_PATH=FAKE_CREATOR, CREATOR_MODE="sync"))
    articles = ArticleStore(stack["ArticlesBucket"])
    assert run_job(job, creator, dal.JobRepository(stack["JobsTable"]), articles) == "succeeded"

    result = store(handlers, lambda_context, task_id, result_key(job))
    assert result["status"] == "succeeded" and result["changed"] is True
    assert len(json.dumps(result)) <= FEW_KB  # HandleResult's output is kept in the execution's state
    task = dal.TaskRepository(stack["TasksTable"]).get(task_id)
    assert task.status == "succeeded" and task.content_id == result["content_id"]

    content = dal.ContentRepository(stack["ContentsTable"]).get(result["content_id"])
    assert content.metadata == {"creator": "fake-cli", **FLOATS}  # exactly, floats included
    assert repr(content.metadata["sum"]) == "0.30000000000000004" and content.metadata["third"] == 1 / 3
    assert content.metadata["big"] == 2**70
    assert content.summary.startswith("SSS") and "truncated" in content.summary
    assert len(content.summary.encode()) <= FEW_KB
    assert content.truncated == ["summary"] and content.body_s3_key == result_key(job)
    assert len(articles.get(content.body_s3_key).summary) == 600_000  # the whole article is in S3
    item = raw_item(stack, result["content_id"])
    assert item["metadata"]["sum"] == Decimal("0.30000000000000004")  # a number, not text


@pytest.mark.parametrize(
    ("article", "cut"),
    [
        (Article(title="T" * 5000, body="b"), ["title"]),
        (Article(title="t", body="b", tags=["ok", "x" * 500]), ["tags"]),
        (Article(title="t", body="b", metadata={"blob": "m" * 100_000}), ["metadata"]),
        (Article(title="t", body="b", metadata={"huge": 1e300, "ok": 1}), ["metadata"]),  # past DynamoDB's range
        (Article(title="t", body="b", metadata={"n": 10**40}), ["metadata"]),  # past its 38 digits
        (Article(title="t", body="b", metadata={"deep": json.loads("[" * 40 + "]" * 40)}), ["metadata"]),
    ],
)
def test_a_field_over_its_limit_is_cut_in_the_item_and_kept_in_s3(stack, handlers, lambda_context, article, cut):
    task_id = submit(stack, handlers, lambda_context, "limits")
    key = f"articles/{task_id}/attempt-1.json"
    ArticleStore(stack["ArticlesBucket"]).put(key, article)
    result = store(handlers, lambda_context, task_id, key)
    assert result["status"] == "succeeded", result
    content = dal.ContentRepository(stack["ContentsTable"]).get(result["content_id"])
    assert content.truncated == cut and content.body_s3_key == key
    if "title" in cut:
        assert content.title.startswith("TTT") and "truncated" in content.title
    if "tags" in cut:
        assert content.tags[0] == "ok" and "truncated" in content.tags[1]
    if "metadata" in cut:
        assert content.metadata == {}
    assert ArticleStore(stack["ArticlesBucket"]).get(key) == article
