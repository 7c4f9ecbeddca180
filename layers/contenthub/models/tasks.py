"""Tasks: what the API accepts and returns, and what the tasks table holds."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field, StrictBool, StrictInt, StringConstraints, field_validator

from contenthub.models.common import (
    MAX_BATCH_ACCOUNTS,
    MAX_BATCH_COUNT,
    MAX_KEYWORDS,
    MAX_TOPIC_LENGTH,
    AccountId,
    IsoDateTime,
    Keyword,
    Model,
    printable,
)
from contenthub.states import TaskStatus


class SubmitTaskRequest(Model):
    """Body of POST /tasks."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    account_id: AccountId = Field(description="account the content is for, e.g. 49")
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
        return printable(value, "topic")

    @field_validator("scheduled_publish_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("scheduled_publish_at needs a timezone, e.g. 2026-12-01T08:00:00Z")
        return value


class BatchSubmitRequest(Model):
    """Body of POST /tasks/batch, and the params of an `async_content_generation` schedule:
    account_ids × count_per_account tasks, topics from `topics` (in turn) or each account's topic
    pool, least recently used first."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    account_ids: list[AccountId] = Field(min_length=1, max_length=MAX_BATCH_ACCOUNTS)
    count_per_account: StrictInt = Field(1, ge=1, le=MAX_BATCH_COUNT)
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
            printable(topic, "topics")
        return value


class CleanupRequest(Model):
    """Body of POST /tasks/cleanup."""

    model_config = ConfigDict(extra="forbid")

    older_than_days: StrictInt = Field(
        30, ge=1, le=3650, description="terminal tasks created before this many days ago"
    )
    dry_run: StrictBool = Field(True, description="only count; set false to delete")


class AttemptRecord(Model):
    """An earlier attempt of a retried task, as it ended."""

    attempt: int
    status: TaskStatus
    error: str | None = None
    started_at: str | None = None
    finished_at: str | None = None


class Task(Model):
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
    requeued: int = Field(0, description="times the sweeper queued this attempt again (its intake message was lost)")


class TaskPage(Model):
    tasks: list[Task]
    next_cursor: str | None = Field(None, description="pass as `cursor` for the next page; null on the last")


class FiringSkip(Model):
    """Tasks a schedule firing did not create for an account, and why."""

    account_id: int
    wanted: int
    created: int
    reason: str


class BatchResult(Model):
    tasks: list[Task]
    created: int = Field(description="tasks created by this call (0 when it repeats an earlier one)")
    skipped: list[FiringSkip] = Field(
        default_factory=list, description="a schedule firing: accounts whose daily quota left room for fewer tasks"
    )


class CleanupResult(Model):
    dry_run: bool
    older_than_days: int
    cutoff: str
    matched: int | None = Field(None, description="dry run: terminal tasks that would be deleted")
    deleted: int | None = Field(None, description="tasks deleted by this call")
    by_status: dict[str, int]
    more: bool = Field(description="more remain: call again")


class PollOutcome(Model):
    """What functions/poll returns to the state machine's Choice state."""

    status: TaskStatus
    progress: int = 0
    stage: str | None = None
    error: str | None = None
    result_key: str | None = None
