"""The tasks API beyond submit/get: batch, list + pages, cancel, retry, cleanup, stats, idempotency."""

import json
from datetime import timedelta

import boto3
import pytest

from contenthub import dal
from contenthub.logic.tasks import cleanup
from contenthub.models import job_id_for, utc_now
from tests.conftest import load_handler
from tests.integration.conftest import call, ddb_item, drain, reset_caches


@pytest.fixture(scope="module")
def api(stack):
    reset_caches()
    submit = load_handler("submit")
    call("POST", "/accounts", {"account_id": 201, "name": "pool", "topics": ["alpha", "beta", "gamma"]})
    call("POST", "/accounts", {"account_id": 202, "name": "pages"})
    call("POST", "/accounts", {"account_id": 203, "name": "no pool"})
    call("POST", "/accounts", {"account_id": 204, "name": "tight", "daily_quota": 2, "topics": ["z"]})
    return submit


def received(url):
    """Every message now in the queue (each received once; they stay hidden for the test)."""
    sqs, bodies = boto3.client("sqs", region_name="us-east-1"), []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60).get("Messages", []):
        bodies += [json.loads(m["Body"]) for m in batch]
    return bodies


def test_batch_uses_the_topic_pool_least_recently_used_first(api, stack):
    drain(stack["IntakeQueueUrl"])
    status, first, _ = call("POST", "/tasks/batch", {"account_ids": [201, 49], "count_per_account": 2})
    assert status == 202 and first["created"] == 4
    assert [t["topic"] for t in first["tasks"] if t["account_id"] == 201] == ["alpha", "beta"]
    second = call("POST", "/tasks/batch", {"account_ids": [201], "count_per_account": 2})[1]
    assert [t["topic"] for t in second["tasks"]] == ["gamma", "alpha"]
    given = call("POST", "/tasks/batch", {"account_ids": [203], "count_per_account": 3, "topics": ["x", "y"]})[1]
    assert [t["topic"] for t in given["tasks"]] == ["x", "y", "x"] and {t["source"] for t in given["tasks"]} == {
        "batch"
    }
    queued = {body["task_id"] for body in received(stack["IntakeQueueUrl"])}
    assert {t["task_id"] for t in first["tasks"] + second["tasks"] + given["tasks"]} <= queued


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"account_ids": [201, 999998], "count_per_account": 1}, 404, "account_not_found"),
        ({"account_ids": [203], "count_per_account": 1}, 422, "invalid_request"),  # no pool, no topics
        ({"account_ids": [204], "count_per_account": 3}, 429, "quota_exceeded"),
        ({"account_ids": [201], "count_per_account": -1}, 422, "validation_error"),
        ({"account_ids": [201], "count_per_account": 21}, 422, "validation_error"),
        ({"account_ids": [], "count_per_account": 1}, 422, "validation_error"),
        ({"account_ids": [201, 201]}, 422, "validation_error"),
    ],
)
def test_bad_batches_create_nothing(api, body, status, code):
    before = len(call("GET", "/tasks", query={"account_id": 201, "limit": 100})[1]["tasks"])
    got, answer, _ = call("POST", "/tasks/batch", body)
    assert got == status and answer["error"]["code"] == code, answer
    assert len(call("GET", "/tasks", query={"account_id": 201, "limit": 100})[1]["tasks"]) == before


