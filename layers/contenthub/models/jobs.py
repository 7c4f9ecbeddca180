"""Runner jobs: the message the state machine sends, the status row the runner keeps, and the
article a creator produces."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from contenthub.states import JobState


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


class Job(BaseModel):
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
