"""Hostile requests found by a review (issue #12, item 4), each through the real handler on moto:
every one is a typed 4xx with the usual error body, and nothing is stored."""

from __future__ import annotations

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
