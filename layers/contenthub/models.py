"""Domain models: what the API accepts and returns, and what the tables hold."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StringConstraints, field_validator

TASK_ID_PATTERN = r"^task-[0-9a-f]{12}$"
MAX_KEYWORDS = 20
MAX_TOPIC_LENGTH = 200
MAX_KEYWORD_LENGTH = 50
MAX_BATCH_ACCOUNTS = 20
MAX_BATCH_COUNT = 20  # one DynamoDB transaction per account: tasks + account + counters ≤ 100 items
MAX_PAGE_SIZE = 100


def _printable(value: str, field: str) -> str:
    if re.search(r"[\x00-\x1f\x7f]", value):
        raise ValueError(f"{field} must not contain control characters")
    return value


def _iso_text(value: Any) -> Any:
    """A date-time comes as ISO 8601 text: pydantic alone would also read 0 or "0.5" as a Unix time."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not re.match(r"^\d{4}-\d{2}-\d{2}", value):
        raise ValueError("must be an ISO 8601 date-time, e.g. 2026-12-01T08:00:00+08:00")
    return value


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_text)]
"""A date-time that must be sent as ISO 8601 text (request bodies and query strings)."""


def new_task_id() -> str:
    """`task-` + 12 lowercase hex, as the old system's ids; also the Step Functions execution name."""
    return "task-" + secrets.token_hex(6)


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime) -> str:
    """ISO-8601 UTC with millisecond precision and a Z: sortable as a string (index sort keys)."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


class TaskStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"

    @property
    def terminal(self) -> bool:
        return self not in (TaskStatus.PENDING, TaskStatus.RUNNING)


class ContentStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    REJECTED = "rejected"


Keyword = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_KEYWORD_LENGTH)]


class SubmitTaskRequest(BaseModel):
    """Body of POST /tasks."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    account_id: int = Field(gt=0, description="account the content is for, e.g. 49")
    topic: str = Field(min_length=1, max_length=MAX_TOPIC_LENGTH, description="what the article is about")
    keywords: list[Keyword] = Field(default_factory=list, max_length=MAX_KEYWORDS)
    auto_approve: StrictBool | None = Field(
        None, description="approve the content without review; default ASYNC_AUTO_APPROVE"
    )
    auto_publish: StrictBool = False
    scheduled_publish_at: IsoDateTime | None = None

    @field_validator("topic")
    @classmethod
    def _printable_topic(cls, value: str) -> str:
        return _printable(value, "topic")

    @field_validator("scheduled_publish_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("scheduled_publish_at needs a timezone, e.g. 2026-12-01T08:00:00Z")
        return value


class BatchSubmitRequest(BaseModel):
    """Body of POST /tasks/batch, and the params of an `async_content_generation` schedule:
    account_ids × count_per_account tasks, topics from `topics` (in turn) or each account's topic
    pool, least recently used first."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    account_ids: list[Annotated[int, Field(gt=0)]] = Field(min_length=1, max_length=MAX_BATCH_ACCOUNTS)
    count_per_account: int = Field(1, ge=1, le=MAX_BATCH_COUNT)
    topics: list[Annotated[str, StringConstraints(min_length=1, max_length=MAX_TOPIC_LENGTH)]] = Field(
        default_factory=list, max_length=100, description="default: each account's topic pool"
    )
    keywords: list[Keyword] = Field(default_factory=list, max_length=MAX_KEYWORDS)
    auto_approve: StrictBool | None = None
    auto_publish: StrictBool = False

    @field_validator("account_ids")
    @classmethod
    def _distinct(cls, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise ValueError("account_ids must not repeat")
        return value

    @field_validator("topics")
    @classmethod
    def _printable_topics(cls, value: list[str]) -> list[str]:
        for topic in value:
            _printable(topic, "topics")
        return value


class AttemptRecord(BaseModel):
    """An earlier attempt of a retried task, as it ended."""

    attempt: int
    status: TaskStatus
    error: str | None = None
    started_at: str | None = None
    finished_at: str | None = None


class Task(BaseModel):
    """A content-generation task as stored in the tasks table and shown by the API."""

    task_id: str
    account_id: int
    status: TaskStatus
    topic: str
    keywords: list[str] = Field(default_factory=list)
    auto_approve: bool
    auto_publish: bool = False
    scheduled_publish_at: str | None = None
    progress: int = 0
    stage: str | None = None
    attempt: int = 1
    error: str | None = None
    content_id: str | None = None
    created_at: str
    updated_at: str
    started_at: str | None = None
    finished_at: str | None = None
    history: list[AttemptRecord] = Field(default_factory=list, description="earlier attempts, oldest first")
    source: str = Field("api", description="api, batch or schedule:<schedule_id>")

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Task:
        return cls.model_validate({k: v for k, v in item.items() if k in cls.model_fields})


class Article(BaseModel):
    """What a content creator produces."""

    title: str = Field(min_length=1)
    body: str = Field(min_length=1, description="Markdown")
    summary: str = ""
    tags: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)


class JobRequest(BaseModel):
    """A runner job, as sent on the runner-jobs queue by the state machine's DispatchJob state."""

    job_id: str
    task_id: str
    attempt: int
    account_id: int
    topic: str
    keywords: list[str] = Field(default_factory=list)
    # The account's defaults (issue #4); None means the creator settings' defaults.
    language: str | None = None
    tone: str | None = None
    length: int | None = None
    # Callback mode: the Step Functions task token to report to (SendTaskSuccess/Failure/Heartbeat).
    task_token: str | None = None

    @classmethod
    def from_message(cls, body: str) -> JobRequest:
        """Poll mode sends the job itself; callback mode sends {"job": …, "task_token": …}."""
        import json

        data = json.loads(body)
        if isinstance(data, dict) and isinstance(data.get("job"), dict):
            data = {**data["job"], "task_token": data.get("task_token")}
        return cls.model_validate(data)


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class PollOutcome(BaseModel):
    """What functions/poll returns to the state machine's Choice state."""

    status: TaskStatus
    progress: int = 0
    stage: str | None = None
    error: str | None = None
    result_key: str | None = None


def job_id_for(task_id: str, attempt: int) -> str:
    return f"{task_id}#{attempt}"


def content_id_for(task_id: str, attempt: int) -> str:
    """Deterministic, so a repeated handle_result finds the content it already stored."""
    return f"content-{task_id.removeprefix('task-')}-{attempt}"


def month_of(created_at: str) -> str:
    """`2026-11-28T…` → `2026-11`: the partition of the by_month indexes (unfiltered lists)."""
    return created_at[:7]


class TaskPage(BaseModel):
    tasks: list[Task]
    next_cursor: str | None = Field(None, description="pass as `cursor` for the next page; null on the last")


class BatchResult(BaseModel):
    tasks: list[Task]
    created: int = Field(description="tasks created by this call (0 when it repeats an earlier one)")


# -- accounts --------------------------------------------------------------------------------------
Topic = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TOPIC_LENGTH)]


