"""Pagination: opaque cursors, one Query page (following DynamoDB pages when a filter leaves one
short), lists that walk the by_month index one month partition at a time, and index counts."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from contenthub.dal.items import dynamodb_table, plain
from contenthub.errors import InvalidRequest

Key = dict[str, Any]
_BAD_CURSOR = "cursor is not valid; pass next_cursor from the previous page unchanged"


def encode_cursor(state: dict[str, Any] | None) -> str | None:
    """An opaque page cursor (base64url JSON of where the next page starts)."""
    if not state:
        return None
    return base64.urlsafe_b64encode(json.dumps(plain(state), separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any]:
    if not cursor:
        return {}
    try:
        state = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidRequest(_BAD_CURSOR) from error
    if not isinstance(state, dict):
        raise InvalidRequest(_BAD_CURSOR)
    return state


def key_cursor(key: Key | None) -> str | None:
    """The cursor of a single-query list: the key to continue from."""
    return encode_cursor({"k": key} if key else None)


def query_page(
    table: str, limit: int, start_key: Key | None = None, **query: Any
) -> tuple[list[dict[str, Any]], Key | None]:
    """Up to `limit` items of one Query (newest first), following DynamoDB pages when a filter
    leaves a page short; returns the items and the key to continue from (None when done)."""
    items: list[dict[str, Any]] = []
    while len(items) < limit:
        request: dict[str, Any] = {"ScanIndexForward": False, **query, "Limit": limit - len(items)}
        if start_key:
            request["ExclusiveStartKey"] = start_key
        try:
            response = dynamodb_table(table).query(**request)
        except ClientError as error:
            if start_key and error.response["Error"]["Code"] == "ValidationException":
                raise InvalidRequest("cursor does not belong to this list; start again without it") from error
            raise
        items += [plain(item) for item in response.get("Items", [])]
        start_key = response.get("LastEvaluatedKey")
        if not start_key:
            break
    return items, start_key


def count_query(table: str, **query: Any) -> int:
    """Select=COUNT over every page of a Query: an index read, never a table scan."""
    total, start_key = 0, None
    while True:
        request: dict[str, Any] = {**query, "Select": "COUNT"}
        if start_key:
            request["ExclusiveStartKey"] = start_key
        response = dynamodb_table(table).query(**request)
        total += int(response.get("Count", 0))
        start_key = response.get("LastEvaluatedKey")
        if not start_key:
            return total


def months_between(since: datetime, until: datetime) -> list[str]:
    """Months from `until` back to `since`, newest first ("2026-11", "2026-10", …)."""
    months, year, month = [], until.year, until.month
    while (year, month) >= (since.year, since.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


MonthQuery = Callable[[str, int, Key | None], tuple[list[Any], Key | None]]


def month_pages(query: MonthQuery, months: list[str], limit: int, cursor: str | None) -> tuple[list[Any], str | None]:
    """A page of an unfiltered list: the by_month index, one month partition after another
    (newest first); the cursor remembers the month and the key within it."""
    state = decode_cursor(cursor)
    if "m" in state:
        if state["m"] not in months:
            raise InvalidRequest("cursor does not belong to this list; start again without it")
        months = months[months.index(state["m"]) :]
    found: list[Any] = []
    start_key = state.get("k")
    for position, month in enumerate(months):
        items, key = query(month, limit - len(found), start_key)
        found += items
        start_key = None
        if key:
            return found, encode_cursor({"m": month, "k": key})
        if len(found) >= limit:
            following = months[position + 1 :]
            return found, encode_cursor({"m": following[0]} if following else None)
    return found, None
