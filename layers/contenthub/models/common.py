"""What every model shares: ids, time, text rules and limits."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from itertools import accumulate
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, StringConstraints

TASK_ID_PATTERN = r"^task-[0-9a-f]{12}$"
CONTENT_ID_PATTERN = r"^content-[0-9a-f]{12}-\d+$"
SCHEDULE_ID_PATTERN = r"^batch-[0-9a-f]{10}$"
DELIVERY_ID_PATTERN = r"^msg_[0-9a-f]{12}_\d+_[a-z_]+$"
MAX_KEYWORDS = 20
MAX_TOPIC_LENGTH = 200
MAX_KEYWORD_LENGTH = 50
MAX_BATCH_ACCOUNTS = 20
MAX_BATCH_COUNT = 20
MAX_PAGE_SIZE = 100
# Integer ids (accounts) are below 2**53: every JSON client reads them exactly (JavaScript's safe
# integers), and they fit DynamoDB numbers (38 digits) with room to spare.
ID_LIMIT = 2**53
# A request body's JSON may nest this deep at most (the deepest model needs 4 levels); deeper is
# refused before it is parsed: Python's parser raises RecursionError near 1,000 levels.
MAX_JSON_DEPTH = 64
# A string, or an unterminated one up to the end (so a match never fails and backtracks: linear).
_JSON_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?')
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class Model(BaseModel):
    """Every model's base. Its validator and serializer are built on first use, not at import: a
    function builds only the models it uses, which keeps cold starts short (docs/benchmarks.md)."""

    model_config = ConfigDict(defer_build=True)


def json_depth_exceeds(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether JSON text nests arrays and objects deeper than `limit` (brackets inside strings do
    not count). A text with no more opening brackets than the limit is not scanned; otherwise the
    scan takes about 0.35 s for 4 MB of nothing but brackets."""
    if text.count("[") + text.count("{") <= limit:
        return False
    brackets = _NOT_BRACKETS.sub("", _JSON_STRINGS.sub("", text))
    return max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0) > limit


def printable(value: str, field: str) -> str:
    """No control characters (Unicode category Cc: C0, DEL and C1)."""
    if re.search(r"[\x00-\x1f\x7f-\x9f]", value):
        raise ValueError(f"{field} must not contain control characters")
    return value


def _iso_text(value: Any) -> Any:
    """A date-time comes as ISO 8601 text: pydantic alone would also read 0 or "0.5" as a Unix time."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not re.match(r"^\d{4}-\d{2}-\d{2}", value):
        raise ValueError("must be an ISO 8601 date-time, e.g. 2026-12-01T08:00:00+08:00")
    return value


AccountId = Annotated[StrictInt, Field(gt=0, lt=ID_LIMIT)]
"""An account id in a request body: a JSON integer (not `true`, `"49"` or `49.0`), 1 to 2**53 - 1."""


def _fits_utc(value: datetime) -> datetime:
    """A date-time the API can store: moving it to UTC must stay within years 1-9999
    (0001-01-01T00:00:00+05:00 is in year 0 in UTC)."""
    try:
        as_utc(value)
    except (OverflowError, ValueError) as error:
        raise ValueError("is outside years 1-9999 once moved to UTC") from error
    return value


def as_utc(value: datetime) -> datetime:
    """The same instant in UTC; a date-time without a zone is read as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_text), AfterValidator(_fits_utc)]
"""A date-time that must be sent as ISO 8601 text (request bodies and query strings)."""


def _keyword(value: str) -> str:
    """A creator program gets the keywords joined with commas (docs/creator-contract.md)."""
    printable(value, "keywords")
    if "," in value:
        raise ValueError("keywords must not contain commas (send each keyword as its own list item)")
    return value


Keyword = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_KEYWORD_LENGTH), AfterValidator(_keyword)
]
Topic = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TOPIC_LENGTH)]


def new_task_id() -> str:
    """`task-` + 12 lowercase hex, as the old system's ids; also the Step Functions execution name."""
    return "task-" + secrets.token_hex(6)


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime) -> str:
    """ISO-8601 UTC with millisecond precision and a Z: sortable as a string (index sort keys)."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def day_of(when: datetime) -> str:
    """The UTC day (`2026-11-28`) that per-day counters and quotas use."""
    return when.astimezone(UTC).strftime("%Y-%m-%d")


def month_of(created_at: str) -> str:
    """`2026-11-28T…` → `2026-11`: the partition of the by_month indexes (unfiltered lists)."""
    return created_at[:7]


def job_id_for(task_id: str, attempt: int) -> str:
    return f"{task_id}#{attempt}"


def content_id_for(task_id: str, attempt: int) -> str:
    """Deterministic, so a repeated handle_result finds the content it already stored."""
    return f"content-{task_id.removeprefix('task-')}-{attempt}"


def execution_name(task_id: str, attempt: int) -> str:
    """Attempt 1 runs as the task id itself; later attempts get a suffix (names are unique per machine)."""
    return task_id if attempt == 1 else f"{task_id}-attempt-{attempt}"
