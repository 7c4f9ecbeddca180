"""Filtered lists (tasks by status + account, contents by account + status) cost a bounded number
of DynamoDB requests per page however rare the matches, and walking next_cursor still returns
every match exactly once, newest first (issue #12, item 6)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from contenthub import aws
from contenthub.dal import pages
from contenthub.dal.tasks import task_item
from contenthub.models import Task
from tests.integration.conftest import call, reset_caches

WINDOW = {"since": "2020-01-01T00:00:00Z", "until": "2020-02-01T00:00:00Z"}
BUDGET = {"FILTERED_READ": 4, "FILTERED_REQUESTS": 3}  # small, so 40 items cross many budgets


@pytest.fixture(scope="module")
def rows(stack) -> dict[str, list[str]]:
    """40 succeeded tasks in January 2020, account 7001's but 3 of 7002's (the 6th, 21st and 36th
    newest); 40 contents of account 7003, drafts but those 3 approved; written as the pipeline
    writes them."""
    reset_caches()
    dynamodb = boto3.resource("dynamodb", region_name="us-east-1")
    tasks, contents = dynamodb.Table(stack["TasksTable"]), dynamodb.Table(stack["ContentsTable"])
    ids: dict[str, list[str]] = {"tasks-7001": [], "tasks-7002": [], "contents-draft": [], "contents-approved": []}
    for n in range(40):
        rare = n in (5, 20, 35)
        account = 7002 if rare else 7001
        created = f"2020-01-{28 - n // 2:02d}T{23 - n % 2:02d}:00:00.000Z"  # newest first as n grows
        task_id = f"task-70{n:010d}"
        tasks.put_item(Item=task_item(Task(task_id=task_id, account_id=account, status="succeeded", topic="t",
                                           auto_approve=True, created_at=created, updated_at=created)))  # fmt: skip
        content_id = f"content-70{n:010d}-1"
        review = "approved" if rare else "draft"
        contents.put_item(Item={"content_id": content_id, "account_id": 7003, "generation_task_id": task_id,
                                "title": "t", "status": review, "created_at": created, "created_month": "2020-01",
                                "updated_at": created})  # fmt: skip
        ids[f"tasks-{account}"].append(task_id)
        ids[f"contents-{review}"].append(content_id)
    return ids


@pytest.fixture
def requests_made(stack, monkeypatch) -> Iterator[list[str]]:
    """Every request the handlers make to the two tables, by operation (botocore's event hook on
    the tables' own clients)."""
    for name, value in BUDGET.items():
        monkeypatch.setattr(pages, name, value, raising=False)
    made: list[str] = []
    hooked = [aws.dynamodb_table(stack[name]).meta.client.meta.events for name in ("TasksTable", "ContentsTable")]
    for events in hooked:
        events.register("before-call.dynamodb", lambda model, **_: made.append(model.name), unique_id="count")
    yield made
    for events in hooked:
        events.unregister("before-call.dynamodb", unique_id="count")


def walk(path: str, query: dict[str, Any], key: str, made: list[str]) -> tuple[list[str], list[int]]:
    """Every page of a list: the ids in order, and the Query requests each page made."""
    call("GET", path, query={"limit": 1})  # the handler's tables exist (cached per process) before counting
    assert made, "the request counter is not hooked to the handler's table client"
    ids, per_page, cursor = [], [], None
    while True:
        before = made.count("Query")
        status, page, _ = call("GET", path, query={**query, **({"cursor": cursor} if cursor else {})})
        assert status == 200, page
        per_page.append(made.count("Query") - before)
        ids += [item[key] for item in page[path.strip("/")]]
        if not (cursor := page["next_cursor"]):
            return ids, per_page


@pytest.mark.parametrize("limit", [1, 2, 5])
def test_a_rare_account_in_a_status_list_costs_a_bounded_number_of_requests(rows, requests_made, limit):
    ids, per_page = walk("/tasks", {"status": "succeeded", "account_id": 7002, "limit": limit, **WINDOW},
                         "task_id", requests_made)  # fmt: skip
    assert ids == rows["tasks-7002"]
    assert max(per_page) <= BUDGET["FILTERED_REQUESTS"], per_page


def test_an_account_with_no_tasks_in_a_status_ends_in_a_few_pages(rows, requests_made):
    ids, per_page = walk("/tasks", {"status": "succeeded", "account_id": 99999, "limit": 1, **WINDOW},
                         "task_id", requests_made)  # fmt: skip
    assert ids == [] and max(per_page) <= BUDGET["FILTERED_REQUESTS"], per_page
    assert sum(per_page) <= 40 // BUDGET["FILTERED_READ"] + 1  # the partition read once, in chunks


@pytest.mark.parametrize("limit", [1, 3])
def test_a_frequent_match_fills_pages_and_loses_nothing(rows, requests_made, limit):
    """A read returns more matches than the page holds: the page ends after the last one kept and
    the next page starts right after it."""
    ids, per_page = walk("/tasks", {"status": "succeeded", "account_id": 7001, "limit": limit, **WINDOW},
                         "task_id", requests_made)  # fmt: skip
    assert ids == rows["tasks-7001"]
    assert max(per_page) <= BUDGET["FILTERED_REQUESTS"], per_page


def test_contents_by_account_and_status_are_bounded_too(rows, requests_made):
    ids, per_page = walk("/contents", {"account_id": 7003, "status": "approved", "limit": 2}, "content_id",
                         requests_made)  # fmt: skip
    assert ids == rows["contents-approved"]
    assert max(per_page) <= BUDGET["FILTERED_REQUESTS"], per_page


def test_the_shared_status_and_month_indexes_hold_keys_only_and_pages_show_each_task_as_it_is_now(rows, stack):
    """by_status and by_month are partitions every account shares: they project only their keys and
    account_id, so a progress write (the most frequent write of all) does not write them. A page of
    either reads its tasks from the table, so it still shows each task whole and current."""
    table = boto3.resource("dynamodb", region_name="us-east-1").Table(stack["TasksTable"])
    task_id = rows["tasks-7002"][0]
    table.update_item(Key={"task_id": task_id}, UpdateExpression="SET stage = :s",
                      ExpressionAttributeValues={":s": "rewritten after listing"})  # fmt: skip
    for index, key in (("by_status", "status"), ("by_month", "created_month")):
        [entry] = [i for i in table.scan(IndexName=index)["Items"] if i["task_id"] == task_id]
        assert set(entry) == {"task_id", key, "created_at", "account_id"}, index
    status, page, _ = call("GET", "/tasks", query={"status": "succeeded", "account_id": 7002, "limit": 1, **WINDOW})
    assert status == 200 and page["tasks"][0]["task_id"] == task_id
    assert page["tasks"][0]["stage"] == "rewritten after listing" and page["tasks"][0]["topic"] == "t"
    status, page, _ = call("GET", "/tasks", query={"limit": 100, **WINDOW})  # unfiltered: the by_month index
    assert status == 200 and [t["task_id"] for t in page["tasks"]][:6] == [*rows["tasks-7001"][:5], task_id]
    assert all(t["topic"] == "t" for t in page["tasks"])
