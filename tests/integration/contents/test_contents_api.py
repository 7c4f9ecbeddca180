"""Contents API: list (filters, pages), read with the body (inline or from S3), approve, reject."""

import boto3
import pytest

from contenthub.models import Article
from tests.conftest import load_handler
from tests.integration.conftest import call, reset_caches


def stored_content(stack, n, account_id=301, status="draft", body="# Title\n\nbody", s3_key=None):
    """A content as functions/handle_result stores it."""
    item = {
        "content_id": f"content-{n:012x}-1",
        "account_id": account_id,
        "generation_task_id": f"task-{n:012x}",
        "title": f"Title {n}",
        "body": body,
        "summary": "s",
        "tags": ["ai"],
        "keywords": ["AI"],
        "topic": "AI",
        "status": status,
        "auto_publish": False,
        "created_at": f"2026-11-28T00:00:{n % 60:02d}.000Z",
        "created_month": "2026-11",
        "updated_at": "2026-11-28T00:00:00.000Z",
    }
    if s3_key:
        item["body_s3_key"] = s3_key
    boto3.resource("dynamodb", region_name="us-east-1").Table(stack["ContentsTable"]).put_item(
        Item={k: v for k, v in item.items() if v is not None}
    )
    return item["content_id"]


@pytest.fixture(scope="module")
def api(stack):
    reset_caches()
    return load_handler("contents")


def test_list_filters_and_pages(api, stack):
    ids = [stored_content(stack, 0x301000 + i) for i in range(5)]
    seen, cursor = [], None
    while True:
        page = call(
            "GET", "/contents", query={"account_id": 301, "limit": 2, **({"cursor": cursor} if cursor else {})}
        )[1]
        assert all("body" not in c or c["body"] is None for c in page["contents"])
        seen += [c["content_id"] for c in page["contents"]]
        if not (cursor := page["next_cursor"]):
            break
    assert sorted(seen) == sorted(ids) and len(seen) == 5
    drafts = call("GET", "/contents", query={"status": "draft", "limit": 100})[1]["contents"]
    assert set(ids) <= {c["content_id"] for c in drafts}
    assert call("GET", "/contents", query={"status": "published"})[0] == 422


def test_read_has_the_body_inline_or_from_s3(api, stack):
    inline = stored_content(stack, 0x302001, body="# 标题\n\n正文")
    status, content, _ = call("GET", f"/contents/{inline}")
    assert status == 200 and content["body"] == "# 标题\n\n正文"
    key = "results/task-000000302002/1.json"
    boto3.client("s3", region_name="us-east-1").put_object(
        Bucket=stack["ArticlesBucket"], Key=key, Body=Article(title="Big", body="x" * 200_000).model_dump_json()
    )
    large = stored_content(stack, 0x302002, body=None, s3_key=key)
    assert len(call("GET", f"/contents/{large}")[1]["body"]) == 200_000
    assert call("GET", "/contents/content-000000000000-1")[1]["error"]["code"] == "content_not_found"
    assert call("GET", "/contents/nonsense")[0] == 422


def test_approve_and_reject(api, stack):
    content_id = stored_content(stack, 0x303001)
    status, approved, _ = call("POST", f"/contents/{content_id}/approve", {"note": "looks good"})
    assert status == 200 and approved["status"] == "approved" and approved["review_note"] == "looks good"
    assert call("POST", f"/contents/{content_id}/approve")[1]["status"] == "approved"  # repeat: no change
    rejected = call("POST", f"/contents/{content_id}/reject", {"note": "off topic"})[1]
    assert rejected["status"] == "rejected" and rejected["review_note"] == "off topic"
    assert call("POST", f"/contents/{content_id}/reject", {"note": 5})[0] == 422
    assert call("POST", "/contents/content-000000000000-1/approve")[0] == 404
