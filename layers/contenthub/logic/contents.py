"""Contents: list, read (with the article body), approve, reject."""

from __future__ import annotations

from datetime import datetime, timedelta

from contenthub import dal
from contenthub.aws.s3 import ArticleStore
from contenthub.dal.pages import key_cursor, month_pages, months_between, start_key
from contenthub.errors import ContentNotFound
from contenthub.logic.publishing import Publisher
from contenthub.logic.tasks import DEFAULT_LOOKBACK_DAYS
from contenthub.models import Content, ContentPage, StoredContent, utc_now
from contenthub.states import ContentStatus


def list_contents(
    contents: dal.ContentRepository, *, account_id: int | None = None, status: ContentStatus | None = None,
    limit: int = 20, cursor: str | None = None, now: datetime | None = None,
) -> ContentPage:  # fmt: skip
    """Newest first, without bodies (GET /contents/{content_id} has the body)."""
    now = now or utc_now()
    if account_id is not None or status is not None:
        found, key = contents.page(limit, start_key(cursor), account_id=account_id, status=status)
        return ContentPage(contents=[c.view() for c in found], next_cursor=key_cursor(key))
    months = months_between(now - timedelta(days=DEFAULT_LOOKBACK_DAYS), now)
    found, next_cursor = month_pages(lambda m, n, key: contents.page(n, key, month=m), months, limit, cursor)
    return ContentPage(contents=[c.view() for c in found], next_cursor=next_cursor)


def _require(content_id: str, contents: dal.ContentRepository) -> StoredContent:
    content = contents.get(content_id)
    if content is None:
        raise ContentNotFound(f"content {content_id} does not exist")
    return content


def get_content(content_id: str, contents: dal.ContentRepository, articles: ArticleStore) -> Content:
    content = _require(content_id, contents)
    if content.body is None and content.body_s3_key:  # a large body lives in S3 only
        content.body = articles.get(content.body_s3_key).body
    return content.view(with_body=True)


def review(
    content_id: str, decision: ContentStatus, note: str | None, contents: dal.ContentRepository,
    publisher: Publisher | None = None, now: datetime | None = None,
) -> Content:  # fmt: skip
    """approve: draft or rejected → approved (announced if auto_publish); reject: draft or approved
    → rejected. Repeating a decision changes nothing."""
    now = now or utc_now()
    content = _require(content_id, contents)
    if content.status != decision:
        contents.review(content_id, decision, [s for s in ContentStatus if s != decision], note, now)
        content = contents.get(content_id) or content
        if decision == ContentStatus.APPROVED and publisher is not None:
            publisher.announce(content, now)
    return content.view()
