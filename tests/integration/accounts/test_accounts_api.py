"""Accounts API and what accounts change for submits: unknown account → 404, daily quota → 429."""

import pytest

from tests.conftest import load_handler
from tests.integration.conftest import call, reset_caches


@pytest.fixture(scope="module")
def api(stack):
    reset_caches()
    return load_handler("accounts"), load_handler("submit")


def test_create_get_list_update(api):
    accounts, _ = api
    status, body, headers = call(
        "POST",
        "/accounts",
        {
            "account_id": 101,
            "name": "科技博客",
            "platform": "wechat",
            "language": "zh-CN",
            "tone": "轻松",
            "length": 600,
            "topics": ["人工智能", "云计算"],
            "daily_quota": 10,
        },
    )
    assert status == 201 and headers["Location"] == "/accounts/101"
    assert body["name"] == "科技博客" and body["topics"] == ["人工智能", "云计算"] and body["tasks_today"] == 0
    assert call("GET", "/accounts/101")[1]["tone"] == "轻松"
    listed = call("GET", "/accounts", query={"limit": 100})[1]
    assert 101 in [a["account_id"] for a in listed["accounts"]]
    status, updated, _ = call("PATCH", "/accounts/101", {"tone": "formal", "language": None})
    assert status == 200 and updated["tone"] == "formal" and updated["language"] is None
    assert updated["platform"] == "wechat"  # untouched fields stay


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("POST", "/accounts", {"account_id": 49, "name": "again"}, 409, "account_exists"),
        ("POST", "/accounts", {"account_id": 0, "name": "zero"}, 422, "validation_error"),
        ("POST", "/accounts", {"account_id": 102}, 422, "validation_error"),
        ("POST", "/accounts", {"account_id": 102, "name": "x", "colour": "red"}, 422, "validation_error"),
        ("POST", "/accounts", {"account_id": 102, "name": "x", "daily_quota": 0}, 422, "validation_error"),
        ("POST", "/accounts", {"account_id": 102, "name": "x", "topics": ["a", "a"]}, 422, "validation_error"),
        (
            "POST",
            "/accounts",
            {"account_id": 102, "name": "x", "webhook_url": "https://10.0.0.1/hook"},
            422,
            "unsafe_webhook_target",
        ),
        ("POST", "/accounts", {"account_id": 102, "name": "x" * 101}, 422, "validation_error"),
        ("GET", "/accounts/999999", None, 404, "account_not_found"),
        ("PATCH", "/accounts/999999", {"tone": "x"}, 404, "account_not_found"),
        ("PATCH", "/accounts/49", {"name": None}, 422, "invalid_request"),
        ("GET", "/accounts/abc", None, 422, "validation_error"),
    ],
)
def test_bad_account_requests_are_clear_4xx(api, method, path, body, status, code):
    accounts, _ = api
    got, answer, _ = call(method, path, body)
    assert got == status and answer["error"]["code"] == code, answer
    assert call("GET", "/accounts/102")[0] == 404  # nothing stored


def test_submit_for_an_unknown_account_is_404_and_stores_nothing(api, stack):
    _, submit = api
    status, body, _ = call("POST", "/tasks", {"account_id": 424242, "topic": "x"})
    assert status == 404 and body["error"]["message"].startswith("account 424242 does not exist")
    assert call("GET", "/tasks", query={"account_id": 424242})[1]["tasks"] == []


def test_over_quota_is_429_saying_when_it_resets(api):
    accounts, submit = api
    call("POST", "/accounts", {"account_id": 103, "name": "quota", "daily_quota": 2})
    for _ in range(2):
        assert call("POST", "/tasks", {"account_id": 103, "topic": "t"})[0] == 202
    status, body, headers = call("POST", "/tasks", {"account_id": 103, "topic": "t"})
    assert status == 429 and body["error"]["code"] == "quota_exceeded"
    assert "2 of 2 tasks used today" in body["error"]["message"] and "resets at" in body["error"]["message"]
    assert 0 < int(headers["Retry-After"]) <= 86400
    assert len(call("GET", "/tasks", query={"account_id": 103})[1]["tasks"]) == 2
    assert call("GET", "/accounts/103")[1]["tasks_today"] == 2
    # Raising the quota lets the account submit again.
    call("PATCH", "/accounts/103", {"daily_quota": 3})
    assert call("POST", "/tasks", {"account_id": 103, "topic": "t"})[0] == 202
