"""Runner jobs: the message the state machine sends, the status row the runner keeps, and the
article a creator produces."""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field

from contenthub.models.common import Model
from contenthub.states import JobState

# Texts that leave the runner go into the job row, the task row and Step Functions state (256 KB in
# all, and an execution over it fails with States.DataLimitExceeded, which no Catch can handle).
# So each is bounded, in UTF-8 bytes, where the runner writes it and again where it is read.
STAGE_LIMIT = 200  # a job's progress stage
ERROR_LIMIT = 2_000  # a job's error, a task's error, SendTaskFailure's cause


def clip(text: str, limit: int, total: int | None = None) -> str:
    """`text` within `limit` UTF-8 bytes. Longer text is cut at a character boundary and ends with
    an ellipsis saying it was truncated and from how many bytes (`total`, when the caller already
    dropped part of it)."""
    data = text.encode("utf-8", errors="replace")
    total = max(total or 0, len(data))
    if total <= limit and len(data) <= limit:
        return text
    note = f"… [truncated from {total} bytes]"
    keep = max(0, limit - len(note.encode()))
    return data[:keep].decode("utf-8", errors="ignore") + note


class Article(Model):
    """What a content creator produces."""

    title: str = Field(min_length=1)
    body: str = Field(min_length=1, description="Markdown")
    summary: str = ""
    tags: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)


class JobRequest(Model):
    """A runner job, as sent on the runner-jobs queue by the state machine's DispatchJob state."""

    job_id: str
    task_id: str
    attempt: int
    account_id: int
    topic: str
    keywords: list[str] = Field(default_factory=list)
    # The account's defaults; None means the creator settings' defaults.
    language: str | None = None
    tone: str | None = None
    length: int | None = None
    # Callback mode: the Step Functions task token to report to (SendTaskSuccess/Failure/Heartbeat).
    task_token: str | None = None

    @classmethod
    def from_message(cls, body: str) -> JobRequest:
        """Poll mode sends the job itself; callback mode sends {"job": …, "task_token": …}."""
        data = json.loads(body)
        if isinstance(data, dict) and isinstance(data.get("job"), dict):
            data = {**data["job"], "task_token": data.get("task_token")}
        return cls.model_validate(data)


class Job(Model):
    """A job's status row in the jobs table: written by the runner, read by functions/poll."""

    job_id: str
    task_id: str | None = None
    status: JobState | None = None  # None: only a cancel request was written before the job started
    creator: str | None = None
    progress: int = 0
    stage: str | None = None
    heartbeat_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    result_key: str | None = None
    error: str | None = None
    cancel_requested: str | None = None
    recoveries: int = 0
    runner_id: str | None = None
