"""Contents: the stored article of a succeeded attempt, and its API view."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from pydantic import ConfigDict, Field

from contenthub.models.common import Model
from contenthub.states import ContentStatus

# What a Content item keeps of the runner's article, in UTF-8 bytes (DynamoDB items max 400 KB).
# The whole article is in S3 at body_s3_key; a body over its limit is read from there; any other
# field over its limit is cut in the item (text ends with an ellipsis saying so, metadata is left
# out) and named in the item's `truncated`. docs/creator-contract.md states them.
INLINE_BODY_LIMIT = 100_000
TITLE_LIMIT = 1_000
SUMMARY_LIMIT = 2_000
MAX_TAGS = 20
TAG_LIMIT = 100
METADATA_LIMIT = 16_000  # as compact JSON
METADATA_DEPTH = 30  # levels of nesting (DynamoDB allows 32 in an item)


def metadata_item(metadata: dict[str, Any]) -> dict[str, Any]:
    """Metadata as the item stores it: each number as the Decimal of its shortest repr (DynamoDB
    refuses floats), so a float reads back exactly. ValueError for NaN or infinity."""
    return json.loads(json.dumps(metadata, allow_nan=False), parse_float=Decimal)  # type: ignore[no-any-return]


class Content(Model):
    """A content as the API shows it."""

    content_id: str
    account_id: int
    generation_task_id: str
    title: str
    summary: str = ""
    tags: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    topic: str | None = None
    status: ContentStatus
    auto_publish: bool = False
    scheduled_publish_at: str | None = None
    body: str | None = Field(None, description="Markdown; only in GET /contents/{content_id}")
    review_note: str | None = None
    created_at: str
    updated_at: str


class StoredContent(Content):
    """A content as the contents table holds it: the view's fields, where the body lives when it is
    too large for the item, the creator's metadata, and when it was announced on the bus."""

    body_s3_key: str | None = Field(None, description="the whole article (JSON) in the articles bucket")
    metadata: dict[str, Any] = Field(default_factory=dict)
    truncated: list[str] = Field(default_factory=list, description="fields cut in this item (see body_s3_key)")
    announced_at: str | None = None
    reviewed_at: str | None = None

    def item(self) -> dict[str, Any]:
        """The contents table's item (numbers in metadata as Decimal)."""
        item = self.model_dump(mode="json", exclude_none=True, exclude={"metadata"})
        item["metadata"] = metadata_item(self.metadata)
        if not self.truncated:
            del item["truncated"]
        return item

    def view(self, with_body: bool = False) -> Content:
        data = self.model_dump(exclude={"body_s3_key", "metadata", "truncated", "announced_at", "reviewed_at"})
        if not with_body:
            data["body"] = None
        return Content.model_validate(data)


class ContentPage(Model):
    contents: list[Content]
    next_cursor: str | None = None


class ReviewRequest(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str | None = Field(None, max_length=1000, description="why (kept on the content)")