def test_list_pages_through_more_than_one_page(api):
    submitted = [call("POST", "/tasks", {"account_id": 202, "topic": f"page {i}"})[1]["task_id"] for i in range(5)]
    seen, cursor, pages = [], None, 0
    while True:
        query = {"account_id": 202, "limit": 2, **({"cursor": cursor} if cursor else {})}
        status, page, _ = call("GET", "/tasks", query=query)
        assert status == 200 and len(page["tasks"]) <= 2
        seen += [t["task_id"] for t in page["tasks"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert pages >= 3 and seen == list(reversed(submitted))  # newest first, each once
    # The same over the unfiltered list (month partitions) and the status index.
    everything, cursor = [], None
    while True:
        page = call("GET", "/tasks", query={"limit": 3, **({"cursor": cursor} if cursor else {})})[1]
        everything += [t["task_id"] for t in page["tasks"]]
        if not (cursor := page["next_cursor"]):
            break
    assert set(submitted) <= set(everything) and len(everything) == len(set(everything))
    pending = call("GET", "/tasks", query={"status": "pending", "account_id": 202, "limit": 100})[1]["tasks"]
    assert {t["task_id"] for t in pending} == set(submitted)


def test_list_time_window_and_bad_queries(api):
    recent = call("GET", "/tasks", query={"account_id": 202, "since": (utc_now() - timedelta(hours=1)).isoformat()})
    assert recent[0] == 200 and recent[1]["tasks"]
    future = call("GET", "/tasks", query={"account_id": 202, "since": (utc_now() + timedelta(days=1)).isoformat()})
    assert future[1]["tasks"] == []
    assert call("GET", "/tasks", query={"cursor": "not-a-cursor"})[1]["error"]["code"] == "invalid_request"
    assert call("GET", "/tasks", query={"status": "sleeping"})[0] == 422
    assert call("GET", "/tasks", query={"limit": 0})[0] == 422
    status, body, _ = call("GET", "/tasks", query={"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"})
    assert status == 422 and "since" in body["error"]["message"]
    # An unfiltered list over centuries would be a query per month: refused, with a way out.
    status, body, _ = call("GET", "/tasks", query={"since": "0677-01-21T03:55:23Z"})
    assert status == 422 and "at most 36 months" in body["error"]["message"]
    assert call("GET", "/tasks", query={"since": "0677-01-21T03:55:23Z", "account_id": 202})[0] == 200


def test_cancel_then_retry_keeps_the_history(api, stack):
    drain(stack["IntakeQueueUrl"])
    task_id = call("POST", "/tasks", {"account_id": 49, "topic": "to cancel"})[1]["task_id"]
    status, cancelled, _ = call("POST", f"/tasks/{task_id}/cancel")
    assert status == 200 and cancelled["status"] == "cancelled" and cancelled["error"] == "cancelled by an operator"
    assert ddb_item(stack["JobsTable"], {"job_id": job_id_for(task_id, 1)})["cancel_requested"]
    again = call("POST", f"/tasks/{task_id}/cancel")
    assert again[0] == 409 and "already cancelled" in again[1]["error"]["message"]

    status, retried, _ = call("POST", f"/tasks/{task_id}/retry")
    assert status == 202 and retried["status"] == "pending" and retried["attempt"] == 2 and retried["error"] is None
    assert retried["history"][0]["attempt"] == 1 and retried["history"][0]["status"] == "cancelled"
    assert {"task_id": task_id, "attempt": 2} in received(stack["IntakeQueueUrl"])
    assert call("POST", f"/tasks/{task_id}/retry")[0] == 409  # pending: nothing to retry
    assert call("POST", "/tasks/task-000000000000/cancel")[0] == 404
    assert call("POST", "/tasks/not-a-task/retry")[0] == 422


def test_cleanup_counts_then_deletes_only_old_finished_tasks(api, stack):
    tasks = dal.tasks()
    finished = call("POST", "/tasks", {"account_id": 49, "topic": "old and done"})[1]["task_id"]
    call("POST", f"/tasks/{finished}/cancel")
    waiting = call("POST", "/tasks", {"account_id": 49, "topic": "old but pending"})[1]["task_id"]
    later = utc_now() + timedelta(days=31)
    counted = cleanup(tasks, 30, dry_run=True, now=later)
    assert counted.dry_run and counted.matched and tasks.get(finished)
    done = cleanup(tasks, 30, dry_run=False, now=later)
    assert done.deleted and tasks.get(finished) is None and tasks.get(waiting) is not None
    status, body, _ = call("POST", "/tasks/cleanup", {})
    assert status == 200 and body["dry_run"] is True and body["older_than_days"] == 30
    assert call("POST", "/tasks/cleanup", {"older_than_days": 0})[0] == 422


def test_stats_and_daily_stats(api, stack):
    status, stats, _ = call("GET", "/tasks/stats")
    assert status == 200 and stats["by_status"]["pending"] >= 1 and stats["by_status"]["cancelled"] >= 1
    assert stats["total_tasks"] >= stats["by_status"]["pending"] and stats["retried"] >= 1
    daily = call("GET", "/stats", query={"days": 3})[1]["days"]
    assert len(daily) == 3 and daily[0]["date"] == utc_now().strftime("%Y-%m-%d") and daily[0]["submitted"] >= 1
    assert call("GET", "/stats", query={"days": 0})[0] == 422


def test_idempotency_key_returns_the_first_response(api, stack):
    body = {"account_id": 49, "topic": "once only"}
    headers = {"Idempotency-Key": "order-7f3a"}
    first = call("POST", "/tasks", body, headers=headers)
    repeat = call("POST", "/tasks", body, headers=headers)
    assert first[0] == repeat[0] == 202 and first[1]["task_id"] == repeat[1]["task_id"]
    assert repeat[2].get("Idempotent-Replayed") == "true" and "Idempotent-Replayed" not in first[2]
    different = call("POST", "/tasks", {**body, "topic": "something else"}, headers=headers)
    assert different[0] == 422 and different[1]["error"]["code"] == "idempotency_key_reused"
    same_topic = [
        t
        for t in call("GET", "/tasks", query={"account_id": 49, "limit": 100})[1]["tasks"]
        if t["topic"] == "once only"
    ]
    assert len(same_topic) == 1
    assert call("POST", "/tasks", body, headers={"Idempotency-Key": "bad key\t"})[0] == 422