class AccountSettings(BaseModel):
    """The fields an operator sets on an account (create and update)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(None, min_length=1, max_length=100)
    platform: str | None = Field(None, min_length=1, max_length=50, description="e.g. wechat, blog, x")
    language: str | None = Field(None, min_length=1, max_length=20, description="e.g. zh-CN; default CREATOR_LANGUAGE")
    tone: str | None = Field(None, min_length=1, max_length=50, description="default CREATOR_TONE")
    length: int | None = Field(None, ge=50, le=20000, description="target words; default CREATOR_LENGTH")
    topics: list[Topic] | None = Field(None, max_length=200, description="topic pool for batches and schedules")
    webhook_url: str | None = Field(None, max_length=2000, description="this account's webhook; default WEBHOOK_URL")
    webhook_enabled: StrictBool | None = None
    daily_quota: int | None = Field(None, ge=1, le=100_000, description="tasks per UTC day; null = unlimited")

    @field_validator("name", "platform", "language", "tone")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return _printable(value, "text") if value is not None else None

    @field_validator("topics")
    @classmethod
    def _topics(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            for topic in value:
                _printable(topic, "topics")
            if len(set(value)) != len(value):
                raise ValueError("topics must not repeat")
        return value


class AccountCreate(AccountSettings):
    account_id: int = Field(gt=0, lt=2**53, description="the account's number, e.g. 49")
    name: str = Field(min_length=1, max_length=100)


class Account(BaseModel):
    account_id: int
    name: str
    platform: str | None = None
    language: str | None = None
    tone: str | None = None
    length: int | None = None
    topics: list[str] = Field(default_factory=list)
    webhook_url: str | None = None
    webhook_enabled: bool | None = None
    daily_quota: int | None = None
    tasks_today: int = Field(0, description="tasks submitted today (UTC), counted against daily_quota")
    created_at: str
    updated_at: str

    @classmethod
    def from_item(cls, item: dict[str, Any], today: str) -> Account:
        data = {k: v for k, v in item.items() if k in cls.model_fields}
        data["tasks_today"] = int((item.get("usage") or {}).get(today, 0))
        return cls.model_validate(data)


class AccountList(BaseModel):
    accounts: list[Account]
    next_cursor: str | None = None


# -- contents --------------------------------------------------------------------------------------
class Content(BaseModel):
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

    @classmethod
    def from_item(cls, item: dict[str, Any], with_body: bool = False) -> Content:
        data = {k: v for k, v in item.items() if k in cls.model_fields}
        if not with_body:
            data.pop("body", None)
        return cls.model_validate(data)


class ContentPage(BaseModel):
    contents: list[Content]
    next_cursor: str | None = None


class ReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str | None = Field(None, max_length=1000, description="why (kept on the content)")


# -- schedules -------------------------------------------------------------------------------------
class ScheduleType(StrEnum):
    ASYNC_CONTENT_GENERATION = "async_content_generation"


class ScheduleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100, description="display name, any language")
    type: ScheduleType = ScheduleType.ASYNC_CONTENT_GENERATION
    cron: str = Field(min_length=1, max_length=100, description="5-field Unix cron, e.g. '0 8 * * *'")
    timezone: str = Field("UTC", max_length=64, description="IANA name, e.g. Asia/Shanghai")
    params: BatchSubmitRequest
    enabled: StrictBool = True

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _printable(value, "name")


class Schedule(BaseModel):
    schedule_id: str
    name: str
    type: ScheduleType
    cron: str
    timezone: str
    expression: str = Field(description="the EventBridge Scheduler expression, e.g. cron(0 8 * * ? *)")
    params: BatchSubmitRequest
    state: str = Field(description="ENABLED or DISABLED (paused)")
    next_fire_times: list[str] = Field(default_factory=list)
    last_fired_at: str | None = None
    created_at: str
    updated_at: str


class ScheduleList(BaseModel):
    schedules: list[Schedule]
