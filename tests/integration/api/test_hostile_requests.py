"""Hostile requests found by a review (issue #12, item 4), each through the real handler on moto:
every one is a typed 4xx with the usual error body, and nothing is stored."""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
import pytest

from tests.integration.conftest import call, reset_caches

TASK = {"account_id": 49, "topic": "ok"}
DEEP_LIST = "[" * 5000
DEEP_OBJECT = '{"a":' * 5000


@pytest.fixture(scope="module")
def api(stack):
    reset_caches()
    return stack


def item_counts(stack: dict[str, str]) -> dict[str, int]:
    client = boto3.client("dynamodb", region_name="us-east-1")
    return {
        name: client.scan(TableName=stack[name], Select="COUNT")["Count"]
        for name in stack
        if name.endswith("Table") and not name.startswith("Idempotency")
    }


def refused(status: int, body: Any, expected: int | tuple[int, ...] = 422) -> None:
    allowed = expected if isinstance(expected, tuple) else (expected,)
    assert status in allowed, (status, body)
    assert set(body) == {"error"} and isinstance(body["error"]["code"], str) and body["error"]["message"], body


def raw(method: str, path: str, text: str) -> tuple[int, Any]:
    status, body, _ = call(method, path, raw_body=text)
    return status, body


JSON_ROUTES = [
    ("POST", "/tasks"),
    ("POST", "/tasks/batch"),
    ("POST", "/tasks/cleanup"),
    ("POST", "/accounts"),
    ("PATCH", "/accounts/49"),
    ("POST", "/contents/content-000000000000-1/approve"),
    ("POST", "/contents/content-000000000000-1/reject"),
    ("POST", "/schedules"),
]


@pytest.mark.parametrize(("method", "path"), JSON_ROUTES)
@pytest.mark.parametrize("text", [DEEP_LIST, DEEP_OBJECT, DEEP_LIST + "]" * 5000, "[" * 65 + "]" * 65])
def test_deeply_nested_json_is_a_4xx_on_every_json_route(api, method, path, text):
    before = item_counts(api)
    status, body = raw(method, path, text)
    refused(status, body)
    assert body["error"]["code"] == "validation_error"
    assert item_counts(api) == before


@pytest.mark.parametrize(("method", "path"), JSON_ROUTES[:5])
def test_a_number_too_long_for_python_is_a_4xx(api, method, path):
    status, body = raw(method, path, '{"account_id": ' + "9" * 5000 + "}")
    refused(status, body)
    assert "too many digits" in body["error"]["message"]


def test_nesting_within_the_limit_is_read_and_judged_by_the_model(api):
    status, body = raw("POST", "/tasks", '{"account_id": 49, "topic": "ok", "keywords": ' + "[" * 63 + "]" * 63 + "}")
    refused(status, body)
    assert "keywords" in body["error"]["message"] and "deeper" not in body["error"]["message"]
    status, body = raw("POST", "/tasks", "[" * 65 + "]" * 65)
    assert "nested deeper than 64 levels" in body["error"]["message"]


HUGE = 10**40  # beyond DynamoDB's 38 digits
SCHEDULE = {"name": "hostile", "cron": "0 8 * * *", "params": {"account_ids": [49], "count_per_account": 1}}


@pytest.mark.parametrize(
    ("method", "path", "body", "query"),
    [
        ("POST", "/tasks", {**TASK, "account_id": HUGE}, None),
        ("POST", "/tasks", {**TASK, "account_id": 2**53}, None),
        ("POST", "/tasks/batch", {"account_ids": [HUGE]}, None),
        ("POST", "/schedules", {**SCHEDULE, "params": {"account_ids": [HUGE]}}, None),
        ("POST", "/accounts", {"account_id": HUGE, "name": "huge"}, None),
        ("GET", f"/accounts/{HUGE}", None, None),
        ("GET", f"/accounts/{2**53}", None, None),
        ("PATCH", f"/accounts/{HUGE}", {"tone": "formal"}, None),
        ("GET", "/tasks", None, {"account_id": HUGE}),
        ("GET", "/tasks", None, {"account_id": HUGE, "status": "succeeded"}),
        ("GET", "/contents", None, {"account_id": HUGE}),
        ("GET", "/contents", None, {"account_id": 2**53, "status": "draft"}),
    ],
)
def test_integers_beyond_the_id_range_are_422(api, method, path, body, query):
    before = item_counts(api)
    status, answer, _ = call(method, path, body, query=query)
    refused(status, answer)
    assert answer["error"]["code"] == "validation_error"
    assert item_counts(api) == before


