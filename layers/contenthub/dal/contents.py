"""The contents table: stored articles, lists by account / status / month, review, announcement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contenthub.dal.items import Repository, conditional, dynamodb_table
from contenthub.dal.pages import Key, PageKey, created_between, equal_to, query_page, text_like
from contenthub.models import CONTENT_ID_PATTERN, StoredContent, iso
from contenthub.states import ContentStatus


@dataclass
class ContentRepository(Repository[StoredContent]):
    entity = StoredContent
    key = "content_id"

    def page(
        self, limit: int, start_key: Any, *, account_id: int | None = None,
        status: ContentStatus | None = None, month: str | None = None,
    ) -> tuple[list[StoredContent], Key | None]:  # fmt: skip
        """Newest first: by account (optionally filtered by status: pages may end short, see
        query_page), by status, or one month."""
        query: dict[str, Any] = {"ExpressionAttributeValues": {}}
        partition: tuple[str, str | int] = (
            ("account_id", account_id) if account_id is not None
            else ("status", status.value) if status else ("created_month", str(month))
        )  # fmt: skip
        page_key = PageKey({"content_id": text_like(CONTENT_ID_PATTERN), partition[0]: equal_to(partition[1]),
                            "created_at": created_between()})  # fmt: skip
        if account_id is not None:
            query.update(IndexName="by_account", KeyConditionExpression="account_id = :a")
            query["ExpressionAttributeValues"][":a"] = account_id
            if status:
                query.update(FilterExpression="#st = :s", ExpressionAttributeNames={"#st": "status"})
                query["ExpressionAttributeValues"][":s"] = status.value
        elif status:
            query.update(IndexName="by_status", KeyConditionExpression="#st = :s")
            query.update(ExpressionAttributeNames={"#st": "status"})
            query["ExpressionAttributeValues"][":s"] = status.value
        else:
            query.update(IndexName="by_month", KeyConditionExpression="created_month = :m")
            query["ExpressionAttributeValues"][":m"] = month
        items, key = query_page(self.table, limit, start_key, page_key, **query)
        return self._many(items), key

    def review(
        self, content_id: str, status: ContentStatus, allowed_from: list[ContentStatus], note: str | None,
        now: datetime,
    ) -> bool:  # fmt: skip
        """Approve or reject: status → `status` when it is one of `allowed_from`."""
        values: dict[str, Any] = {":s": status.value, ":now": iso(now), ":note": note}
        values.update({f":f{i}": s.value for i, s in enumerate(allowed_from)})
        return conditional(
            dynamodb_table(self.table).update_item,
            Key={"content_id": content_id},
            UpdateExpression="SET #st = :s, updated_at = :now, reviewed_at = :now, review_note = :note",
            ConditionExpression=f"#st IN ({', '.join(f':f{i}' for i in range(len(allowed_from)))})",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues=values,
        )

    def mark_announced(self, content_id: str, now: datetime) -> None:
        dynamodb_table(self.table).update_item(
            Key={"content_id": content_id},
            UpdateExpression="SET announced_at = :now",
            ExpressionAttributeValues={":now": iso(now)},
        )
