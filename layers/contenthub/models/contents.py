"""Contents: the stored article of a succeeded attempt, and its API view."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from contenthub.states import ContentStatus

# Content bodies larger than this go to S3 only; the item keeps a pointer (DynamoDB items max 400 KB).
INLINE_BODY_LIMIT = 100_000


class Content(BaseModel):
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

    body_s3_key: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    announced_at: str | None = None
    reviewed_at: str | None = None

    def view(self, with_body: bool = False) -> Content:
        data = self.model_dump(exclude={"body_s3_key", "metadata", "announced_at", "reviewed_at"})
        if not with_body:
            data["body"] = None
        return Content.model_validate(data)


class ContentPage(BaseModel):
    contents: list[Content]
    next_cursor: str | None = None


class ReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str | None = Field(None, max_length=1000, description="why (kept on the content)")
