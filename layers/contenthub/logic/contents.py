"""Contents: list, read (with the article body), approve, reject."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from contenthub import dal
from contenthub.errors import ContentNotFound
from contenthub.logic.tasks import DEFAULT_LOOKBACK_DAYS
from contenthub.models import Content, ContentPage, ContentStatus, utc_now


def list_contents(
    contents: dal.ContentRepository,
    *,
    account_id: int | None = None,
    status: ContentStatus | None = None,
    limit: int = 20,
    cursor: str | None = None,
    now: datetime | None = None,
) -> ContentPage:
    """Newest first, without bodies (GET /contents/{content_id} has the body)."""
    now = now or utc_now()
    state = dal.decode_cursor(cursor)
    if account_id is not None or status is not None:
        items, key = contents.page(
            limit, state.get("k"), account_id=account_id, status=status.value if status else None
        )
        return ContentPage(
            contents=[Content.from_item(i) for i in items], next_cursor=dal.encode_cursor({"k": key} if key else None)
        )
    months = dal.months_between(now - timedelta(days=DEFAULT_LOOKBACK_DAYS), now)
    items, next_cursor = dal.month_pages(lambda m, n, key: contents.page(n, key, month=m), months, limit, cursor)
    return ContentPage(contents=[Content.from_item(i) for i in items], next_cursor=next_cursor)


def get_content(content_id: str, contents: dal.ContentRepository, articles: dal.ArticleStore) -> Content:
    item = contents.get(content_id)
    if item is None:
        raise ContentNotFound(f"content {content_id} does not exist")
    if item.get("body") is None and item.get("body_s3_key"):  # a large body lives in S3 only
        item["body"] = articles.get(str(item["body_s3_key"])).body
    return Content.from_item(item, with_body=True)


def review(
    content_id: str,
    decision: ContentStatus,
    note: str | None,
    contents: dal.ContentRepository,
    on_approved: Callable[[dict[str, object]], None] | None = None,
    now: datetime | None = None,
) -> Content:
    """approve: draft or rejected → approved (announced if auto_publish); reject: draft or approved
    → rejected. Repeating a decision changes nothing."""
    now = now or utc_now()
    item = contents.get(content_id)
    if item is None:
        raise ContentNotFound(f"content {content_id} does not exist")
    if item["status"] != decision:
        allowed = [s.value for s in ContentStatus if s != decision]
        contents.review(content_id, decision.value, allowed, note, now)
        item = contents.get(content_id) or item
        if decision == ContentStatus.APPROVED and on_approved:
            on_approved(item)
    return Content.from_item(item)
