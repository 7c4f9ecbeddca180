"""Pagination: opaque cursors checked against the index a list reads, one Query page (a bounded
number of requests when a filter is set), lists that walk the by_month index one month partition
at a time, and index counts."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from contenthub.dal.items import dynamodb_table, plain
from contenthub.errors import InvalidRequest
from contenthub.models.common import ID_LIMIT, json_depth_exceeds

Key = dict[str, Any]
_BAD_CURSOR = "cursor is not valid; pass next_cursor from the previous page unchanged"
_FOREIGN_CURSOR = "cursor does not belong to this list; start again without it"
# DynamoDB applies Limit before a FilterExpression: a filtered list reads this many index entries per
# request (not just the items still wanted) and at most FILTERED_REQUESTS requests per page; a page
# that spends its budget ends short (even empty) with a next_cursor.
FILTERED_READ = 200
FILTERED_REQUESTS = 5
_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z")
_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")

KeyRule = Callable[[Any], bool]


def text_like(pattern: str) -> KeyRule:
    """A string matching an id pattern (ASCII digits only)."""
    compiled = re.compile(pattern, re.ASCII)
    return lambda value: isinstance(value, str) and compiled.fullmatch(value) is not None


def equal_to(expected: str | int) -> KeyRule:
    """The list's own partition value (a cursor of another account's or status's list is refused)."""
    return lambda value: type(value) is type(expected) and value == expected


def created_between(since: str = "0", until: str = "9") -> KeyRule:
    """A `created_at` timestamp within the list's window (DynamoDB refuses a start key outside it)."""
    return lambda value: isinstance(value, str) and _TIMESTAMP.fullmatch(value) is not None and since <= value <= until


def positive_id(value: Any) -> bool:
    return type(value) is int and 0 < value < ID_LIMIT


@dataclass(frozen=True)
class PageKey:
    """What a page's start key (DynamoDB's LastEvaluatedKey) holds on the index a list reads: the
    table's key and the index's key attributes, each with a rule for its value. A cursor's key is
    checked against it before it reaches DynamoDB, so a forged or foreign cursor is a 422."""

    rules: dict[str, KeyRule]

    def check(self, key: Any) -> Key | None:
        if key is None:
            return None
        if not isinstance(key, dict) or set(key) != set(self.rules):
            raise InvalidRequest(_FOREIGN_CURSOR)
        if not all(rule(key[name]) for name, rule in self.rules.items()):
            raise InvalidRequest(_FOREIGN_CURSOR)
        return key

    def of(self, item: dict[str, Any]) -> Key:
        """The start key that continues right after `item`."""
        return {name: item[name] for name in self.rules}


def encode_cursor(state: dict[str, Any] | None) -> str | None:
    """An opaque page cursor (base64url JSON of where the next page starts)."""
    if not state:
        return None
    return base64.urlsafe_b64encode(json.dumps(plain(state), separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any]:
    """The state of a cursor we issued: {"k": key} or {"m": month[, "k": key]}; anything else is a 422.
    The key itself is checked by the list that reads it (PageKey)."""
    if not cursor:
        return {}
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8")
        if json_depth_exceeds(text, 3):
            raise InvalidRequest(_BAD_CURSOR)
        state = json.loads(text)
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError) as error:
        raise InvalidRequest(_BAD_CURSOR) from error
    if not isinstance(state, dict) or not state or not set(state) <= {"k", "m"}:
        raise InvalidRequest(_BAD_CURSOR)
    return state


def start_key(cursor: str | None) -> Any:
    """The start key of a single-query list's cursor (None without a cursor)."""
    state = decode_cursor(cursor)
    if state and set(state) != {"k"}:
        raise InvalidRequest(_FOREIGN_CURSOR)
    return state.get("k")


def key_cursor(key: Key | None) -> str | None:
    """The cursor of a single-query list: the key to continue from."""
    return encode_cursor({"k": key} if key else None)


def query_page(
    table: str, limit: int, start: Any, page_key: PageKey, **query: Any
) -> tuple[list[dict[str, Any]], Key | None]:
    """Up to `limit` items of one Query (newest first) and the key to continue from (None when
    done). Without a filter, DynamoDB pages are followed until the page is full. With a filter,
    each request reads FILTERED_READ entries and a page makes at most FILTERED_REQUESTS requests,
    so a page costs a bounded number of requests however rare the matches; it may end short."""
    start_key = page_key.check(start)
    filtered = "FilterExpression" in query
    items: list[dict[str, Any]] = []
    requests = 0
    while len(items) < limit:
        wanted = limit - len(items)
        request: dict[str, Any] = {"ScanIndexForward": False, **query,
                                   "Limit": max(wanted, FILTERED_READ) if filtered else wanted}  # fmt: skip
        if start_key:
            request["ExclusiveStartKey"] = start_key
        try:
            response = dynamodb_table(table).query(**request)
        except ClientError as error:
            if start_key and error.response["Error"]["Code"] == "ValidationException":
                raise InvalidRequest(_FOREIGN_CURSOR) from error
            raise
        requests += 1
        found = [plain(item) for item in response.get("Items", [])]
        start_key = plain(response.get("LastEvaluatedKey"))  # ints, as a cursor gives them back
        if len(found) > wanted:  # a filtered read matched more than the page holds: continue after the last kept
            items += found[:wanted]
            return items, page_key.of(items[-1])
        items += found
        if not start_key or (filtered and requests >= FILTERED_REQUESTS):
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


MonthQuery = Callable[[str, int, Any], tuple[list[Any], Key | None]]
"""(month, limit, start key as the cursor holds it: the query checks it) → items, next key."""


def month_pages(query: MonthQuery, months: list[str], limit: int, cursor: str | None) -> tuple[list[Any], str | None]:
    """A page of an unfiltered list: the by_month index, one month partition after another
    (newest first); the cursor remembers the month and the key within it."""
    state = decode_cursor(cursor)
    if state:
        resume = state.get("m")
        if not isinstance(resume, str) or not _MONTH.fullmatch(resume) or resume not in months:
            raise InvalidRequest(_FOREIGN_CURSOR)
        months = months[months.index(resume) :]
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