def test_the_largest_id_is_accepted(api):
    largest = 2**53 - 1
    assert call("POST", "/accounts", {"account_id": largest, "name": "largest"})[0] == 201
    assert call("GET", f"/accounts/{largest}")[1]["account_id"] == largest
    assert call("GET", "/tasks", query={"account_id": largest})[0] == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/tasks", {**TASK, "account_id": True}),
        ("/tasks", {**TASK, "account_id": "49"}),
        ("/tasks", {**TASK, "account_id": 49.0}),
        ("/tasks/batch", {"account_ids": [True]}),
        ("/tasks/batch", {"account_ids": ["49"]}),
        ("/tasks/batch", {"account_ids": [49], "count_per_account": "2"}),
        ("/tasks/batch", {"account_ids": [49], "count_per_account": True}),
        ("/tasks/cleanup", {"older_than_days": "30"}),
        ("/accounts", {"account_id": "102", "name": "coerced"}),
        ("/accounts", {"account_id": True, "name": "coerced"}),
        ("/accounts", {"account_id": 103, "name": "coerced", "daily_quota": "5"}),
        ("/accounts", {"account_id": 104, "name": "coerced", "length": 800.0}),
        ("/schedules", {**SCHEDULE, "params": {"account_ids": [True]}}),
        ("/schedules", {**SCHEDULE, "params": {"account_ids": ["49"]}}),
    ],
)
def test_integers_in_bodies_are_not_coerced(api, path, body):
    before = item_counts(api)
    status, answer, _ = call("POST", path, body)
    refused(status, answer)
    assert answer["error"]["code"] == "validation_error"
    assert item_counts(api) == before


@pytest.mark.parametrize("value", ["true", "٤٩", "0x31", " ", "-49", "0", "4.9"])
def test_integers_in_paths_and_queries_are_plain_decimal_digits(api, value):
    refused(*call("GET", f"/accounts/{value}")[:2])
    refused(*call("GET", "/tasks", query={"account_id": value})[:2])


@pytest.mark.parametrize(
    ("method", "path", "body", "query"),
    [
        ("POST", "/tasks", {**TASK, "scheduled_publish_at": "0001-01-01T00:00:00+05:00"}, None),
        ("POST", "/tasks", {**TASK, "scheduled_publish_at": "9999-12-31T23:59:59-05:00"}, None),
        ("GET", "/tasks", None, {"since": "0001-01-01T00:00:00+05:00"}),
        ("GET", "/tasks", None, {"until": "9999-12-31T23:59:59-05:00", "status": "failed"}),
        ("GET", "/tasks", None, {"since": "0001-01-01T00:00:00+05:00", "account_id": 49}),
    ],
)
def test_date_times_that_overflow_in_utc_are_422(api, method, path, body, query):
    before = item_counts(api)
    status, answer, _ = call(method, path, body, query=query)
    refused(status, answer)
    assert "UTC" in answer["error"]["message"]
    assert item_counts(api) == before


def test_a_window_with_and_without_a_zone_is_read_in_utc(api):
    status, page, _ = call("GET", "/tasks", query={"since": "2026-01-01T00:00:00", "until": "2026-02-01T00:00:00Z"})
    assert status == 200 and page["tasks"] == []
    status, answer, _ = call("GET", "/tasks", query={"since": "2026-02-01T00:00:01", "until": "2026-02-01T00:00:00Z"})
    refused(status, answer)
    assert "since must not be after until" in answer["error"]["message"]


@pytest.mark.parametrize(
    "keyword", ["nul\x00byte", "bell\x07", "line\nbreak", "tab\there", "del\x7f", "c1\x85nel", "csi\x9b"]
)
def test_control_characters_in_keywords_are_refused(api, keyword):
    before = item_counts(api)
    for path, body in [("/tasks", {**TASK, "keywords": ["fine", keyword]}),
                       ("/tasks/batch", {"account_ids": [49], "keywords": [keyword]})]:  # fmt: skip
        status, answer, _ = call("POST", path, body)
        refused(status, answer)
        assert "keywords" in answer["error"]["message"] and "control characters" in answer["error"]["message"]
    assert item_counts(api) == before


