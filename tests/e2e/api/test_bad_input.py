"""Bad input through the real local HTTP API: each case is a clear 4xx with the typed error body,
and nothing is stored."""

from __future__ import annotations

import json

import pytest
import requests

from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


def tasks_of(stack: RunningStack, account_id: int) -> int:
    response = requests.get(f"{stack.api_url}/tasks", params={"account_id": account_id, "limit": 100}, timeout=10)
    return len(response.json()["tasks"])


def schedules(stack: RunningStack) -> int:
    return len(requests.get(f"{stack.api_url}/schedules", timeout=10).json()["schedules"])


TASK = {"account_id": 49, "topic": "ok"}


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/tasks", "{not json", 422, "validation_error"),
        ("/tasks", [], 422, "validation_error"),
        ("/tasks", {**TASK, "account_id": "forty-nine"}, 422, "validation_error"),
        ("/tasks", {**TASK, "account_id": -49}, 422, "validation_error"),
        ("/tasks", {**TASK, "topic": "line\nbreak\x07"}, 422, "validation_error"),
        ("/tasks", {**TASK, "topic": "x" * 201}, 422, "validation_error"),
        ("/tasks", {**TASK, "keywords": [f"k{i}" for i in range(10_000)]}, 422, "validation_error"),
        ("/tasks", {**TASK, "keywords": "AI"}, 422, "validation_error"),
        ("/tasks", {**TASK, "auto_approve": "maybe"}, 422, "validation_error"),
        ("/tasks", {**TASK, "scheduled_publish_at": "2026-12-01T08:00:00"}, 422, "validation_error"),
        ("/tasks", {**TASK, "account_id": 987_654_321}, 404, "account_not_found"),
        ("/tasks/batch", {"account_ids": [49], "count_per_account": -3}, 422, "validation_error"),
        ("/tasks/batch", {"account_ids": [49], "count_per_account": 10_000}, 422, "validation_error"),
        ("/tasks/batch", {"account_ids": [49, 987_654_321]}, 404, "account_not_found"),
        ("/accounts", {"account_id": 49_000, "name": "n" * 101}, 422, "validation_error"),
        ("/accounts", {"account_id": 49_001, "name": "ok", "topics": ["t" * 201]}, 422, "validation_error"),
    ],
)  # fmt: skip
def test_bad_bodies_are_clear_4xx_and_store_nothing(local_stack: RunningStack, path, body, status, code):
    before = tasks_of(local_stack, 49)
    data = body if isinstance(body, str) else json.dumps(body)
    response = requests.post(f"{local_stack.api_url}{path}", data=data.encode(), timeout=30,
                             headers={"Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == status, response.text[:500]
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert tasks_of(local_stack, 49) == before
    assert requests.get(f"{local_stack.api_url}/accounts/49000", timeout=10).status_code == 404


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"cron": "every day at 8"}, "expected 5"),
        ({"cron": "0 8 * * * *"}, "expected 5"),
        ({"timezone": "Asia/Nowhere"}, "unknown timezone"),
        ({"type": "rm -rf"}, "type"),
        ({"name": "名" * 101}, "name"),
        ({"params": {"account_ids": [987_654_321]}}, "does not exist"),
    ],
)
def test_bad_schedules_are_refused_and_create_nothing(local_stack: RunningStack, change, fragment):
    body = {"name": "每日", "cron": "0 8 * * *", "params": {"account_ids": [49], "count_per_account": 1}, **change}
    before = schedules(local_stack)
    response = requests.post(f"{local_stack.api_url}/schedules", json=body, timeout=10)
    assert 400 <= response.status_code < 500 and fragment in response.json()["error"]["message"]
    assert schedules(local_stack) == before


def test_a_body_that_is_not_utf8_is_a_4xx_not_a_function_error(local_stack: RunningStack):
    # Found by fuzzing (Schemathesis): this was a 502.
    response = requests.patch(f"{local_stack.api_url}/accounts/49", data=b"q!;\xff?\xfep", timeout=10,
                              headers={"Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == 422 and "UTF-8" in response.json()["error"]["message"]


def test_emoji_cjk_and_long_unicode_topics_round_trip(local_stack: RunningStack):
    topic = "🚀 人工智能 — ИИ 🤖 " + "字" * 150
    task = local_stack.submit(topic=topic, keywords=["机器学习", "🧠"])
    assert local_stack.task(task["task_id"])["topic"] == topic
    assert local_stack.task(task["task_id"])["keywords"] == ["机器学习", "🧠"]


def test_a_body_over_the_api_limit_is_413(local_stack: RunningStack):
    before = tasks_of(local_stack, 49)
    huge = json.dumps({**TASK, "keywords": ["x" * 50] * 250_000})  # > 10 MB, API Gateway's payload limit
    response = requests.post(f"{local_stack.api_url}/tasks", data=huge, timeout=60,
                             headers={"Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == 413
    assert tasks_of(local_stack, 49) == before


def test_unknown_routes_and_methods_answer_as_api_gateway_does(local_stack: RunningStack):
    assert requests.get(f"{local_stack.api_url}/nothing-here", timeout=10).status_code == 403
    assert requests.delete(f"{local_stack.api_url}/tasks", timeout=10).status_code == 403
    for method in ("TRACE", "QUERY", "PROPFIND"):
        assert requests.request(method, f"{local_stack.api_url}/tasks/batch", timeout=10).status_code == 403
    bad_id = requests.get(f"{local_stack.api_url}/tasks/DROP TABLE", timeout=10)
    assert bad_id.status_code == 422 and bad_id.json()["error"]["code"] == "validation_error"
