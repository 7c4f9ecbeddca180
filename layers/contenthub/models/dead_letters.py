"""Dead-letter queues as the operator sees them: counts, messages, redrive and fail results."""

from __future__ import annotations

from enum import StrEnum

from pydantic import ConfigDict, Field

from contenthub.models.common import Model

MAX_SELECTED = 100
MAX_MESSAGE_ID_LENGTH = 100


class DeadLetterQueueName(StrEnum):
    INTAKE = "intake"
    RUNNER_JOBS = "runner-jobs"
    WEBHOOKS = "webhooks"


class DeadLetterQueue(Model):
    name: DeadLetterQueueName
    source: str = Field(description="the queue its messages came from (and go back to on redrive)")
    count: int = Field(description="messages waiting (SQS's approximate count)")
    in_flight: int = Field(0, description="messages being looked at right now")
    can_fail_tasks: bool = Field(description="its messages name a task that can be marked failed")


class DeadLetterQueues(Model):
    queues: list[DeadLetterQueue]


class DeadLetter(Model):
    message_id: str
    queue: DeadLetterQueueName
    task_id: str | None = None
    attempt: int | None = None
    delivery_id: str | None = None
    task_status: str | None = Field(None, description="the task's status now, when the message names one")
    receive_count: int = Field(description="SQS ApproximateReceiveCount: deliveries that did not succeed")
    source: str
    reason: str
    sent_at: str
    age_seconds: int
    body: str = Field(description="the message body (at most 2,000 characters)")


class DeadLetterList(Model):
    queue: DeadLetterQueueName
    count: int
    messages: list[DeadLetter]


class Selection(Model):
    """Which messages: `message_ids`, or every message with `all`."""

    model_config = ConfigDict(extra="forbid")

    message_ids: list[str] = Field(default_factory=list, max_length=MAX_SELECTED)
    all: bool = Field(False, description="every message in the queue (message_ids must be empty)")


class RedriveRequest(Selection):
    pass


class FailRequest(Selection):
    reason: str | None = Field(None, max_length=1000, description="the task's error; default: why it was dead-lettered")


class RedriveResult(Model):
    queue: DeadLetterQueueName
    moved: list[str] = Field(description="message ids sent back to the source queue")
    not_found: list[str] = Field(default_factory=list, description="selected ids not in the queue (any more)")


class FailedTask(Model):
    message_id: str
    task_id: str | None
    outcome: str = Field(description="failed, or why not: already <status>, unknown task")


class FailResult(Model):
    queue: DeadLetterQueueName
    tasks: list[FailedTask]
    not_found: list[str] = Field(default_factory=list)