def test_odd_but_printable_unicode_is_kept_and_unpaired_surrogates_are_refused(api):
    before = item_counts(api)
    for text in ['{"account_id": 49, "topic": "\\ud800"}', '{"account_id": 49, "topic": "a", "keywords": ["\\udfff"]}',
                 '{"account_id": 49, "topic": "a", "\\ud83d": 1}']:  # fmt: skip
        refused(*raw("POST", "/tasks", text))
    assert item_counts(api) == before
    topic, keyword = "paired 😀 \u200f rtl \u202e mark", "كلمة\u200d"
    status, task, _ = call("POST", "/tasks", {**TASK, "topic": topic, "keywords": [keyword]})
    assert status == 202 and (task["topic"], task["keywords"]) == (topic, [keyword])
    assert item_counts(api)["TasksTable"] == before["TasksTable"] + 1


def forged(state: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=")


TASK_KEY = {"task_id": "task-000000000000", "status": "succeeded", "created_at": "2026-11-28T00:00:00.000Z"}
CONTENT_KEY = {"content_id": "content-000000000000-1", "account_id": 49, "created_at": "2026-11-28T00:00:00.000Z"}
# Well-formed keys of these lists (a forged position is harmless: the list just starts there).
VALID = {(forged({"k": TASK_KEY}), "/tasks", "{'status': 'succeeded'}"),
         (forged({"k": CONTENT_KEY}), "/contents", "{'account_id': 49}"),
         (forged({"k": CONTENT_KEY}), "/contents", "{'account_id': 49, 'status': 'draft'}")}  # fmt: skip
TAMPERED = [
    "!!!", "e30", forged([]), forged("k"), forged(1), forged(None), forged({}), forged({"x": 1}),
    forged({"k": "task-000000000000"}), forged({"k": []}), forged({"k": {}}), forged({"k": {"task_id": 1.5}}),
    forged({"k": {"task_id": {"S": "x"}}}), forged({"k": {"account_id": HUGE}}), forged({"k": {"account_id": 1.5}}),
    forged({"k": {"account_id": True}}), forged({"k": {"account_id": -1}}),
    forged({"k": {**TASK_KEY, "extra": 1}}), forged({"k": {**TASK_KEY, "created_at": 5}}),
    forged({"k": {**TASK_KEY, "task_id": "\ud800"}}), forged({"k": {**TASK_KEY, "status": "pending"}}),
    forged({"m": ["2026-11"]}), forged({"m": "2026-13"}), forged({"m": 202611}), forged({"m": "0001-01"}),
    forged({"m": "2026-11", "k": {"x": 1}}), forged({"m": "2026-11", "k": TASK_KEY}),
    forged({"k": CONTENT_KEY}), forged({"k": {**CONTENT_KEY, "account_id": 50}}),
    base64.urlsafe_b64encode(b"[" * 1400).decode(), base64.urlsafe_b64encode(b"\xff\xfe").decode(),
]  # fmt: skip
PAGED = [
    ("/tasks", {}), ("/tasks", {"status": "succeeded"}), ("/tasks", {"account_id": 49}),
    ("/tasks", {"status": "succeeded", "account_id": 49}), ("/contents", {}), ("/contents", {"account_id": 49}),
    ("/contents", {"status": "draft"}), ("/contents", {"account_id": 49, "status": "draft"}), ("/accounts", {}),
]  # fmt: skip


@pytest.mark.parametrize(("path", "query"), PAGED)
def test_tampered_cursors_are_422_on_every_paged_route(api, path, query):
    for cursor in TAMPERED:
        status, answer, _ = call("GET", path, query={**query, "cursor": cursor})
        if (cursor, path, str(query)) in VALID:
            assert status == 200, answer
            continue
        refused(status, answer)
        assert answer["error"]["code"] in ("invalid_request", "validation_error"), (cursor, answer)


def test_a_cursor_from_another_list_is_422(api):
    for i in range(3):
        assert call("POST", "/tasks", {**TASK, "topic": f"cursor {i}"})[0] == 202
    lists = [("/tasks", {"status": "pending"}), ("/tasks", {"account_id": 49}), ("/tasks", {}),
             ("/tasks", {"status": "failed"}), ("/accounts", {}), ("/contents", {"account_id": 49})]  # fmt: skip
    cursors = {}
    for path, query in lists[:3]:
        status, page, _ = call("GET", path, query={**query, "limit": 1})
        assert status == 200 and page["next_cursor"], page
        cursors[(path, str(query))] = page["next_cursor"]
    for (origin, origin_query), cursor in cursors.items():
        for path, query in lists:
            if (path, str(query)) == (origin, origin_query):
                continue
            status, answer, _ = call("GET", path, query={**query, "cursor": cursor})
            refused(status, answer)
