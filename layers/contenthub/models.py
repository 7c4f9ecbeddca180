"""Domain models: what the API accepts and returns, and what the tables hold."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

TASK_ID_PATTERN = r"^task-[0-9a-f]{12}$"
MAX_KEYWORDS = 20
MAX_TOPIC_LENGTH = 200
MAX_KEYWORD_LENGTH = 50


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
    auto_approve: bool | None = Field(
        None, description="approve the content without review; default ASYNC_AUTO_APPROVE"
    )
    auto_publish: bool = False
    scheduled_publish_at: datetime | None = None

    @field_validator("topic")
    @classmethod
    def _printable_topic(cls, value: str) -> str:
        if re.search(r"[\x00-\x1f\x7f]", value):
            raise ValueError("topic must not contain control characters")
        return value

    @field_validator("scheduled_publish_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("scheduled_publish_at needs a timezone, e.g. 2026-12-01T08:00:00Z")
        return value


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
